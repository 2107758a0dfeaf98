/*
 * The guest telling us its tables changed: LHCALL_SET_PTE, SET_PGD, SET_PMD
 * and FLUSH_TLB.  (NEW_PGTABLE switches roots: pgdir_cache.c.)
 *
 * Dropping a shadow entry is always correct: the next access faults and
 * demand_page() maps whatever the guest's tables say then.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/trace.h"

/*
 * The guest's entry may be shadowed in several roots (a page table in use
 * under more than one page directory) and in the shared kernel space: the
 * reverse map finds every shadow page table built from the guest page table
 * that holds it, and exactly that entry is updated in each.
 *
 * Linux sets ACCESSED (and DIRTY for writable data) on most entries as it
 * creates them, so in the root of the pgdir named (or the kernel's), an entry
 * with either bit set is mapped at once (writable only if DIRTY), saving the
 * fault that would follow.  Elsewhere it is dropped: the rights of a path
 * depend on each pgdir's own directory entries.
 */
void mmu_set_pte(struct shadow_mmu *m, uint32_t gpgdir, uint32_t vaddr,
		 uint64_t gpte)
{
	uint32_t r = vaddr >> REGION_SHIFT, pt_idx = POOL_NONE;
	struct shadow_root *root;
	struct guest_walk w;
	uint64_t *spte = NULL;
	unsigned updated = 0;

	/* A 2-level guest's arg4 is not part of the entry: older guests
	 * leave junk there, and lguest ignored it. */
	if (m->fmt->pte_size == 4)
		gpte = (uint32_t)gpte;
	/* Linear mappings come from no guest entry: nothing to update. */
	if (m->linear)
		return;
	/* The shadow page table of gpgdir's root (or the kernel's) here. */
	root = roots_find(m, gpgdir);
	if (region_is_kernel(m, r)) {
		pt_idx = m->kernel_pt[r];
	} else if (root) {
		uint64_t pde = *root_pde_of(m, root, r);
		if (pde & PTE_PRESENT)
			pt_idx = pool_index_of(&m->pool, pde);
	}
	if (pt_idx != POOL_NONE)
		spte = &pool_table(&m->pool, pt_idx)[(vaddr >> 12) % SHADOW_ENTRIES];

	if (!m->fmt->walk_dirs(m, gpgdir, vaddr, false, &w) || !w.dir_present) {
		/* No guest page table behind it under gpgdir: only the shadow
		 * of gpgdir itself (or the kernel's) can hold it. */
		if (spte)
			shadow_set(m, spte, 0);
		return;
	}
	for (uint32_t idx = rmap_first(m, w.gpte_gpa & ~(uint64_t)MMU_PAGE_MASK);
	     idx != RMAP_NONE; idx = rmap_next(m, idx)) {
		int e = rmap_entry_index(m, idx, w.gpte_gpa);
		if (e >= 0) {
			shadow_set(m, &pool_table(&m->pool, idx)[e], 0);
			updated++;
		}
	}
	/* A shadow of gpgdir built from another page table than the one its
	 * directory names now (the guest changed it without telling): not
	 * this entry's; drop it and leave the rest to the next fault. */
	if (spte && m->rmap.meta[pt_idx].src != rmap_src_of(m, &w, vaddr)) {
		shadow_set(m, spte, 0);
		spte = NULL;
	}
	m->stats.rmap_updates += updated;
	if (!spte || !(gpte & PTE_PRESENT) || !(gpte & (PTE_ACCESSED | PTE_DIRTY)))
		return;
	if (!guest_check_pte(m, gpte, vaddr, true))
		return;
	shadow_set(m, spte, shadow_pte(m, &w, gpte));
	TRACE("mmu", "op=set_pte gpgdir=0x%x vaddr=0x%x gpte=0x%llx spte=0x%llx shadows=%u",
	      gpgdir, vaddr, (unsigned long long)gpte,
	      (unsigned long long)*spte, updated);
}

/* A top-level entry changed: forget everything below it.  A kernel slot is
 * shared, so it is dropped for every root whichever pgdir was named. */
void mmu_set_pgd(struct shadow_mmu *m, uint32_t gpgdir, uint32_t idx)
{
	struct shadow_root *root;
	uint32_t first;

	if (idx >= m->fmt->top_entries) {
		guest_fault_raise(m->cfg.fault,
				  "SET_PGD index %u out of range (%u entries)",
				  idx, m->fmt->top_entries);
		return;
	}
	if (m->linear)
		return;
	root = roots_find(m, gpgdir);
	if (m->fmt->has_pmd) {
		/* PAE: a top-level entry is a whole GiB. */
		if (root)
			shadow_drop_gib(m, root, idx);
		if (m->kernel_region < (idx + 1) * SHADOW_ENTRIES)
			shadow_drop_gib(m, NULL, idx);
	} else {
		first = idx * m->fmt->top_regions;
		for (uint32_t r = first; r < first + m->fmt->top_regions; r++)
			if (root || region_is_kernel(m, r))
				shadow_drop_region(m, root, r);
	}
	TRACE("mmu", "op=set_pgd gpgdir=0x%x idx=%u cached=%d", gpgdir, idx,
	      root != NULL);
}

/*
 * A middle-directory entry changed (PAE): region idx of every GiB shadowed
 * from that middle directory page, in whichever roots (and the kernel space)
 * took that GiB from it, and nowhere else.  (lguest threw everything away.)
 */
void mmu_set_pmd(struct shadow_mmu *m, uint32_t gpmd_page, uint32_t idx)
{
	uint64_t pmd = gpmd_page & ~(uint64_t)MMU_PAGE_MASK;

	if (!m->fmt->has_pmd) {
		guest_fault_raise(m->cfg.fault,
				  "SET_PMD 0x%x/%u from a 2-level guest (only PAE has middle directories)",
				  gpmd_page, idx);
		return;
	}
	if (idx >= SHADOW_ENTRIES) {
		guest_fault_raise(m->cfg.fault,
				  "SET_PMD index %u out of range (%u entries)",
				  idx, SHADOW_ENTRIES);
		return;
	}
	if (m->linear)
		return;
	for (uint32_t g = 0; g < SHADOW_PDS; g++) {
		uint32_t r = g * SHADOW_ENTRIES + idx;

		if (region_is_kernel(m, r)) {
			if (m->kernel_src_pmd[g] == pmd)
				shadow_drop_region(m, NULL, r);
			continue;
		}
		for (unsigned i = 0; i < m->nroots; i++)
			if (m->roots[i].src_pmd[g] == pmd)
				shadow_drop_region(m, &m->roots[i], r);
	}
	TRACE("mmu", "op=set_pmd pmd=0x%x idx=%u", gpmd_page, idx);
}

void mmu_flush_tlb(struct shadow_mmu *m, bool include_kernel)
{
	if (include_kernel || m->linear)
		shadow_drop_all(m);
	else
		shadow_drop_user(m, mmu_current(m));
	TRACE("mmu", "op=flush_tlb all=%d", include_kernel);
}
