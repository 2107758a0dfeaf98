/*
 * The pool of shadow table pages.  The VMM hands us a block of pages in its
 * private memslot: we see them at `base`, the vCPU at `gpa`.  Shadow entries
 * hold GPAs, so every step down a shadow table converts back here.
 */
#include "mmu/mmu_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

bool pool_init(struct shadow_pool *p, void *base, uint64_t gpa, uint32_t pages)
{
	p->base = base;
	p->gpa = gpa;
	p->pages = pages;
	p->free = calloc(pages, sizeof(*p->free));
	p->zeroed = calloc((pages + 7) / 8, 1);
	if (!p->free || !p->zeroed)
		return false;
	/* Lowest index on top: the roots, taken first, sit at the start. */
	for (uint32_t i = 0; i < pages; i++)
		p->free[i] = pages - 1 - i;
	p->nfree = pages;
	return true;
}

void pool_fini(struct shadow_pool *p)
{
	free(p->free);
	free(p->zeroed);
	p->free = NULL;
	p->zeroed = NULL;
	p->nfree = 0;
}

uint32_t pool_alloc(struct shadow_pool *p)
{
	uint32_t idx;

	if (p->nfree == 0)
		return POOL_NONE;
	idx = p->free[--p->nfree];
	if (!(p->zeroed[idx / 8] & (1u << (idx % 8)))) {
		memset(p->base + (uint64_t)idx * MMU_PAGE_SIZE, 0, MMU_PAGE_SIZE);
		p->zeroed[idx / 8] |= (uint8_t)(1u << (idx % 8));
	}
	return idx;
}

void pool_free(struct shadow_pool *p, uint32_t idx)
{
	assert(idx < p->pages && p->nfree < p->pages);
	p->free[p->nfree++] = idx;
}

uint64_t *pool_table(const struct shadow_pool *p, uint32_t idx)
{
	assert(idx < p->pages);
	return (uint64_t *)(void *)(p->base + (uint64_t)idx * MMU_PAGE_SIZE);
}

uint64_t pool_page_gpa(const struct shadow_pool *p, uint32_t idx)
{
	assert(idx < p->pages);
	return p->gpa + (uint64_t)idx * MMU_PAGE_SIZE;
}

uint32_t pool_index_of(const struct shadow_pool *p, uint64_t entry)
{
	uint64_t gpa = entry & SPTE_ADDR_MASK;

	/* Only we write directory entries, so this is our bug, not the guest's. */
	assert(gpa >= p->gpa && (gpa - p->gpa) / MMU_PAGE_SIZE < p->pages);
	return (uint32_t)((gpa - p->gpa) / MMU_PAGE_SIZE);
}
