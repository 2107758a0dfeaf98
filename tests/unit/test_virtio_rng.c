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

#define RAM_SIZE 0x40000u
#define MMIO_BASE 0xC0000000ull
#define MMIO_SIZE 0x100000ull
#define SLOT PCI_FIRST_FREE_SLOT
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define BUF 0x8000u
#define QSIZE 8u

static uint8_t *ram;
static struct guest_memory mem;
static struct guest_fault fault;
static struct pci_bus *bus;
static unsigned irqs_raised;
static uint16_t avail_idx;

static void record_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	(void)irq;
	irqs_raised++;
}

static void setup(void)
{
	struct device_host host = {
		.mem = &mem, .fault = &fault, .raise_irq = record_irq,
	};
	char err[128];

	ram = calloc(1, RAM_SIZE);
	mem.ram = ram;
	mem.size = RAM_SIZE;
	guest_fault_clear(&fault);
	irqs_raised = 0;
	avail_idx = 0;
	bus = pci_bus_create(&host, MMIO_BASE, MMIO_SIZE);
	ck_assert_ptr_nonnull(bus);
	ck_assert_msg(virtio_rng_create(bus, err, sizeof(err)) != NULL, "%s",
		      err);
}

static void teardown(void)
{
	pci_bus_destroy(bus);
	free(ram);
}

static uint32_t read_pci_config(unsigned slot, unsigned off)
{
	uint32_t addr = 0x80000000u | slot << 11 | off;
	uint8_t b[4];

	memcpy(b, &addr, 4);
	ck_assert(pci_bus_io(bus, 0xCF8, true, b, 4));
	ck_assert(pci_bus_io(bus, 0xCFC, false, b, 4));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static uint64_t bar0(void)
{
	return read_pci_config(SLOT, PCI_BASE_ADDRESS_0) & ~0xFu;
}

static void common_write(unsigned off, unsigned len, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	ck_assert(pci_bus_mmio(bus, bar0() + off, true, b, len));
}

static uint32_t common_read(unsigned off, unsigned len)
{
	uint8_t b[4] = { 0 };

	ck_assert(pci_bus_mmio(bus, bar0() + off, false, b, len));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static const uint8_t status_ok = VIRTIO_CONFIG_S_ACKNOWLEDGE |
				 VIRTIO_CONFIG_S_DRIVER |
				 VIRTIO_CONFIG_S_FEATURES_OK;

static void driver_init(bool driver_ok)
{
	common_write(VIRTIO_PCI_COMMON_STATUS, 1, 0);
	common_write(VIRTIO_PCI_COMMON_STATUS, 1,
		     VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	common_write(VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	common_write(VIRTIO_PCI_COMMON_GF, 4, 1u << (VIRTIO_F_VERSION_1 - 32));
	common_write(VIRTIO_PCI_COMMON_STATUS, 1, status_ok);
	ck_assert(common_read(VIRTIO_PCI_COMMON_STATUS, 1) &
		  VIRTIO_CONFIG_S_FEATURES_OK);
	common_write(VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	common_write(VIRTIO_PCI_COMMON_Q_SIZE, 2, QSIZE);
	common_write(VIRTIO_PCI_COMMON_Q_DESCLO, 4, DESC);
	common_write(VIRTIO_PCI_COMMON_Q_AVAILLO, 4, AVAIL);
	common_write(VIRTIO_PCI_COMMON_Q_USEDLO, 4, USED);
	common_write(VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	if (driver_ok)
		common_write(VIRTIO_PCI_COMMON_STATUS, 1,
			     status_ok | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(!fault.raised);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *p = ram + DESC + 16 * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void make_avail(uint16_t head)
{
	memcpy(ram + AVAIL + 4 + 2 * (avail_idx % QSIZE), &head, 2);
	avail_idx++;
	memcpy(ram + AVAIL + 2, &avail_idx, 2);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	memcpy(&v, ram + USED + 2, 2);
	return v;
}

static uint32_t used_elem(unsigned i, unsigned field)
{
	uint32_t v;

	memcpy(&v, ram + USED + 4 + 8 * i + 4 * field, 4);
	return v;
}

static void kick(void)
{
	common_write(VIRTIO_PCI_BAR_NOTIFY, 2, 0);
}

/* 64 random bytes are all zero with probability 2^-512. */
static bool all_zero(uint32_t at, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (ram[at + i])
			return false;
	return true;
}

START_TEST(test_rng_is_virtio_device_4_with_one_queue)
{
	ck_assert_uint_eq(read_pci_config(SLOT, 0), 0x10441AF4u);
	ck_assert_uint_eq(read_pci_config(SLOT, PCI_CLASS_REVISION) >> 24,
			  0xFF);
	common_write(VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_eq(common_read(VIRTIO_PCI_COMMON_DF, 4), 0);
	common_write(VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(common_read(VIRTIO_PCI_COMMON_DF, 4),
			  1u << (VIRTIO_F_VERSION_1 - 32));
	ck_assert_uint_eq(common_read(VIRTIO_PCI_COMMON_NUMQ, 2), 1);
}
END_TEST

START_TEST(test_request_fills_the_whole_buffer)
{
	driver_init(true);
	put_desc(5, BUF, 64, VRING_DESC_F_WRITE, 0);
	make_avail(5);
	kick();
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(used_elem(0, 0), 5);
	ck_assert_uint_eq(used_elem(0, 1), 64);
	ck_assert(!all_zero(BUF, 64));
	ck_assert(all_zero(BUF + 64, 64)); /* not a byte more */
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_request_over_a_chain_fills_every_buffer)
{
	driver_init(true);
	put_desc(0, BUF, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF + 0x1000, 64, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	kick();
	ck_assert_uint_eq(used_elem(0, 1), 128);
	ck_assert(!all_zero(BUF, 64));
	ck_assert(!all_zero(BUF + 0x1000, 64));
}
END_TEST

START_TEST(test_successive_requests_get_different_bytes)
{
	driver_init(true);
	put_desc(0, BUF, 64, VRING_DESC_F_WRITE, 0);
	put_desc(1, BUF + 0x100, 64, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	make_avail(1);
	kick();
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_eq(irqs_raised, 1); /* one interrupt per batch */
	ck_assert(memcmp(ram + BUF, ram + BUF + 0x100, 64) != 0);
}
END_TEST

START_TEST(test_large_request_is_filled_up_to_the_cap)
{
	uint32_t len = VIRTIO_RNG_MAX_FILL + 0x4000;

	driver_init(true);
	put_desc(0, BUF, len, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	kick();
	ck_assert_uint_eq(used_elem(0, 1), VIRTIO_RNG_MAX_FILL);
	ck_assert(!all_zero(BUF + VIRTIO_RNG_MAX_FILL - 64, 64));
	ck_assert(all_zero(BUF + VIRTIO_RNG_MAX_FILL, 64));
}
END_TEST

/* The documented choice: a harmless driver mistake, returned empty. */
START_TEST(test_chain_without_writable_buffer_comes_back_empty)
{
	memset(ram + BUF, 0xAB, 16);
	driver_init(true);
	put_desc(0, BUF, 16, 0, 0);
	make_avail(0);
	put_desc(1, BUF + 0x100, 32, VRING_DESC_F_WRITE, 0);
	make_avail(1);
	kick();
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_eq(used_elem(0, 1), 0);
	ck_assert_uint_eq(ram[BUF], 0xAB);
	ck_assert_uint_eq(used_elem(1, 1), 32); /* the queue goes on */
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_readable_part_of_a_chain_is_not_written)
{
	memset(ram + BUF, 0xAB, 16);
	driver_init(true);
	put_desc(0, BUF, 16, VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF + 0x100, 32, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	kick();
	ck_assert_uint_eq(used_elem(0, 1), 32);
	ck_assert_uint_eq(ram[BUF], 0xAB);
	ck_assert_uint_eq(ram[BUF + 15], 0xAB);
}
END_TEST

START_TEST(test_request_made_before_driver_ok_is_served_at_driver_ok)
{
	driver_init(false);
	put_desc(0, BUF, 64, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	kick();
	ck_assert_uint_eq(used_idx(), 0);
	common_write(VIRTIO_PCI_COMMON_STATUS, 1,
		     status_ok | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(used_elem(0, 1), 64);
}
END_TEST

START_TEST(test_buffer_outside_ram_kills_the_guest)
{
	driver_init(true);
	put_desc(0, RAM_SIZE - 8, 64, VRING_DESC_F_WRITE, 0);
	make_avail(0);
	kick();
	ck_assert(fault.raised);
	ck_assert_msg(strstr(fault.reason, "virtqueue rng.requestq"),
		      "reason: %s", fault.reason);
	ck_assert_uint_eq(used_idx(), 0);
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
