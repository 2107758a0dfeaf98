/*
 * hostile: LHCALL_SET_PMD from a 2-level (non-PAE) guest.  A non-PAE lguest
 * Host has no such call ("Bad hypercall 13"): there are no middle directories.
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(SET_PMD|hypercall 13)\n");
	hcall_sync(LHCALL_SET_PMD, virt_to_phys(boot_pgdir), 0, 0, 0);
	kprintf("still alive after SET_PMD\n");
}
