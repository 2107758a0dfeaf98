/*
 * PAE page tables, as Linux built with CONFIG_X86_PAE keeps them under
 * lguest: page-directory-pointer tables of 4 entries, 32 bytes each and
 * several to a page (Linux's pgd cache); middle directories and page
 * tables of 512 64-bit entries.  The hypercalls (arch/x86/lguest/boot.c):
 * SET_PTE(pdpt, va, low half, high half); SET_PGD(pdpt & ~0x1f, index) for a
 * PDPT entry; SET_PMD(middle directory page, index) for a PMD entry.
 */
#include "runtime.h"

#define PDPTS_PER_PAGE (PAGE_SIZE / PDPT_SIZE)

static pgd_t *pdpt_page;
static unsigned pdpt_next = PDPTS_PER_PAGE;

void mmu_drop_identity(void)
{
	boot_pgdir[0] = 0;
}

/* The kernel's GiB points to the one shared kernel middle directory. */
pgd_t *pgdir_create(void)
{
	pgd_t *pdpt;

	if (pdpt_next == PDPTS_PER_PAGE) {
		pdpt_page = page_alloc();
		pdpt_next = 0;
	}
	pdpt = pdpt_page + pdpt_next++ * (PDPT_SIZE / sizeof(pgd_t));
	pdpt[KERNEL_PGD_PAE] = boot_pgdir[KERNEL_PGD_PAE];
	return pdpt;
}

static void *table_of(uint64_t e)
{
	return phys_to_virt((uint32_t)(e & PTE_FRAME_MASK));
}

pmd_t *pmd_of(pgd_t *pgdir, uint32_t va)
{
	pgd_t e = pgdir[PGD_INDEX(va)];

	return (e & PTE_PRESENT) ? table_of(e) : 0;
}

volatile pte_t *pte_ptr(pgd_t *pgdir, uint32_t va)
{
	pmd_t *pmd = pmd_of(pgdir, va);

	if (!pmd) {
		if (va >= KERNEL_BASE)
			bail_out("no kernel middle directory for %#x", va);
		pgd_set(pgdir, PGD_INDEX(va), page_alloc_phys() | PGD_PRESENT);
		pmd = pmd_of(pgdir, va);
	}
	if (!(pmd[PMD_INDEX(va)] & PTE_PRESENT)) {
		/* Kernel page tables are static and shared by every PDPT. */
		if (va >= KERNEL_BASE)
			bail_out("no kernel page table for %#x", va);
		pmd_set(pmd, PMD_INDEX(va), page_alloc_phys() | PDE_TABLE);
	}
	return (volatile pte_t *)table_of(pmd[PMD_INDEX(va)]) + PTE_INDEX(va);
}

/* Like Linux's native_set_pte() for PAE: the high half first, so the entry
 * is never present with a stale high half. */
void pte_set(pgd_t *pgdir, uint32_t va, pte_t pte)
{
	volatile uint32_t *p = (volatile uint32_t *)pte_ptr(pgdir, va);

	p[1] = (uint32_t)(pte >> 32);
	barrier();
	p[0] = (uint32_t)pte;
	hcall_sync(LHCALL_SET_PTE, virt_to_phys(pgdir), va & ~(PAGE_SIZE - 1), (uint32_t)pte, (uint32_t)(pte >> 32));
}

void pgd_set(pgd_t *pgdir, unsigned index, pgd_t e)
{
	pgdir[index] = e;
	hcall_sync(LHCALL_SET_PGD, virt_to_phys(pgdir) & ~(PDPT_SIZE - 1u), index, 0, 0);
}

void pmd_set(pmd_t *pmd, unsigned index, pmd_t e)
{
	pmd[index] = e;
	hcall_sync(LHCALL_SET_PMD, virt_to_phys(pmd) & ~(PAGE_SIZE - 1), index, 0, 0);
}

void pde_set(pgd_t *pgdir, uint32_t va, uint32_t entry)
{
	pmd_t *pmd = pmd_of(pgdir, va);

	if (!pmd)
		bail_out("no middle directory for %#x", va);
	pmd_set(pmd, PMD_INDEX(va), entry);
}
