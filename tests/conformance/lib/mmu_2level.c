/*
 * 2-level (non-PAE) page tables: a page directory of 1024 entries, each
 * pointing to a page table of 1024 32-bit PTEs.  A directory entry change
 * is told with LHCALL_SET_PGD (Linux's set_pmd() with the middle level
 * folded away).
 */
#include "runtime.h"

void mmu_drop_identity(void)
{
	unsigned i;

	for (i = 0; i < DIRECT_MAP_PDES; i++)
		boot_pgdir[i] = 0;
}

pgd_t *pgdir_create(void)
{
	pgd_t *pgdir = page_alloc();

	memcpy(pgdir + KERNEL_PDE, boot_pgdir + KERNEL_PDE, (PTRS_PER_PGD - KERNEL_PDE) * sizeof(pgd_t));
	return pgdir;
}

volatile pte_t *pte_ptr(pgd_t *pgdir, uint32_t va)
{
	unsigned index = PGD_INDEX(va);

	if (!(pgdir[index] & PTE_PRESENT)) {
		/* Kernel-part page tables are static and shared by every pgdir. */
		if (va >= KERNEL_BASE)
			bail_out("no kernel page table for %#x", va);
		pgd_set(pgdir, index, page_alloc_phys() | PDE_TABLE);
	}
	return (volatile pte_t *)phys_to_virt(pgdir[index] & ~(PAGE_SIZE - 1)) + PTE_INDEX(va);
}

void pte_set(pgd_t *pgdir, uint32_t va, pte_t pte)
{
	*pte_ptr(pgdir, va) = pte;
	hcall_sync(LHCALL_SET_PTE, virt_to_phys(pgdir), va & ~(PAGE_SIZE - 1), pte, 0);
}

void pgd_set(pgd_t *pgdir, unsigned index, pgd_t e)
{
	pgdir[index] = e;
	hcall_sync(LHCALL_SET_PGD, virt_to_phys(pgdir), index, 0, 0);
}

void pde_set(pgd_t *pgdir, uint32_t va, uint32_t entry)
{
	pgd_set(pgdir, PGD_INDEX(va), entry);
}
