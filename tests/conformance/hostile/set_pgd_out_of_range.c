/* hostile: LHCALL_SET_PGD with index 2000 of a 1024-entry page directory. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(SET_PGD|set pgd)\n");
	hcall_sync(LHCALL_SET_PGD, virt_to_phys(boot_pgdir), 2000, 0, 0);
	kprintf("still alive after SET_PGD index 2000\n");
}
