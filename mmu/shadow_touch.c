/*
 * Every write to a shadow entry after the vCPU first ran goes through
 * shadow_set(), which remembers where it wrote.
 *
 * Why: an engine without EPT/NPT (kvm_pvm here, or KVM with shadow paging)
 * keeps its own shadow of *our* tables and only notices writes the vCPU makes;
 * the VMM writes through its host mapping, which the engine never sees.  So
 * before the guest runs again the trampoline rewrites each entry we touched
 * (mmu_take_touched hands them out), and reloads CR3.
 *
 * The log is deduplicated with one bit per pool entry, so it never holds more
 * than one address per entry of the pool.
 */
#include "mmu/mmu_internal.h"

#include <stdlib.h>
#include <string.h>

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"

#define TOUCH_INITIAL 1024

bool touch_init(struct shadow_mmu *m)
{
	struct touch_log *t = &m->touch;
	size_t entries = (size_t)m->pool.pages * SHADOW_ENTRIES;

	if (!m->cfg.touch_log)
		return true;
	t->logged = calloc((entries + 63) / 64, sizeof(uint64_t));
	t->gpa = malloc(TOUCH_INITIAL * sizeof(*t->gpa));
	t->cap = TOUCH_INITIAL;
	t->head = t->n = 0;
	return t->logged && t->gpa;
}

void touch_fini(struct shadow_mmu *m)
{
	free(m->touch.logged);
	free(m->touch.gpa);
	m->touch.logged = NULL;
	m->touch.gpa = NULL;
}

static void touch_log(struct shadow_mmu *m, size_t slot)
{
	struct touch_log *t = &m->touch;
	uint64_t bit = 1ull << (slot % 64);

	if (t->logged[slot / 64] & bit)
		return;
	if (t->n == t->cap && t->head) {
		memmove(t->gpa, t->gpa + t->head, (t->n - t->head) * sizeof(*t->gpa));
		t->n -= t->head;
		t->head = 0;
	}
	if (t->n == t->cap) {
		uint64_t *grown = realloc(t->gpa, 2 * t->cap * sizeof(*t->gpa));

		if (!grown) {
			/* Host out of memory: a stale engine shadow would be
			 * worse than stopping the guest. */
			guest_fault_raise(m->cfg.fault,
					  "out of host memory logging shadow page-table writes");
			return;
		}
		t->gpa = grown;
		t->cap *= 2;
	}
	t->logged[slot / 64] |= bit;
	t->gpa[t->n++] = m->pool.gpa + slot * sizeof(uint64_t);
}

void shadow_set(struct shadow_mmu *m, uint64_t *entry, uint64_t val)
{
	uint64_t old = *entry;
	const uint64_t grow = PTE_RW | PTE_DIRTY;

	if (old == val)
		return;
	/* Anything but a clean page turning writable may be in a TLB. */
	if ((old & PTE_PRESENT) &&
	    ((val & ~grow) != (old & ~grow) || (val & old) != old))
		m->tlb_flush = true;
	*entry = val;
	if (m->cfg.touch_log)
		touch_log(m, (size_t)(entry - pool_table(&m->pool, 0)));
}

void shadow_clear_page(struct shadow_mmu *m, uint32_t idx)
{
	uint64_t *t = pool_table(&m->pool, idx);

	for (unsigned i = 0; i < SHADOW_ENTRIES; i++)
		if (t[i])
			shadow_set(m, &t[i], 0);
}

size_t mmu_take_touched(struct shadow_mmu *m, uint64_t *va, size_t max,
			uint64_t va_offset, uint64_t *flush)
{
	struct touch_log *t = &m->touch;
	size_t k = 0;

	for (; t->gpa && k < max && t->head < t->n; k++) {
		uint64_t gpa = t->gpa[t->head++];
		size_t slot = (gpa - m->pool.gpa) / sizeof(uint64_t);

		t->logged[slot / 64] &= ~(1ull << (slot % 64));
		va[k] = gpa + va_offset;
	}
	if (t->head == t->n)
		t->head = t->n = 0;
	if (m->tlb_flush) {
		*flush = 1;
		m->tlb_flush = false;
	}
	return k;
}

size_t mmu_touched_pending(const struct shadow_mmu *m)
{
	return m->touch.n - m->touch.head;
}
