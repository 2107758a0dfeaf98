/*
 * The shadow MMU as a whole: creating it from the VMM's configuration,
 * resetting it for a guest restart, and what the run loop asks of it
 * (CR3, the kernel address, TLB flushes, statistics).
 */
#include "mmu/mmu_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hypercalls/lguest_abi.h"
#include "vmm/trace.h"

#define GPA_4G (1ull << 32)
#define GPA_LIMIT (1ull << 52)

static bool config_ok(const struct mmu_config *cfg, unsigned nroots)
{
	const char *why = NULL;
	uint64_t pool_bytes = (uint64_t)cfg->pool_pages * MMU_PAGE_SIZE;

	if (!cfg->mem || !cfg->fault || !cfg->pool)
		why = "mem, fault and pool are required";
	else if (cfg->mem->size > GPA_4G)
		why = "guest RAM above 4 GiB is not supported";
	else if (nroots == 0 || nroots > MMU_MAX_ROOTS)
		why = "max_roots out of range";
	else if (cfg->pool_pages <
		 nroots * MMU_PAGES_PER_ROOT + MMU_MIN_PT_PAGES)
		why = "pool too small for max_roots";
	else if ((uintptr_t)cfg->pool % MMU_PAGE_SIZE ||
		 cfg->pool_gpa % MMU_PAGE_SIZE)
		why = "pool must be page aligned";
	else if (cfg->pool_gpa < GPA_4G || cfg->pool_gpa > GPA_LIMIT ||
		 pool_bytes > GPA_LIMIT - cfg->pool_gpa)
		why = "pool GPA must lie above 4 GiB, where no guest frame reaches";
	else if (cfg->mmio_size &&
		 (cfg->mmio_base % MMU_PAGE_SIZE || cfg->mmio_size % MMU_PAGE_SIZE ||
		  cfg->mmio_base < cfg->mem->size || cfg->mmio_base > GPA_4G ||
		  cfg->mmio_size > GPA_4G - cfg->mmio_base))
		why = "MMIO window must be page aligned, above RAM and below 4 GiB";
	if (why)
		fprintf(stderr, "mmu: %s\n", why);
	return !why;
}

struct shadow_mmu *mmu_create(const struct mmu_config *cfg)
{
	unsigned nroots = cfg->max_roots ? cfg->max_roots : MMU_DEFAULT_ROOTS;
	struct shadow_mmu *m;

	if (!config_ok(cfg, nroots)) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->cfg.max_roots = nroots;
	m->fmt = cfg->pae ? &guest_format_pae : &guest_format_2level;
	m->ram_end = cfg->mem->size & ~(uint64_t)MMU_PAGE_MASK;
	m->nroots = nroots;
	m->roots = calloc(nroots, sizeof(*m->roots));
	if (!m->roots || !pool_init(&m->pool, cfg->pool, cfg->pool_gpa,
				    cfg->pool_pages) ||
	    !touch_init(m) || !rmap_init(m) || !roots_init(m)) {
		mmu_destroy(m);
		return NULL;
	}
	m->linear = true;
	return m;
}

void mmu_destroy(struct shadow_mmu *m)
{
	if (!m)
		return;
	touch_fini(m);
	rmap_fini(m);
	pool_fini(&m->pool);
	free(m->roots);
	free(m);
}

void mmu_reset(struct shadow_mmu *m)
{
	shadow_drop_all(m);
	for (unsigned i = 0; i < m->nroots; i++)
		m->roots[i].keyed = false;
	m->cur = 0;
	m->linear = true;
	m->kernel_address = 0;
	m->kernel_region = 0;
	m->tlb_flush = true;
	TRACE("mmu", "op=reset");
}

uint64_t mmu_cr3(const struct shadow_mmu *m)
{
	return pool_page_gpa(&m->pool, m->roots[m->cur].pml4);
}

void mmu_set_kernel_address(struct shadow_mmu *m, uint32_t kernel_address)
{
	unsigned shift = m->fmt->slot_shift;

	if (kernel_address == m->kernel_address)
		return;
	/* Which regions are shared changes: start again from nothing. */
	shadow_drop_all(m);
	m->kernel_address = kernel_address;
	m->kernel_region = (kernel_address >> shift) << (shift - REGION_SHIFT);
	TRACE("mmu", "op=kernel_address addr=0x%x region=%u", kernel_address,
	      m->kernel_region);
}

bool mmu_take_tlb_flush(struct shadow_mmu *m)
{
	bool flush = m->tlb_flush;

	m->tlb_flush = false;
	return flush;
}

void mmu_get_stats(const struct shadow_mmu *m, struct mmu_stats *st)
{
	*st = m->stats;
}
