/* hostile: LHCALL_SET_PMD with index 512 of a 512-entry middle directory. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*SET_PMD index 512\\b\n");
	hcall_sync(LHCALL_SET_PMD, virt_to_phys(pmd_of(boot_pgdir, KERNEL_BASE)), 512, 0, 0);
	kprintf("still alive after SET_PMD index 512\n");
}
