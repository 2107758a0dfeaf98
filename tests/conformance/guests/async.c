/*
 * async: the hypercall ring in lguest_data (hcalls[] and hcall_status[]).
 * The Host runs queued calls in ring order at the next hypercall, before
 * that hypercall, marks each slot 0xFF again, and keeps its place across
 * the ring's wrap-around.
 */
#include "runtime.h"

#define GDT_PROBE 20
#define NWORDS 200

static uint32_t words[NWORDS];

/* The probe segment's base says which LOAD_GDT_ENTRY ran last. */
static void queue_gdt_base(unsigned i)
{
	uint64_t d = seg_desc((uint32_t)&words[i], 0xFFFFF, SEG_TYPE_DATA_RW, 1);

	hcall_async(LHCALL_LOAD_GDT_ENTRY, GDT_PROBE, (uint32_t)d, (uint32_t)(d >> 32), 0);
}

static uint32_t probe_segment_word(void)
{
	uint32_t v;

	asm volatile("movl %1, %%fs\n\tmovl %%fs:0, %0\n\t" : "=r"(v) : "r"(SEG_GDT(GDT_PROBE, 1)) : "memory");
	set_fs(0);
	return v;
}

static unsigned busy_slots(void)
{
	unsigned i, n = 0;

	for (i = 0; i < LHCALL_RING_SIZE; i++)
		if (lguest_data.hcall_status[i] != 0xFF)
			n++;
	return n;
}

static void test_order(void)
{
	unsigned i;

	for (i = 0; i < 10; i++)
		queue_gdt_base(i);
	diag("%u slots queued", busy_slots());
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	is_u32(busy_slots(), 0, "FLUSH_ASYNC runs them: every status is back to 0xFF");
	is_u32(probe_segment_word(), words[9], "queued calls ran in order (the last LOAD_GDT_ENTRY won)");

	queue_gdt_base(20);
	queue_gdt_base(21);
	gdt_load(GDT_PROBE, seg_desc((uint32_t)&words[22], 0xFFFFF, SEG_TYPE_DATA_RW, 1));
	is_u32(probe_segment_word(), words[22], "queued calls run before the synchronous hypercall that flushes them");
}

static void test_wrap(void)
{
	unsigned batch, i, bad = 0;

	for (batch = 0; batch < 3; batch++) {
		for (i = 0; i < 40; i++)
			queue_gdt_base(40 + batch * 40 + i);
		hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
		if (busy_slots() != 0 || probe_segment_word() != words[40 + batch * 40 + 39])
			bad++;
	}
	is_u32(bad, 0, "three batches of 40 (the ring wraps): the Host follows the ring in order");
}

static void test_full_ring(void)
{
	unsigned i;
	int slot;

	for (i = 0; i < LHCALL_RING_SIZE; i++)
		queue_gdt_base(i % 64);
	diag("%u slots queued", busy_slots());
	slot = hcall_async(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	diag("the next call went %s", slot < 0 ? "synchronously" : "into the ring");
	if (slot >= 0)
		hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	is_u32(busy_slots(), 0, "a full ring (64 calls) is drained by the next hypercall");
	is_u32(probe_segment_word(), words[63], "in order");
}

static void test_async_set_pte(void)
{
	pgd_t *pgdir = pgdir_create();
	uint32_t va = USER_TEST_BASE, p1 = page_alloc_phys(), p2 = page_alloc_phys(), v = 0;

	*(uint32_t *)phys_to_virt(p1) = 0x1111;
	*(uint32_t *)phys_to_virt(p2) = 0x2222;
	pte_set(pgdir, va, p1 | PTE_PRESENT | PTE_RW);
	pgdir_switch(pgdir);
	probe_read32(va, &v);
	*pte_ptr(pgdir, va) = p2 | PTE_PRESENT | PTE_RW;
	hcall_async(LHCALL_SET_PTE, virt_to_phys(pgdir), va, p2 | PTE_PRESENT | PTE_RW, 0);
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	probe_read32(va, &v);
	is_u32(v, 0x2222, "a queued SET_PTE takes effect when the ring is flushed");
	pgdir_switch(boot_pgdir);
}

void guest_main(void)
{
	unsigned i;

	diag("conformance guest: async");
	for (i = 0; i < NWORDS; i++)
		words[i] = 0xA000 + i;
	irq_enable();
	test_order();
	test_wrap();
	test_full_ring();
	test_async_set_pte();
	tap_done();
}
