/*
 * Split virtqueue, device side: rings and chains built by hand in a fake
 * guest RAM.  The RAM sits between two PROT_NONE guard pages, so any access
 * outside it crashes the test (and ASan sees it too under LGKVM_SANITIZE).
 */
#include <check.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/virtqueue.h"

#define RAM_SIZE 0x10000u
#define PAGE 4096u
#define QSIZE 8u
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define BUF_GPA 0x4000u
#define INDIRECT_GPA 0x8000u

#define F_INDIRECT (1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_RING_F_EVENT_IDX)

static uint8_t *map_base;
static size_t map_len;
static struct guest_memory mem;
static struct guest_fault fault;
static struct virtqueue vq;
static int signals;
static struct iovec iov[QSIZE];
static struct virtq_chain chain;
static uint16_t avail_idx;

static void count_signal(void *opaque)
{
	(void)opaque;
	signals++;
}

static void map_ram(uint64_t size)
{
	map_len = size + 2 * PAGE;
	map_base = mmap(NULL, map_len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ck_assert_ptr_ne(map_base, MAP_FAILED);
	ck_assert_int_eq(mprotect(map_base + PAGE, size,
				  PROT_READ | PROT_WRITE), 0);
	mem.ram = map_base + PAGE;
	mem.size = size;
}

static void setup(void)
{
	map_ram(RAM_SIZE);
	guest_fault_clear(&fault);
	signals = 0;
	avail_idx = 0;
	virtq_init(&vq, "test.q0", &mem, &fault, QSIZE, count_signal, NULL);
}

static void teardown(void)
{
	munmap(map_base, map_len);
}

static void enable(uint64_t features)
{
	ck_assert(virtq_enable(&vq, QSIZE, DESC_GPA, AVAIL_GPA, USED_GPA,
			       features));
	ck_assert(!fault.raised);
}

static void put16(uint64_t gpa, uint16_t v)
{
	memcpy(mem.ram + gpa, &v, 2);
}

static uint16_t get16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, mem.ram + gpa, 2);
	return v;
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, mem.ram + gpa, 4);
	return v;
}

static void put_desc_at(uint64_t table, unsigned i, uint64_t addr,
			uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = mem.ram + table + 16 * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	put_desc_at(DESC_GPA, i, addr, len, flags, next);
}

static void make_avail(uint16_t head)
{
	put16(AVAIL_GPA + 4 + 2 * (avail_idx % QSIZE), head);
	avail_idx++;
	put16(AVAIL_GPA + 2, avail_idx);
}

static bool pop(void)
{
	return virtq_pop(&vq, &chain, iov, QSIZE);
}

static void assert_fault(const char *needle)
{
	ck_assert_msg(fault.raised, "no guest fault raised");
	ck_assert_msg(strstr(fault.reason, needle), "reason \"%s\" lacks \"%s\"",
		      fault.reason, needle);
	ck_assert_msg(strstr(fault.reason, "virtqueue test.q0:"),
		      "reason \"%s\" does not name the queue", fault.reason);
}

START_TEST(test_pop_gives_readable_then_writable_buffers)
{
	enable(0);
	put_desc(3, BUF_GPA, 10, VRING_DESC_F_NEXT, 5);
	put_desc(5, BUF_GPA + 0x100, 20, VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA + 0x200, 30, VRING_DESC_F_WRITE, 0);
	make_avail(3);

	ck_assert(pop());
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.n_readable, 2);
	ck_assert_uint_eq(chain.n_writable, 1);
	ck_assert_uint_eq(chain.readable_len, 30);
	ck_assert_uint_eq(chain.writable_len, 30);
	ck_assert_ptr_eq(chain.readable[0].iov_base, mem.ram + BUF_GPA);
	ck_assert_uint_eq(chain.readable[1].iov_len, 20);
	ck_assert_ptr_eq(chain.writable[0].iov_base, mem.ram + BUF_GPA + 0x200);
	ck_assert(!pop()); /* nothing more available */
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_push_fills_used_ring_and_signals)
{
	enable(0);
	put_desc(2, BUF_GPA, 64, VRING_DESC_F_WRITE, 0);
	make_avail(2);
	ck_assert(pop());
	virtq_push(&vq, chain.head, 17);

	ck_assert_uint_eq(get16(USED_GPA + 2), 1);
	ck_assert_uint_eq(get32(USED_GPA + 4), 2);
	ck_assert_uint_eq(get32(USED_GPA + 8), 17);
	ck_assert_int_eq(signals, 0); /* only virtq_signal interrupts */
	virtq_signal(&vq);
	ck_assert_int_eq(signals, 1);
	virtq_signal(&vq); /* nothing new used: no second interrupt */
	ck_assert_int_eq(signals, 1);
}
END_TEST

START_TEST(test_avail_no_interrupt_flag_suppresses_signal)
{
	enable(0);
	put16(AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	put_desc(0, BUF_GPA, 8, 0, 0);
	make_avail(0);
	ck_assert(pop());
	virtq_push(&vq, chain.head, 0);
	virtq_signal(&vq);
	ck_assert_int_eq(signals, 0);
	ck_assert_uint_eq(get16(USED_GPA + 2), 1);
}
END_TEST

START_TEST(test_event_idx_signals_only_when_used_event_is_crossed)
{
	enable(F_EVENT_IDX);
	for (unsigned i = 0; i < 4; i++)
		put_desc(i, BUF_GPA + 0x100 * i, 8, 0, 0);
	/* used_event sits after the avail ring: interrupt me after entry 2 */
	put16(AVAIL_GPA + 4 + 2 * QSIZE, 2);
	for (unsigned i = 0; i < 4; i++)
		make_avail((uint16_t)i);

	ck_assert(pop());
	virtq_push(&vq, chain.head, 0); /* used idx 1: first signal is free */
	virtq_signal(&vq);
	ck_assert_int_eq(signals, 1);
	ck_assert(pop());
	virtq_push(&vq, chain.head, 0); /* used idx 2: event 2 not crossed */
	virtq_signal(&vq);
	ck_assert_int_eq(signals, 1);
	ck_assert(pop());
	virtq_push(&vq, chain.head, 0); /* used idx 3: entry 2 now used */
	virtq_signal(&vq);
	ck_assert_int_eq(signals, 2);
}
END_TEST

START_TEST(test_event_idx_pop_publishes_avail_event)
{
	uint64_t avail_event = USED_GPA + 4 + 8 * QSIZE;

	enable(F_EVENT_IDX);
	put_desc(0, BUF_GPA, 8, 0, 0);
	put_desc(1, BUF_GPA, 8, 0, 0);
	make_avail(0);
	make_avail(1);
	ck_assert(pop());
	ck_assert_uint_eq(get16(avail_event), 1);
	ck_assert(pop());
	ck_assert(!pop());
	/* Empty: the guest must kick when it adds entry 2. */
	ck_assert_uint_eq(get16(avail_event), 2);
}
END_TEST

START_TEST(test_unpop_gives_the_chain_back)
{
	enable(0);
	put_desc(4, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	make_avail(4);
	ck_assert(pop());
	virtq_unpop(&vq);
	ck_assert(virtq_has_avail(&vq));
	ck_assert(pop());
	ck_assert_uint_eq(chain.head, 4);
}
END_TEST

START_TEST(test_indirect_table_is_walked_when_negotiated)
{
	enable(F_INDIRECT);
	put_desc_at(INDIRECT_GPA, 0, BUF_GPA, 12, VRING_DESC_F_NEXT, 1);
	put_desc_at(INDIRECT_GPA, 1, BUF_GPA + 0x40, 1,
		    VRING_DESC_F_WRITE, 0);
	put_desc(6, INDIRECT_GPA, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	make_avail(6);

	ck_assert(pop());
	ck_assert(!fault.raised);
	ck_assert_uint_eq(chain.head, 6);
	ck_assert_uint_eq(chain.n_readable, 1);
	ck_assert_uint_eq(chain.n_writable, 1);
	ck_assert_ptr_eq(chain.writable[0].iov_base, mem.ram + BUF_GPA + 0x40);
}
END_TEST

/* Hostile guests: each case kills the guest and leaves the queue idle. */

START_TEST(test_descriptor_outside_ram_faults)
{
	enable(0);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT, 7);
	put_desc(7, RAM_SIZE - 4, 8, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("descriptor 7 points outside RAM");
	ck_assert(!virtq_ready(&vq));
	ck_assert(!pop());
}
END_TEST

START_TEST(test_descriptor_length_near_4gib_faults)
{
	enable(0);
	put_desc(0, BUF_GPA, 0xFFFFFFF0u, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("outside RAM");
}
END_TEST

START_TEST(test_descriptor_address_wrapping_64_bits_faults)
{
	enable(0);
	put_desc(0, 0xFFFFFFFFFFFFFF00ull, 0x200, 0, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("outside RAM");
}
END_TEST

START_TEST(test_looping_chain_faults)
{
	enable(0);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA, 8, VRING_DESC_F_NEXT, 2);
	put_desc(2, BUF_GPA, 8, VRING_DESC_F_NEXT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("loop");
}
END_TEST

START_TEST(test_self_referencing_descriptor_faults)
{
	enable(0);
	put_desc(5, BUF_GPA, 8, VRING_DESC_F_NEXT, 5);
	make_avail(5);
	ck_assert(!pop());
	assert_fault("loop");
}
END_TEST

START_TEST(test_next_index_beyond_queue_faults)
{
	enable(0);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT, QSIZE);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("next 8 is not below 8");
}
END_TEST

START_TEST(test_avail_entry_beyond_queue_faults)
{
	enable(0);
	make_avail(0xFFFF);
	ck_assert(!pop());
	assert_fault("names descriptor 65535");
}
END_TEST

START_TEST(test_avail_index_running_ahead_faults)
{
	enable(0);
	put16(AVAIL_GPA + 2, QSIZE + 1);
	ck_assert(!pop());
	assert_fault("runs 9 entries ahead");
}
END_TEST

START_TEST(test_readable_after_writable_faults)
{
	enable(0);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA, 8, 0, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("device-readable after a device-writable");
}
END_TEST

START_TEST(test_chain_over_4gib_in_total_faults)
{
	/* Each buffer is inside a 2 GiB RAM (never touched: MAP_NORESERVE),
	 * but together they exceed what a used length can say. */
	teardown();
	map_ram(0x80000000ull);
	virtq_init(&vq, "test.q0", &mem, &fault, QSIZE, count_signal, NULL);
	enable(0);
	put_desc(0, 0x10000, 0x7FFF0000u, VRING_DESC_F_NEXT, 1);
	put_desc(1, 0x10000, 0x7FFF0000u, VRING_DESC_F_NEXT, 2);
	put_desc(2, 0x10000, 0x7FFF0000u, 0, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("more than 4 GiB");
}
END_TEST

START_TEST(test_indirect_without_negotiation_faults)
{
	enable(0);
	put_desc(0, INDIRECT_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("INDIRECT_DESC was not negotiated");
}
END_TEST

START_TEST(test_nested_indirect_faults)
{
	enable(F_INDIRECT);
	put_desc_at(INDIRECT_GPA, 0, INDIRECT_GPA + 0x100, 16,
		    VRING_DESC_F_INDIRECT, 0);
	put_desc_at(INDIRECT_GPA + 0x100, 0, BUF_GPA, 8, 0, 0);
	put_desc(0, INDIRECT_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("nests another indirect table");
}
END_TEST

START_TEST(test_indirect_table_outside_ram_faults)
{
	enable(F_INDIRECT);
	put_desc(0, RAM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("indirect table 0xfff0+0x20 lies outside RAM");
}
END_TEST

START_TEST(test_indirect_table_bad_length_faults)
{
	enable(F_INDIRECT);
	put_desc(0, INDIRECT_GPA, 24, VRING_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("indirect table length 24");
}
END_TEST

START_TEST(test_indirect_table_longer_than_queue_faults)
{
	enable(F_INDIRECT);
	put_desc(0, INDIRECT_GPA, 16 * (QSIZE + 1), VRING_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("indirect table length");
}
END_TEST

START_TEST(test_indirect_loop_faults)
{
	enable(F_INDIRECT);
	put_desc_at(INDIRECT_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	put_desc_at(INDIRECT_GPA, 1, BUF_GPA, 8, VRING_DESC_F_NEXT, 0);
	put_desc(0, INDIRECT_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("loop");
}
END_TEST

START_TEST(test_indirect_with_next_faults)
{
	enable(F_INDIRECT);
	put_desc(0, INDIRECT_GPA, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT,
		 1);
	make_avail(0);
	ck_assert(!pop());
	assert_fault("indirect and has NEXT");
}
END_TEST

START_TEST(test_ring_outside_ram_faults_on_enable)
{
	ck_assert(!virtq_enable(&vq, QSIZE, DESC_GPA, AVAIL_GPA,
				RAM_SIZE - 16, 0));
	assert_fault("used ring at 0xfff0");
	ck_assert(!virtq_ready(&vq));
	ck_assert(!pop());
}
END_TEST

START_TEST(test_ring_above_4gib_faults_on_enable)
{
	ck_assert(!virtq_enable(&vq, QSIZE, 0x100000000ull + DESC_GPA,
				AVAIL_GPA, USED_GPA, 0));
	assert_fault("descriptor table at 0x100001000");
}
END_TEST

START_TEST(test_misaligned_ring_faults_on_enable)
{
	ck_assert(!virtq_enable(&vq, QSIZE, DESC_GPA + 8, AVAIL_GPA, USED_GPA,
				0));
	assert_fault("not 16-byte aligned");
}
END_TEST

START_TEST(test_queue_size_not_power_of_two_faults_on_enable)
{
	ck_assert(!virtq_enable(&vq, 6, DESC_GPA, AVAIL_GPA, USED_GPA, 0));
	assert_fault("size 6 is not a power of two <= 8");
}
END_TEST

START_TEST(test_queue_size_above_max_faults_on_enable)
{
	ck_assert(!virtq_enable(&vq, 16, DESC_GPA, AVAIL_GPA, USED_GPA, 0));
	assert_fault("size 16");
}
END_TEST

START_TEST(test_reset_forgets_the_rings)
{
	enable(0);
	put_desc(0, BUF_GPA, 8, 0, 0);
	make_avail(0);
	virtq_reset(&vq);
	ck_assert(!virtq_ready(&vq));
	ck_assert(!virtq_has_avail(&vq));
	ck_assert(!pop());
	ck_assert(!fault.raised);
}
END_TEST

static Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *ok = tcase_create("split ring");
	TCase *bad = tcase_create("hostile guest");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, test_pop_gives_readable_then_writable_buffers);
	tcase_add_test(ok, test_push_fills_used_ring_and_signals);
	tcase_add_test(ok, test_avail_no_interrupt_flag_suppresses_signal);
	tcase_add_test(ok, test_event_idx_signals_only_when_used_event_is_crossed);
	tcase_add_test(ok, test_event_idx_pop_publishes_avail_event);
	tcase_add_test(ok, test_unpop_gives_the_chain_back);
	tcase_add_test(ok, test_indirect_table_is_walked_when_negotiated);
	tcase_add_test(ok, test_reset_forgets_the_rings);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(bad, test_descriptor_outside_ram_faults);
	tcase_add_test(bad, test_descriptor_length_near_4gib_faults);
	tcase_add_test(bad, test_descriptor_address_wrapping_64_bits_faults);
	tcase_add_test(bad, test_looping_chain_faults);
	tcase_add_test(bad, test_self_referencing_descriptor_faults);
	tcase_add_test(bad, test_next_index_beyond_queue_faults);
	tcase_add_test(bad, test_avail_entry_beyond_queue_faults);
	tcase_add_test(bad, test_avail_index_running_ahead_faults);
	tcase_add_test(bad, test_readable_after_writable_faults);
	tcase_add_test(bad, test_chain_over_4gib_in_total_faults);
	tcase_add_test(bad, test_indirect_without_negotiation_faults);
	tcase_add_test(bad, test_nested_indirect_faults);
	tcase_add_test(bad, test_indirect_table_outside_ram_faults);
	tcase_add_test(bad, test_indirect_table_bad_length_faults);
	tcase_add_test(bad, test_indirect_table_longer_than_queue_faults);
	tcase_add_test(bad, test_indirect_loop_faults);
	tcase_add_test(bad, test_indirect_with_next_faults);
	tcase_add_test(bad, test_ring_outside_ram_faults_on_enable);
	tcase_add_test(bad, test_ring_above_4gib_faults_on_enable);
	tcase_add_test(bad, test_misaligned_ring_faults_on_enable);
	tcase_add_test(bad, test_queue_size_not_power_of_two_faults_on_enable);
	tcase_add_test(bad, test_queue_size_above_max_faults_on_enable);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(virtqueue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
