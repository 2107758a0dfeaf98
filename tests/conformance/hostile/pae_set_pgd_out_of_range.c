/* hostile: LHCALL_SET_PGD with index 4 of a 4-entry PAE PDPT. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*SET_PGD index 4\\b\n");
	hcall_sync(LHCALL_SET_PGD, virt_to_phys(boot_pgdir), 4, 0, 0);
	kprintf("still alive after SET_PGD index 4\n");
}
