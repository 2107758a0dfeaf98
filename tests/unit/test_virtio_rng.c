/*
 * virtio-rng as a guest's hwrng driver drives it through the PCI
 * transport, in a fake guest RAM with the request queue built here.
 */
#include <check.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"
#include "virtio_test_harness.h"

#define RAM_SIZE 0x40000u
#define MMIO_BASE 0xC0000000ull
#define MMIO_SIZE 0x100000ull
#define SLOT PCI_FIRST_FREE_SLOT
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define BUF 0x8000u
#define QSIZE 8u

static unsigned irqs_raised;
static struct vth_ring vq;

static void record_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	(void)irq;
	irqs_raised++;
}

static void setup(void)
{
	struct device_host host = { .raise_irq = record_irq };
	char err[128];

	vth_guest_init(RAM_SIZE);
	irqs_raised = 0;
	vq = (struct vth_ring){
		.desc = DESC, .avail = AVAIL, .used = USED, .size = QSIZE
	};
	vth_bus_create(host, MMIO_BASE, MMIO_SIZE);
	ck_assert_msg(virtio_rng_create(guest.bus, err, sizeof(err)) != NULL,
		      "%s", err);
}

static void teardown(void)
{
	vth_guest_destroy();
}

static const uint8_t status_ok = VIRTIO_CONFIG_S_ACKNOWLEDGE |
				 VIRTIO_CONFIG_S_DRIVER |
				 VIRTIO_CONFIG_S_FEATURES_OK;

static void driver_init(bool driver_ok)
{
	vth_negotiate(SLOT, 1ull << VIRTIO_F_VERSION_1);
	vth_queue_setup(SLOT, 0, QSIZE, DESC, AVAIL, USED);
	if (driver_ok)
		vth_set_status(SLOT, status_ok | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(!guest.fault.raised);
}

/* 64 random bytes are all zero with probability 2^-512. */
static bool all_zero(uint32_t at, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (guest.ram[at + i])
			return false;
	return true;
}

START_TEST(test_rng_is_virtio_device_4_with_one_queue)
{
	ck_assert_uint_eq(vth_cfg_read(SLOT, 0, 4), 0x10441AF4u);
	ck_assert_uint_eq(vth_cfg_read(SLOT, PCI_CLASS_REVISION, 4) >> 24,
			  0xFF);
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_DF, 4), 0);
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  1u << (VIRTIO_F_VERSION_1 - 32));
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_NUMQ, 2), 1);
}
END_TEST

START_TEST(test_request_fills_the_whole_buffer)
{
	driver_init(true);
	vth_put_desc(&vq, 5, BUF, 64, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 5);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_idx(&vq), 1);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 0), 5);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 1), 64);
	ck_assert(!all_zero(BUF, 64));
	ck_assert(all_zero(BUF + 64, 64)); /* not a byte more */
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_request_over_a_chain_fills_every_buffer)
{
	driver_init(true);
	vth_put_desc(&vq, 0, BUF, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
		     1);
	vth_put_desc(&vq, 1, BUF + 0x1000, 64, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 1), 128);
	ck_assert(!all_zero(BUF, 64));
	ck_assert(!all_zero(BUF + 0x1000, 64));
}
END_TEST

START_TEST(test_successive_requests_get_different_bytes)
{
	driver_init(true);
	vth_put_desc(&vq, 0, BUF, 64, VRING_DESC_F_WRITE, 0);
	vth_put_desc(&vq, 1, BUF + 0x100, 64, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 0);
	vth_make_avail(&vq, 1);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_idx(&vq), 2);
	ck_assert_uint_eq(irqs_raised, 1); /* one interrupt per batch */
	ck_assert(memcmp(guest.ram + BUF, guest.ram + BUF + 0x100, 64) != 0);
}
END_TEST

START_TEST(test_large_request_is_filled_up_to_the_cap)
{
	uint32_t len = VIRTIO_RNG_MAX_FILL + 0x4000;

	driver_init(true);
	vth_put_desc(&vq, 0, BUF, len, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 1), VIRTIO_RNG_MAX_FILL);
	ck_assert(!all_zero(BUF + VIRTIO_RNG_MAX_FILL - 64, 64));
	ck_assert(all_zero(BUF + VIRTIO_RNG_MAX_FILL, 64));
}
END_TEST

/* The documented choice: a harmless driver mistake, returned empty. */
START_TEST(test_chain_without_writable_buffer_comes_back_empty)
{
	memset(guest.ram + BUF, 0xAB, 16);
	driver_init(true);
	vth_put_desc(&vq, 0, BUF, 16, 0, 0);
	vth_make_avail(&vq, 0);
	vth_put_desc(&vq, 1, BUF + 0x100, 32, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 1);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_idx(&vq), 2);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 1), 0);
	ck_assert_uint_eq(guest.ram[BUF], 0xAB);
	ck_assert_uint_eq(vth_used_elem(&vq, 1, 1), 32); /* the queue goes on */
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_readable_part_of_a_chain_is_not_written)
{
	memset(guest.ram + BUF, 0xAB, 16);
	driver_init(true);
	vth_put_desc(&vq, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
	vth_put_desc(&vq, 1, BUF + 0x100, 32, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 1), 32);
	ck_assert_uint_eq(guest.ram[BUF], 0xAB);
	ck_assert_uint_eq(guest.ram[BUF + 15], 0xAB);
}
END_TEST

START_TEST(test_request_made_before_driver_ok_is_served_at_driver_ok)
{
	driver_init(false);
	vth_put_desc(&vq, 0, BUF, 64, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_idx(&vq), 0);
	vth_set_status(SLOT, status_ok | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert_uint_eq(vth_used_idx(&vq), 1);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 1), 64);
}
END_TEST

START_TEST(test_buffer_outside_ram_kills_the_guest)
{
	driver_init(true);
	vth_put_desc(&vq, 0, RAM_SIZE - 8, 64, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert(guest.fault.raised);
	ck_assert_msg(strstr(guest.fault.reason, "virtqueue rng.requestq"),
		      "reason: %s", guest.fault.reason);
	ck_assert_uint_eq(vth_used_idx(&vq), 0);
}
END_TEST

static Suite *rng_suite(void)
{
	Suite *s = suite_create("virtio_rng");
	TCase *tc = tcase_create("rng");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rng_is_virtio_device_4_with_one_queue);
	tcase_add_test(tc, test_request_fills_the_whole_buffer);
	tcase_add_test(tc, test_request_over_a_chain_fills_every_buffer);
	tcase_add_test(tc, test_successive_requests_get_different_bytes);
	tcase_add_test(tc, test_large_request_is_filled_up_to_the_cap);
	tcase_add_test(tc, test_chain_without_writable_buffer_comes_back_empty);
	tcase_add_test(tc, test_readable_part_of_a_chain_is_not_written);
	tcase_add_test(tc, test_request_made_before_driver_ok_is_served_at_driver_ok);
	tcase_add_test(tc, test_buffer_outside_ram_kills_the_guest);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rng_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
