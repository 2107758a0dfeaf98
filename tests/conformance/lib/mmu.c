/*
 * Page allocation, switching page tables and the flush hypercalls: the
 * parts that do not depend on the page-table format (mmu_2level.c and
 * mmu_pae.c hold the rest).
 */
#include "runtime.h"

pgd_t *pgdir_current = boot_pgdir;
static uint32_t free_next, free_end, iowin_next;

uint32_t ram_size(void)
{
	if (mem_read8(BOOT_PARAMS + BP_E820_ENTRIES) < 1)
		return 0;
	if (mem_read32(BOOT_PARAMS + BP_E820_TABLE + 12) != 0)
		return 0xFFFFF000u;
	return mem_read32(BOOT_PARAMS + BP_E820_TABLE + 8);
}

/*
 * Pages come from the RAM after the image, inside the direct map, below
 * the linear-mode probe's page near the top of RAM.  Then the identity
 * part of the boot page tables goes: user space starts empty.
 */
void mmu_init(void)
{
	uint32_t top = ram_size();

	if (top > (DIRECT_MAP_MB << 20))
		top = DIRECT_MAP_MB << 20;
	if (top > (1u << 20) * 4)
		top -= 65536 + PAGE_SIZE;
	free_next = (virt_to_phys(__end) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	free_end = top & ~(PAGE_SIZE - 1);
	mmu_drop_identity();
	tlb_flush_user();
}

uint32_t pages_free(void)
{
	return (free_end - free_next) / PAGE_SIZE;
}

uint32_t page_alloc_phys(void)
{
	uint32_t pa = free_next;

	if (pa >= free_end)
		bail_out("out of guest pages");
	free_next += PAGE_SIZE;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void *page_alloc(void)
{
	return phys_to_virt(page_alloc_phys());
}

void pgdir_switch(pgd_t *pgdir)
{
	hcall_sync(LHCALL_NEW_PGTABLE, virt_to_phys(pgdir), 0, 0, 0);
	pgdir_current = pgdir;
}

void pte_write(pgd_t *pgdir, uint32_t va, pte_t pte)
{
	*pte_ptr(pgdir, va) = pte;
}

void tlb_flush_user(void)
{
	hcall_sync(LHCALL_FLUSH_TLB, 0, 0, 0, 0);
}

void tlb_flush_all(void)
{
	hcall_sync(LHCALL_FLUSH_TLB, 1, 0, 0, 0);
}

uint32_t iomap(uint32_t phys, uint32_t len)
{
	uint32_t first = phys & ~(PAGE_SIZE - 1), last = (phys + len - 1) & ~(PAGE_SIZE - 1);
	uint32_t va = IOWIN_BASE + iowin_next * PAGE_SIZE, pa;

	for (pa = first;; pa += PAGE_SIZE) {
		if (iowin_next >= WINDOW_PAGES)
			bail_out("I/O window full");
		pte_set(pgdir_current, IOWIN_BASE + iowin_next * PAGE_SIZE,
			pa | PTE_PRESENT | PTE_RW | PTE_PCD | PTE_PWT | PTE_ACCESSED | PTE_DIRTY);
		iowin_next++;
		if (pa == last)
			break;
	}
	return va + (phys & (PAGE_SIZE - 1));
}
