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
 * Kernel mappings live in the shared page tables, so one update reaches
 * every root; a user mapping only matters to the root shadowing gpgdir.
 *
 * Linux sets ACCESSED (and DIRTY for writable data) on most entries as it
 * creates them, so an entry with either bit set is mapped at once (writable
 * only if DIRTY), saving the fault that would follow.  That needs the
 * guest's page-directory entry for the rights of the whole path; when it is
 * not there yet, the entry is just dropped.
 */
void mmu_set_pte(struct shadow_mmu *m, uint32_t gpgdir, uint32_t vaddr,
		 uint64_t gpte)
{
	uint32_t r = vaddr >> REGION_SHIFT;
	struct shadow_root *root;
	struct guest_walk w;
	uint64_t *pt, *spte;

	/* A 2-level guest's arg4 is not part of the entry: older guests
	 * leave junk there, and lguest ignored it. */
	if (m->fmt->pte_size == 4)
		gpte = (uint32_t)gpte;
	/* Linear mappings come from no guest entry: nothing to update. */
	if (m->linear)
		return;
	if (region_is_kernel(m, r)) {
		if (m->kernel_pt[r] == POOL_NONE)
			return;
		pt = pool_table(&m->pool, m->kernel_pt[r]);
	} else {
		root = roots_find(m, gpgdir);
		pt = root ? root_region_pt(m, root, r) : NULL;
		if (!pt)
			return;
	}
	spte = &pt[(vaddr >> 12) % SHADOW_ENTRIES];
	shadow_set(m, spte, 0);

	if (!(gpte & PTE_PRESENT) || !(gpte & (PTE_ACCESSED | PTE_DIRTY)))
		return;
	if (!guest_check_pte(m, gpte, vaddr, true))
		return;
	if (!m->fmt->walk_dirs(m, gpgdir, vaddr, false, &w) || !w.dir_present)
		return;
	shadow_set(m, spte, shadow_pte(m, &w, gpte));
	TRACE("mmu", "op=set_pte gpgdir=0x%x vaddr=0x%x gpte=0x%llx spte=0x%llx",
	      gpgdir, vaddr, (unsigned long long)gpte,
	      (unsigned long long)*spte);
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
	first = idx * m->fmt->top_regions;
	for (uint32_t r = first; r < first + m->fmt->top_regions; r++)
		if (root || region_is_kernel(m, r))
			shadow_drop_region(m, root, r);
	TRACE("mmu", "op=set_pgd gpgdir=0x%x idx=%u cached=%d", gpgdir, idx,
	      root != NULL);
}

/*
 * A middle-directory entry changed (PAE).  We cannot tell which pgdirs hold
 * that PMD page or which GiB it maps there, but entry idx is only ever
 * shadowed in region idx of some GiB: drop those four regions in every
 * root.  (lguest threw everything away.)
 */
void mmu_set_pmd(struct shadow_mmu *m, uint32_t gpmd_page, uint32_t idx)
{
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

		if (region_is_kernel(m, r))
			shadow_drop_region(m, NULL, r);
		else
			for (unsigned i = 0; i < m->nroots; i++)
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
