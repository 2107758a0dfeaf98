/*
 * hostile: LHCALL_SET_PMD naming middle directories that are not in RAM
 * (1 GiB, and 0xfffff000 with the last index).  lguest's SET_PMD threw all
 * shadows away whatever it was told (guest_set_pmd); lgkvm drops the
 * regions shadowed from that middle directory, here none.  No kill, and
 * the guest's mappings still work.
 */
#include "runtime.h"

#define VA USER_TEST_BASE
#define FLAGS (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)

void guest_main(void)
{
	volatile uint32_t *a = page_alloc();
	uint32_t v;

	kprintf("expect-survive: ^refused: SET_PMD of middle directories outside RAM changed nothing\n");
	*a = 0xAAAA;
	pte_set(boot_pgdir, VA, virt_to_phys(a) | FLAGS);
	if (probe_read32(VA, &v) || v != 0xAAAA)
		bail_out("the test page reads %#x", v);
	hcall_sync(LHCALL_SET_PMD, 0x40000000, PMD_INDEX(VA), 0, 0);
	hcall_sync(LHCALL_SET_PMD, 0xFFFFF000, 511, 0, 0);
	if (probe_read32(VA, &v) || v != 0xAAAA)
		bail_out("after SET_PMD outside RAM the page reads %#x", v);
	kprintf("refused: SET_PMD of middle directories outside RAM changed nothing\n");
	power_off();
}
