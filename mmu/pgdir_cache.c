/*
 * The pgdir cache: several shadow roots, each keyed by the guest page
 * directory it reflects, so a context switch back to a recent process finds
 * its user mappings still there.  lguest kept 4 and evicted at random; we
 * keep cfg.max_roots and evict the least recently used.
 *
 * Kernel mappings are the same in every process, so their shadow page tables
 * are shared: kernel_pt[r] is installed in the PD of every root (even unkeyed
 * ones, so a root is complete the moment it is keyed).  A fresh root thus
 * starts with the whole kernel already mapped.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/trace.h"

uint64_t *root_pde_of(const struct shadow_mmu *m, const struct shadow_root *root,
		      uint32_t r)
{
	return &pool_table(&m->pool, root->pd[r / SHADOW_ENTRIES])[r % SHADOW_ENTRIES];
}

static void forget_src_pmds(uint64_t src_pmd[SHADOW_PDS])
{
	for (unsigned g = 0; g < SHADOW_PDS; g++)
		src_pmd[g] = NO_GPA;
}

bool roots_init(struct shadow_mmu *m)
{
	for (unsigned i = 0; i < m->nroots; i++) {
		struct shadow_root *root = &m->roots[i];
		uint64_t *pml4, *pdpt;

		root->keyed = false;
		forget_src_pmds(root->src_pmd);
		root->pml4 = pool_alloc(&m->pool);
		root->pdpt = pool_alloc(&m->pool);
		if (root->pml4 == POOL_NONE || root->pdpt == POOL_NONE)
			return false;
		/* Written directly: the vCPU has not run yet. */
		pml4 = pool_table(&m->pool, root->pml4);
		pdpt = pool_table(&m->pool, root->pdpt);
		pml4[0] = pool_page_gpa(&m->pool, root->pdpt) | SHADOW_TABLE_FLAGS;
		pml4[SHADOW_ENTRIES - 1] = m->cfg.host_pml4e;
		for (unsigned j = 0; j < SHADOW_PDS; j++) {
			root->pd[j] = pool_alloc(&m->pool);
			if (root->pd[j] == POOL_NONE)
				return false;
			pdpt[j] = pool_page_gpa(&m->pool, root->pd[j]) |
				  SHADOW_TABLE_FLAGS;
		}
	}
	for (unsigned r = 0; r < SHADOW_REGIONS; r++)
		m->kernel_pt[r] = POOL_NONE;
	forget_src_pmds(m->kernel_src_pmd);
	return true;
}

uint64_t *root_region_pt(const struct shadow_mmu *m,
			 const struct shadow_root *root, uint32_t r)
{
	uint64_t pde = *root_pde_of(m, root, r);

	if (!(pde & PTE_PRESENT))
		return NULL;
	return pool_table(&m->pool, pool_index_of(&m->pool, pde));
}

static void set_region_in_all_roots(struct shadow_mmu *m, uint32_t r,
				    uint64_t pde)
{
	for (unsigned i = 0; i < m->nroots; i++)
		shadow_set(m, root_pde_of(m, &m->roots[i], r), pde);
}

static void drop_kernel_region(struct shadow_mmu *m, uint32_t r)
{
	if (m->kernel_pt[r] == POOL_NONE)
		return;
	set_region_in_all_roots(m, r, 0);
	rmap_remove(m, m->kernel_pt[r]);
	pool_free(&m->pool, m->kernel_pt[r]);
	m->kernel_pt[r] = POOL_NONE;
}

void shadow_drop_region(struct shadow_mmu *m, struct shadow_root *root,
			uint32_t r)
{
	uint64_t *pde;

	if (region_is_kernel(m, r)) {
		drop_kernel_region(m, r);
		return;
	}
	pde = root_pde_of(m, root, r);
	if (!(*pde & PTE_PRESENT))
		return;
	rmap_remove(m, pool_index_of(&m->pool, *pde));
	pool_free(&m->pool, pool_index_of(&m->pool, *pde));
	shadow_set(m, pde, 0);
}

void shadow_drop_gib(struct shadow_mmu *m, struct shadow_root *root, uint32_t g)
{
	for (uint32_t r = g * SHADOW_ENTRIES; r < (g + 1) * SHADOW_ENTRIES; r++)
		if (region_is_kernel(m, r) == !root)
			shadow_drop_region(m, root, r);
	if (root)
		root->src_pmd[g] = NO_GPA;
	else
		m->kernel_src_pmd[g] = NO_GPA;
}

void shadow_drop_user(struct shadow_mmu *m, struct shadow_root *root)
{
	for (uint32_t r = 0; r < m->kernel_region; r++)
		shadow_drop_region(m, root, r);
	forget_src_pmds(root->src_pmd);
}

void shadow_drop_all(struct shadow_mmu *m)
{
	for (unsigned i = 0; i < m->nroots; i++)
		shadow_drop_user(m, &m->roots[i]);
	for (uint32_t r = m->kernel_region; r < SHADOW_REGIONS; r++)
		drop_kernel_region(m, r);
	forget_src_pmds(m->kernel_src_pmd);
}

/* A page for a new shadow page table.  When the pool is dry, throw away
 * every mapping of every root (the roots stay keyed) and refill on demand:
 * memory stays bounded and the guest only sees some extra faults. */
static uint32_t alloc_pt(struct shadow_mmu *m)
{
	uint32_t idx = pool_alloc(&m->pool);

	if (idx != POOL_NONE)
		return idx;
	m->stats.pool_exhausted++;
	TRACE("mmu", "op=pool_exhausted pages=%u roots=%u", m->pool.pages,
	      m->nroots);
	shadow_drop_all(m);
	/* mmu_create guaranteed page-table pages beyond the roots. */
	return pool_alloc(&m->pool);
}

uint64_t *shadow_region_pt(struct shadow_mmu *m, uint32_t vaddr,
			   const struct guest_walk *w)
{
	struct shadow_root *root = mmu_current(m);
	uint32_t r = vaddr >> REGION_SHIFT, g = r / SHADOW_ENTRIES, idx;
	bool kernel = region_is_kernel(m, r);
	uint64_t src = rmap_src_of(m, w, vaddr), pde;
	uint64_t *pt, *src_pmd = kernel ? &m->kernel_src_pmd[g] : &root->src_pmd[g];

	/* The guest moved this GiB to another middle directory (PAE) or this
	 * region to another page table without telling: start it afresh. */
	if (m->fmt->has_pmd && w->pmd_gpa != NO_GPA && *src_pmd != NO_GPA &&
	    *src_pmd != w->pmd_gpa)
		shadow_drop_gib(m, kernel ? NULL : root, g);
	pt = root_region_pt(m, root, r);
	if (pt) {
		if (m->rmap.meta[pool_index_of(&m->pool, *root_pde_of(m, root, r))].src == src)
			return pt;
		shadow_drop_region(m, root, r);
	}
	idx = alloc_pt(m);
	shadow_clear_page(m, idx);
	rmap_add(m, idx, kernel ? OWNER_KERNEL : (uint32_t)(root - m->roots), r, src);
	if (m->fmt->has_pmd && w->pmd_gpa != NO_GPA)
		*src_pmd = w->pmd_gpa;  /* after alloc_pt, which may drop all */
	pde = pool_page_gpa(&m->pool, idx) | SHADOW_TABLE_FLAGS;
	if (kernel) {
		m->kernel_pt[r] = idx;
		set_region_in_all_roots(m, r, pde);
	} else {
		shadow_set(m, root_pde_of(m, root, r), pde);
	}
	return pool_table(&m->pool, idx);
}

struct shadow_root *roots_find(struct shadow_mmu *m, uint32_t gpgdir)
{
	if (m->linear)
		return NULL; /* the linear root reflects no guest pgdir */
	for (unsigned i = 0; i < m->nroots; i++)
		if (m->roots[i].keyed && m->roots[i].gpgdir == gpgdir)
			return &m->roots[i];
	return NULL;
}

/* A free slot, else the least recently used root that is not current. */
static unsigned pick_victim(const struct shadow_mmu *m)
{
	unsigned best = m->nroots;

	for (unsigned i = 0; i < m->nroots; i++) {
		if (!m->roots[i].keyed)
			return i;
		if (i == m->cur)
			continue;
		if (best == m->nroots ||
		    m->roots[i].last_used < m->roots[best].last_used)
			best = i;
	}
	return best == m->nroots ? m->cur : best;
}

void mmu_new_pgtable(struct shadow_mmu *m, uint32_t gpgdir)
{
	struct shadow_root *root;
	unsigned idx;
	bool hit;

	if (gpgdir % m->fmt->pgdir_align ||
	    !gmem_range_ok(m->cfg.mem, gpgdir,
			   (uint64_t)m->fmt->top_entries * m->fmt->pte_size)) {
		guest_fault_raise(m->cfg.fault,
				  "NEW_PGTABLE 0x%x: not an aligned %s page directory in guest RAM",
				  gpgdir, m->fmt->name);
		return;
	}
	/* The very first pgdir: the made-up linear mappings go away. */
	if (m->linear) {
		shadow_drop_all(m);
		m->roots[m->cur].keyed = false;
		m->linear = false;
		TRACE("mmu", "op=linear_off gpgdir=0x%x", gpgdir);
	}
	root = roots_find(m, gpgdir);
	hit = root != NULL;
	if (hit) {
		idx = (unsigned)(root - m->roots);
	} else {
		idx = pick_victim(m);
		root = &m->roots[idx];
		if (root->keyed) {
			m->stats.root_evictions++;
			TRACE("mmu", "op=evict root=%u gpgdir=0x%x for=0x%x", idx,
			      root->gpgdir, gpgdir);
		}
		shadow_drop_user(m, root);
		root->keyed = true;
		root->gpgdir = gpgdir;
	}
	root->last_used = ++m->clock;
	m->cur = idx;
	m->stats.root_switches++;
	TRACE("mmu", "op=new_pgtable gpgdir=0x%x root=%u hit=%d cr3=0x%llx",
	      gpgdir, idx, hit, (unsigned long long)mmu_cr3(m));
}
