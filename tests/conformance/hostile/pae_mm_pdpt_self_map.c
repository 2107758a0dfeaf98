/*
 * hostile: a PDPT entry pointing at the page that holds the PDPT.  That
 * page is then read as a middle directory for the GiB: the PDPT's own
 * entries become PMD entries, so the region under entry 3 has the
 * kernel's middle directory as its page table, whose entries map the
 * kernel's page tables as pages (PDPT -> PDPT page -> kernel PMD -> page
 * table).  PDPT entries carry only the present bit, which lguest's
 * check_gpmd allows in a PMD entry, and every frame is RAM: lguest took
 * it.  With no RW or USER on the way, it is read-only kernel memory.
 * (Reading a page whose leaf is a PDPT entry marks that entry accessed:
 * pae_mm_pdpt_self_map_accessed.)
 */
#include "runtime.h"

#define GIB1 0x40000000u

extern pte_t boot_pgtables[];

void guest_main(void)
{
	pgd_t *pdpt = pgdir_create();
	uint32_t pa = virt_to_phys(pdpt), page = pa & ~(PAGE_SIZE - 1), q = (pa & (PAGE_SIZE - 1)) / 8;
	uint32_t self_va = GIB1 + (q + 1) * PAGE_TABLE_SPAN; /* PMD entry = pdpt[1]: the PDPT page */
	uint32_t kern_va = GIB1 + (q + 3) * PAGE_TABLE_SPAN; /* PMD entry = pdpt[3]: the kernel's PMD */
	uint32_t v = 0, bad = 0;
	int t;

	kprintf("expect-survive: ^PDPT entry pointing at its own page: read-only loop reads back$\n");
	pdpt[1] = page | PGD_PRESENT;
	pgdir_switch(pdpt);

	for (unsigned i = 0; i < DIRECT_MAP_PMDS; i++)
		bad += probe_read32(kern_va + i * PAGE_SIZE + (i + 3) * 8, &v) ||
		       v != (uint32_t)boot_pgtables[i * 512 + i + 3];
	is_u32(bad, 0, "through the PDPT's own entry 3, each kernel page table is a page");
	t = probe_read32(self_va + (q + 2) * PAGE_SIZE, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == self_va + (q + 2) * PAGE_SIZE,
	   "an empty PDPT entry read as a PTE is not present: #PF");
	t = probe_write32(kern_va + PAGE_SIZE, v);
	ok(t && trap_last.vector == 14 && trap_last.error == (PF_PROT | PF_WRITE),
	   "entries with only the present bit map read-only: a write is #PF(protection)");
	ok(pdpt[1] == (page | PGD_PRESENT) && pdpt[3] == boot_pgdir[3], "the PDPT entries are unchanged");

	pgdir_switch(boot_pgdir);
	if (!tap_failures())
		kprintf("PDPT entry pointing at its own page: read-only loop reads back\n");
	power_off();
}
