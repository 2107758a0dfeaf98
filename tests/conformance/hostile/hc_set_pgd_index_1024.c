/*
 * hostile: LHCALL_SET_PGD with index 1024, one past a 2-level page
 * directory.  lguest checked `idx > PTRS_PER_PGD` and so let exactly this
 * one through (then released the shadow entry after its page directory);
 * the right answer is a kill, as for any index out of range.
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(SET_PGD|set pgd).*\\b1024\\b\n");
	hcall_sync(LHCALL_SET_PGD, virt_to_phys(boot_pgdir), 1024, 0, 0);
	kprintf("still alive after SET_PGD index 1024\n");
}
