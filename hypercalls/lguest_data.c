/*
 * struct lguest_data and the Guest's virtual memory, as the Host touches them.
 */
#include <string.h>
#include <time.h>

#include "hypercalls/lguest_internal.h"
#include "mmu/shadow_mmu.h"

void lguest_data_read(struct lguest_host *h, uint32_t off, uint32_t *val)
{
	if (!gmem_read32(h->mem, (uint64_t)h->lguest_data + off, val))
		*val = 0;
}

void lguest_data_write(struct lguest_host *h, uint32_t off, const uint32_t *val)
{
	gmem_write32(h->mem, (uint64_t)h->lguest_data + off, *val);
}

/* The Guest's clocksource reads this; lguest refreshed it at every
 * interrupt delivery. */
void lguest_write_timestamp(struct lguest_host *h)
{
	struct lguest_timespec ts;
	int64_t sec;
	int32_t nsec;

	if (!h->initialized)
		return;
	h->ops.wallclock(h->ops.opaque, &sec, &nsec);
	ts.tv_sec = (int32_t)sec;
	ts.tv_nsec = nsec;
	gmem_write(h->mem, (uint64_t)h->lguest_data + LGUEST_DATA_OFFSET(time),
		   &ts, sizeof(ts));
}

/* Guest-virtual accesses go through the guest's own page tables, a page at
 * a time, so a frame that straddles two pages lands where the guest put it. */
static bool virt_copy(struct lguest_host *h, uint32_t vaddr, void *buf,
		      unsigned len, bool user, bool write)
{
	uint8_t *p = buf;

	while (len) {
		uint32_t chunk = 4096 - (vaddr & 4095);
		uint64_t gpa;

		if (chunk > len)
			chunk = len;
		if (!mmu_guest_to_phys(h->mmu, vaddr, write, user, &gpa))
			return false;
		if (write ? !gmem_write(h->mem, gpa, p, chunk)
			  : !gmem_read(h->mem, gpa, p, chunk))
			return false;
		vaddr += chunk;
		p += chunk;
		len -= chunk;
	}
	return true;
}

bool lguest_read_virt(struct lguest_host *h, uint32_t vaddr, void *buf,
		      unsigned len, bool user)
{
	return virt_copy(h, vaddr, buf, len, user, false);
}

bool lguest_write_virt(struct lguest_host *h, uint32_t vaddr, const void *buf,
		       unsigned len, bool user)
{
	return virt_copy(h, vaddr, (void *)buf, len, user, true);
}

void lguest_host_init(struct lguest_host *h, const struct guest_memory *mem,
		      struct guest_fault *fault, struct shadow_mmu *mmu,
		      const struct lguest_host_ops *ops, uint32_t tsc_khz)
{
	/* What reset keeps starts from nothing: the caller's struct may be
	 * fresh stack. */
	memset(h, 0, sizeof(*h));
	h->mem = mem;
	h->fault = fault;
	h->mmu = mmu;
	h->ops = *ops;
	h->tsc_khz = tsc_khz;
	lguest_host_reset(h);
}

void lguest_host_reset(struct lguest_host *h)
{
	const struct guest_memory *mem = h->mem;
	struct guest_fault *fault = h->fault;
	struct shadow_mmu *mmu = h->mmu;
	struct lguest_host_ops ops = h->ops;
	uint32_t tsc_khz = h->tsc_khz, reserve_mem = h->reserve_mem;
	bool sticky_irq_pending = h->sticky_irq_pending;
	uint64_t gates_gen = h->gates_gen;

	memset(h, 0, sizeof(*h));
	h->gates_gen = gates_gen + 1;
	h->mem = mem;
	h->fault = fault;
	h->mmu = mmu;
	h->ops = ops;
	/* What the Host publishes survives a guest restart. */
	h->tsc_khz = tsc_khz;
	h->reserve_mem = reserve_mem;
	h->sticky_irq_pending = sticky_irq_pending;
	/* The segments the Guest boots with (lguest's setup_guest_gdt). */
	h->gdt[GDT_ENTRY_KERNEL_CS] = 0x00cfbb000000ffffull;
	h->gdt[GDT_ENTRY_KERNEL_DS] = 0x00cfb3000000ffffull;
}
