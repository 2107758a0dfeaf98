/* hostile: LHCALL_NEW_PGTABLE naming a page directory at 1 GiB, far past RAM. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(page directory|pgdir|NEW_PGTABLE)\n");
	hcall_sync(LHCALL_NEW_PGTABLE, 0x40000000, 0, 0, 0);
	kprintf("still alive after NEW_PGTABLE past RAM\n");
}
