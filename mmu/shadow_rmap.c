/*
 * The reverse map (after KVM's 2007 rmap): for each guest page-table page,
 * the shadow page tables built from it.  A guest page table can be in use
 * under several page directories (or the shared kernel space), so a
 * SET_PTE names one pgdir but its entry may be shadowed in many roots: the
 * map finds each, and nothing else is walked or dropped.
 *
 * One record per pool page (pt_meta), chained per guest page frame in a hash
 * table; adding and removing are O(1).
 */
#include "mmu/mmu_internal.h"

#include <stdlib.h>

static uint32_t bucket(const struct shadow_mmu *m, uint64_t frame)
{
	uint64_t h = (frame >> 12) * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(h >> 40) & (m->rmap.nbuckets - 1);
}

bool rmap_init(struct shadow_mmu *m)
{
	struct shadow_rmap *rm = &m->rmap;

	rm->nbuckets = 1;
	while (rm->nbuckets < m->pool.pages)
		rm->nbuckets <<= 1;
	rm->meta = malloc(m->pool.pages * sizeof(*rm->meta));
	rm->head = malloc(rm->nbuckets * sizeof(*rm->head));
	if (!rm->meta || !rm->head)
		return false;
	for (uint32_t i = 0; i < m->pool.pages; i++)
		rm->meta[i] = (struct pt_meta){ .src = NO_GPA, .next = RMAP_NONE,
						.prev = RMAP_NONE };
	for (uint32_t b = 0; b < rm->nbuckets; b++)
		rm->head[b] = RMAP_NONE;
	rm->count = 0;
	return true;
}

void rmap_fini(struct shadow_mmu *m)
{
	free(m->rmap.meta);
	free(m->rmap.head);
	m->rmap.meta = NULL;
	m->rmap.head = NULL;
}

void rmap_add(struct shadow_mmu *m, uint32_t idx, uint32_t owner, uint32_t r,
	      uint64_t src)
{
	struct pt_meta *e = &m->rmap.meta[idx];

	e->owner = owner;
	e->region = r;
	e->src = src;
	e->prev = e->next = RMAP_NONE;
	if (src == NO_GPA)
		return;
	uint32_t *head = &m->rmap.head[bucket(m, src & ~(uint64_t)MMU_PAGE_MASK)];
	e->next = *head;
	if (*head != RMAP_NONE)
		m->rmap.meta[*head].prev = idx;
	*head = idx;
	m->rmap.count++;
}

void rmap_remove(struct shadow_mmu *m, uint32_t idx)
{
	struct pt_meta *e = &m->rmap.meta[idx];

	if (e->src != NO_GPA) {
		if (e->prev != RMAP_NONE)
			m->rmap.meta[e->prev].next = e->next;
		else
			m->rmap.head[bucket(m, e->src & ~(uint64_t)MMU_PAGE_MASK)] = e->next;
		if (e->next != RMAP_NONE)
			m->rmap.meta[e->next].prev = e->prev;
		m->rmap.count--;
	}
	*e = (struct pt_meta){ .src = NO_GPA, .next = RMAP_NONE, .prev = RMAP_NONE };
}

/* The chain holds every frame hashed to its bucket: skip to ours. */
static uint32_t same_frame(const struct shadow_mmu *m, uint32_t i, uint64_t frame)
{
	while (i != RMAP_NONE &&
	       (m->rmap.meta[i].src & ~(uint64_t)MMU_PAGE_MASK) != frame)
		i = m->rmap.meta[i].next;
	return i;
}

uint32_t rmap_first(const struct shadow_mmu *m, uint64_t frame)
{
	return same_frame(m, m->rmap.head[bucket(m, frame)], frame);
}

uint32_t rmap_next(const struct shadow_mmu *m, uint32_t idx)
{
	return same_frame(m, m->rmap.meta[idx].next,
			  m->rmap.meta[idx].src & ~(uint64_t)MMU_PAGE_MASK);
}

uint32_t rmap_bucket_head(const struct shadow_mmu *m, uint32_t b)
{
	return m->rmap.head[b];
}

uint32_t rmap_bucket_of(const struct shadow_mmu *m, uint64_t frame)
{
	return bucket(m, frame);
}

int rmap_entry_index(const struct shadow_mmu *m, uint32_t idx, uint64_t gpte_gpa)
{
	uint64_t src = m->rmap.meta[idx].src;
	uint64_t span = (uint64_t)SHADOW_ENTRIES * m->fmt->pte_size;

	if (src == NO_GPA || gpte_gpa < src || gpte_gpa - src >= span ||
	    (gpte_gpa - src) % m->fmt->pte_size)
		return -1;
	return (int)((gpte_gpa - src) / m->fmt->pte_size);
}

uint64_t rmap_src_of(const struct shadow_mmu *m, const struct guest_walk *w,
		     uint32_t vaddr)
{
	if (w->gpte_gpa == NO_GPA)
		return NO_GPA;
	/* Back from vaddr's entry to the entry of its region's first page. */
	return w->gpte_gpa - ((vaddr >> 12) % SHADOW_ENTRIES) * m->fmt->pte_size;
}
