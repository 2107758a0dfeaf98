/*
 * A consistency check of the shadow tables and the reverse map, for unit
 * tests and `lgkvm run --mmu-check`.  It walks everything, so it is slow by
 * design; nothing on a hot path calls it.
 */
#include "mmu/mmu_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hypercalls/lguest_abi.h"

enum { UNUSED, LIVE, CHAINED };

struct check {
	struct shadow_mmu *m;
	uint8_t *state;   /* per pool page */
	char *why;
	size_t len;
};

static bool problem(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool problem(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->len, fmt, ap);
	va_end(ap);
	return false;
}

/* Pool page idx is a region page table of owner for region r. */
static bool claim(struct check *c, uint32_t idx, uint32_t owner, uint32_t r)
{
	const struct pt_meta *e;

	if (idx >= c->m->pool.pages)
		return problem(c, "region %u: page table %u outside the pool", r, idx);
	e = &c->m->rmap.meta[idx];
	if (e->owner != owner || e->region != r)
		return problem(c, "region %u: page table %u is recorded as region %u of %s %u",
			       r, idx, e->region,
			       e->owner == OWNER_KERNEL ? "the kernel" : "root",
			       e->owner == OWNER_KERNEL ? 0 : e->owner);
	if (c->state[idx] != UNUSED)
		return problem(c, "region %u: page table %u is installed twice", r, idx);
	c->state[idx] = LIVE;
	return true;
}

static bool check_tables(struct check *c)
{
	struct shadow_mmu *m = c->m;

	for (uint32_t r = 0; r < SHADOW_REGIONS; r++) {
		if (m->kernel_pt[r] == POOL_NONE)
			continue;
		if (!region_is_kernel(m, r))
			return problem(c, "region %u: a kernel page table below the kernel space", r);
		if (!claim(c, m->kernel_pt[r], OWNER_KERNEL, r))
			return false;
	}
	for (unsigned i = 0; i < m->nroots; i++) {
		const struct shadow_root *root = &m->roots[i];

		for (uint32_t r = 0; r < SHADOW_REGIONS; r++) {
			uint64_t pde = *root_pde_of(m, root, r);

			if (region_is_kernel(m, r)) {
				uint64_t want = m->kernel_pt[r] == POOL_NONE ? 0 :
					pool_page_gpa(&m->pool, m->kernel_pt[r]) | SHADOW_TABLE_FLAGS;
				if (pde != want)
					return problem(c, "root %u region %u: not the shared kernel page table", i, r);
				continue;
			}
			if (!(pde & PTE_PRESENT))
				continue;
			if (!root->keyed && !m->linear)
				return problem(c, "root %u shadows no pgdir but maps region %u", i, r);
			if (!claim(c, pool_index_of(&m->pool, pde), i, r))
				return false;
			if (m->fmt->has_pmd && !m->linear &&
			    root->src_pmd[r / SHADOW_ENTRIES] == NO_GPA)
				return problem(c, "root %u region %u: no middle directory recorded for its GiB", i, r);
		}
	}
	return true;
}

static bool check_rmap(struct check *c)
{
	struct shadow_mmu *m = c->m;
	uint32_t chained = 0;

	for (uint32_t b = 0; b < m->rmap.nbuckets; b++) {
		uint32_t prev = RMAP_NONE;

		for (uint32_t idx = rmap_bucket_head(m, b); idx != RMAP_NONE;
		     idx = m->rmap.meta[idx].next) {
			const struct pt_meta *e = &m->rmap.meta[idx];

			if (idx >= m->pool.pages || ++chained > m->pool.pages)
				return problem(c, "reverse map bucket %u: a loop or a bad index", b);
			if (e->prev != prev)
				return problem(c, "reverse map bucket %u: broken back link at %u", b, idx);
			if (e->src == NO_GPA ||
			    rmap_bucket_of(m, e->src & ~(uint64_t)MMU_PAGE_MASK) != b)
				return problem(c, "reverse map: page table %u is in the wrong bucket", idx);
			if (c->state[idx] != LIVE)
				return problem(c, "reverse map lists page table %u (guest page table 0x%llx), which shadows nothing",
					       idx, (unsigned long long)e->src);
			c->state[idx] = CHAINED;
			prev = idx;
		}
	}
	if (chained != m->rmap.count)
		return problem(c, "reverse map: %u chained, %u counted", chained, m->rmap.count);
	for (uint32_t idx = 0; idx < m->pool.pages && !m->linear; idx++)
		if (c->state[idx] == LIVE)
			return problem(c, "page table %u (region %u) is missing from the reverse map",
				       idx, m->rmap.meta[idx].region);
	return true;
}

/* Every present entry is what the guest's tables give now. */
static bool check_entries(struct check *c)
{
	struct shadow_mmu *m = c->m;

	for (uint32_t idx = 0; idx < m->pool.pages; idx++) {
		const struct pt_meta *e = &m->rmap.meta[idx];
		const uint64_t *pt;
		uint32_t gpgdir;

		if (c->state[idx] != CHAINED)
			continue;
		gpgdir = e->owner == OWNER_KERNEL ? mmu_current(m)->gpgdir
						  : m->roots[e->owner].gpgdir;
		pt = pool_table(&m->pool, idx);
		for (uint32_t i = 0; i < SHADOW_ENTRIES; i++) {
			uint32_t vaddr = (e->region << REGION_SHIFT) + i * MMU_PAGE_SIZE;
			struct guest_walk w;
			uint64_t want;

			if (!(pt[i] & PTE_PRESENT))
				continue;
			if (!m->fmt->walk_dirs(m, gpgdir, vaddr, false, &w) || !w.dir_present ||
			    w.gpte_gpa != e->src + (uint64_t)i * m->fmt->pte_size)
				return problem(c, "0x%x: shadowed from the guest entry at 0x%llx, which pgdir 0x%x no longer uses",
					       vaddr, (unsigned long long)(e->src + (uint64_t)i * m->fmt->pte_size), gpgdir);
			want = (w.gpte & PTE_PRESENT) ? shadow_pte(m, &w, w.gpte) : 0;
			if (!(w.gpte & PTE_ACCESSED) || pt[i] != want)
				return problem(c, "0x%x: shadow entry 0x%llx, but the guest entry 0x%llx gives 0x%llx",
					       vaddr, (unsigned long long)pt[i], (unsigned long long)w.gpte,
					       (unsigned long long)want);
		}
	}
	return true;
}

bool mmu_check(struct shadow_mmu *m, bool strict, char *why, size_t len)
{
	struct check c = { .m = m, .why = why, .len = len };
	bool ok;

	c.state = calloc(m->pool.pages, 1);
	if (!c.state)
		return problem(&c, "out of memory for the check");
	ok = check_tables(&c) && check_rmap(&c) && (!strict || m->linear || check_entries(&c));
	free(c.state);
	if (ok && len)
		why[0] = '\0';
	return ok;
}
