/*
 * hostile: a PAE middle-directory entry whose page table is that middle
 * directory itself.  Under it each PMD entry reads as a PTE: SELF_VA +
 * i * 4 KiB maps the page table of entry i, and entry SELF maps the middle
 * directory.  lguest's check_gpmd only wanted _PAGE_TABLE flags and a RAM
 * frame, both true here, so it shadowed it like any page table.
 */
#include "runtime.h"

#define GIB1 0x40000000u
#define SELF 5u
#define SELF_VA (GIB1 + SELF * PAGE_TABLE_SPAN)

void guest_main(void)
{
	uint32_t v = 0, page = page_alloc_phys(), mp;
	pmd_t *pmd;
	int t;

	kprintf("expect-survive: ^PAE middle directory mapped through itself: entries read back$\n");
	pte_set(boot_pgdir, GIB1 + 3 * PAGE_SIZE, page | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	pmd = pmd_of(boot_pgdir, GIB1);
	mp = virt_to_phys(pmd);
	pmd_set(pmd, SELF, mp | PDE_TABLE);

	t = probe_read32(SELF_VA + SELF * PAGE_SIZE + SELF * 8, &v);
	ok(!t && v == (mp | PDE_TABLE), "entry SELF maps the middle directory: it reads its own entry");
	t = probe_read32(SELF_VA + 0 * PAGE_SIZE + 3 * 8, &v);
	ok(!t && v == (page | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY),
	   "entry 0 maps the page table below it: its PTEs read back");
	t = probe_read32(SELF_VA + 1 * PAGE_SIZE, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == SELF_VA + PAGE_SIZE, "an empty PMD entry is a not-present PTE: #PF");

	/* Write a PTE through the loop, tell the Host, use it. */
	*(uint32_t *)phys_to_virt(page + 4) = 0x5E1F;
	t = probe_write32(SELF_VA + 0 * PAGE_SIZE + 4 * 8, (page + 0) | PTE_PRESENT | PTE_ACCESSED);
	hcall_sync(LHCALL_SET_PTE, virt_to_phys(boot_pgdir), GIB1 + 4 * PAGE_SIZE, (page + 0) | PTE_PRESENT | PTE_ACCESSED, 0);
	ok(!t && probe_read32(GIB1 + 4 * PAGE_SIZE + 4, &v) == 0 && v == 0x5E1F,
	   "a PTE written through the loop and told with SET_PTE maps its page");

	pmd_set(pmd, SELF, 0);
	t = probe_read32(SELF_VA, &v);
	ok(t && trap_last.vector == 14, "cleared with SET_PMD, the loop faults again");

	if (!tap_failures())
		kprintf("PAE middle directory mapped through itself: entries read back\n");
	power_off();
}
