/*
 * PCI bus 0 through configuration mechanism #1 (ports 0xCF8/0xCFC) and the
 * virtio-pci modern transport through MMIO, as a guest drives them.  The
 * transport is exercised with a small fake device defined here: a device is
 * only a table of operations.
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
#include "virtio_test_harness.h"

#define RAM_SIZE 0x20000u
#define MMIO_BASE 0xE0000000ull
#define MMIO_SIZE 0x100000ull
#define FAKE_SLOT 3
#define FAKE_QSIZE 16
#define FAKE_FEATURES (1ull << 5 | 1ull << VIRTIO_RING_F_EVENT_IDX)
#define VERSION_1 (1ull << VIRTIO_F_VERSION_1)

static unsigned irqs_raised, last_irq;

/* ---- the fake device ---- */

struct fake_dev {
	uint8_t config[8];
	unsigned notified[2];
	unsigned resets;
	unsigned driver_oks;
	bool destroyed;
};

static struct fake_dev *fake;
static struct virtio_pci *fake_vp;

static void fake_config_read(void *dev, unsigned off, uint8_t *data,
			     unsigned len)
{
	memcpy(data, ((struct fake_dev *)dev)->config + off, len);
}

static void fake_config_write(void *dev, unsigned off, const uint8_t *data,
			      unsigned len)
{
	memcpy(((struct fake_dev *)dev)->config + off, data, len);
}

static void fake_queue_notify(void *dev, unsigned index)
{
	((struct fake_dev *)dev)->notified[index]++;
}

static void fake_reset(void *dev)
{
	((struct fake_dev *)dev)->resets++;
}

static void fake_driver_ok(void *dev)
{
	((struct fake_dev *)dev)->driver_oks++;
}

static void fake_destroy(void *dev)
{
	free(dev);
}

static const struct virtio_device_ops fake_ops = {
	.name = "fake",
	.device_id = 4, /* rng */
	.pci_class = 0xFF0000,
	.features = FAKE_FEATURES,
	.num_queues = 2,
	.queue_max_size = FAKE_QSIZE,
	.config_size = 8,
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.queue_notify = fake_queue_notify,
	.driver_ok = fake_driver_ok,
	.reset = fake_reset,
	.destroy = fake_destroy,
};

/* ---- the guest's side ---- */

static void record_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	irqs_raised++;
	last_irq = irq;
}

static void setup(void)
{
	struct device_host host = { .raise_irq = record_irq, .opaque = NULL };

	vth_guest_init(RAM_SIZE);
	irqs_raised = last_irq = 0;
	vth_bus_create(host, MMIO_BASE, MMIO_SIZE);
	fake = calloc(1, sizeof(*fake));
	memcpy(fake->config, "fakecfg!", 8);
	fake_vp = virtio_pci_create(guest.bus, FAKE_SLOT, &fake_ops, fake);
	ck_assert_ptr_nonnull(fake_vp);
}

static void teardown(void)
{
	vth_guest_destroy();
}

static void negotiate(uint64_t features)
{
	vth_set_status(FAKE_SLOT,
		       VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vth_write_driver_features(FAKE_SLOT, features);
	vth_set_status(FAKE_SLOT,
		       vth_status(FAKE_SLOT) | VIRTIO_CONFIG_S_FEATURES_OK);
}

static void setup_queue(unsigned q, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	vth_queue_setup(FAKE_SLOT, q, 8, desc, avail, used);
}

static void driver_ok(void)
{
	vth_set_status(FAKE_SLOT,
		       vth_status(FAKE_SLOT) | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Walks the capability list as Linux does; returns the offset of the
 * virtio capability of `type`, 0 when absent. */
static unsigned find_virtio_cap(unsigned dev, uint8_t type)
{
	unsigned pos = vth_cfg_read(dev, PCI_CAPABILITY_LIST, 1), ttl = 48;

	while (pos && ttl--) {
		if (vth_cfg_read(dev, pos + PCI_CAP_LIST_ID, 1) ==
			    PCI_CAP_ID_VNDR &&
		    vth_cfg_read(dev, pos + VIRTIO_PCI_CAP_CFG_TYPE, 1) == type)
			return pos;
		pos = vth_cfg_read(dev, pos + PCI_CAP_LIST_NEXT, 1);
	}
	return 0;
}

/* ---- configuration mechanism #1 ---- */

START_TEST(test_config_address_latch_reads_back)
{
	vth_out(0xCF8, 4, 0x80001804u);
	ck_assert_uint_eq(vth_in(0xCF8, 4), 0x80001804u);
	/* Linux's type 1 probe: byte write at 0xCFB, then dword check. */
	vth_out(0xCFB, 1, 0x01);
	ck_assert_uint_eq(vth_in(0xCF8, 4), 0x01001804u);
	vth_out(0xCF8, 4, 0x80000000u);
	ck_assert_uint_eq(vth_in(0xCF8, 4), 0x80000000u);
	ck_assert_uint_eq(vth_in(0xCFA, 2), 0x8000);
}
END_TEST

START_TEST(test_host_bridge_at_00_00_0)
{
	uint32_t id = vth_cfg_read(0, PCI_VENDOR_ID, 4);

	ck_assert_uint_ne(id & 0xFFFF, 0xFFFF);
	ck_assert_uint_ne(id & 0xFFFF, 0);
	ck_assert_uint_eq(vth_cfg_read(0, PCI_CLASS_DEVICE, 2), 0x0600);
	ck_assert_uint_eq(vth_cfg_read(0, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(vth_cfg_read(0, PCI_INTERRUPT_LINE, 1), 0);
}
END_TEST

START_TEST(test_absent_devices_read_all_ones)
{
	ck_assert_uint_eq(vth_cfg_read(7, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	ck_assert_uint_eq(vth_cfg_read(7, PCI_VENDOR_ID, 2), 0xFFFF);
	ck_assert_uint_eq(vth_cfg_read(7, PCI_HEADER_TYPE, 1), 0xFF);
	/* function 1 and bus 1 of present slots are absent too */
	vth_out(0xCF8, 4, 0x80000000u | FAKE_SLOT << 11 | 1 << 8);
	ck_assert_uint_eq(vth_in(0xCFC, 4), 0xFFFFFFFFu);
	vth_out(0xCF8, 4, 0x80000000u | 1 << 16 | FAKE_SLOT << 11);
	ck_assert_uint_eq(vth_in(0xCFC, 4), 0xFFFFFFFFu);
	/* enable bit clear: no configuration cycle at all */
	vth_out(0xCF8, 4, FAKE_SLOT << 11);
	ck_assert_uint_eq(vth_in(0xCFC, 4), 0xFFFFFFFFu);
	/* writes to absent devices go nowhere */
	vth_cfg_write(7, PCI_COMMAND, 2, 0xFFFF);
	ck_assert_uint_eq(vth_cfg_read(7, PCI_COMMAND, 2), 0xFFFF);
}
END_TEST

START_TEST(test_virtio_device_identity)
{
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_VENDOR_ID, 4),
			  (0x1040u + 4) << 16 | 0x1AF4);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_CLASS_DEVICE, 2), 0xFF00);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_SUBSYSTEM_ID, 2), 0x40);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_HEADER_TYPE, 1), 0);
	ck_assert(vth_cfg_read(FAKE_SLOT, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
}
END_TEST

START_TEST(test_byte_and_word_reads_agree_with_dword)
{
	for (unsigned reg = 0; reg < 0x60; reg += 4) {
		uint32_t d = vth_cfg_read(FAKE_SLOT, reg, 4);

		for (unsigned b = 0; b < 4; b++)
			ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, reg + b, 1),
					  (d >> (8 * b)) & 0xFF);
		ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, reg, 2), d & 0xFFFF);
		ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, reg + 2, 2), d >> 16);
	}
}
END_TEST

START_TEST(test_capability_list_holds_every_virtio_structure)
{
	static const struct {
		uint8_t type;
		uint32_t offset, length;
	} want[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_BAR_COMMON, 56 },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_BAR_NOTIFY, 2 },
		{ VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_BAR_ISR, 1 },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_BAR_DEVICE, 8 },
		{ VIRTIO_PCI_CAP_PCI_CFG, 0, 0 },
	};

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned cap = find_virtio_cap(FAKE_SLOT, want[i].type);

		ck_assert_msg(cap >= 0x40 && cap % 4 == 0, "cap type %u at %u",
			      want[i].type, cap);
		ck_assert_uint_eq(
			vth_cfg_read(FAKE_SLOT, cap + VIRTIO_PCI_CAP_BAR, 1),
			0);
		ck_assert_uint_eq(
			vth_cfg_read(FAKE_SLOT, cap + VIRTIO_PCI_CAP_OFFSET, 4),
			want[i].offset);
		ck_assert_uint_eq(
			vth_cfg_read(FAKE_SLOT, cap + VIRTIO_PCI_CAP_LENGTH, 4),
			want[i].length);
	}
	ck_assert_uint_eq(
		vth_cfg_read(
			FAKE_SLOT,
			find_virtio_cap(FAKE_SLOT, VIRTIO_PCI_CAP_NOTIFY_CFG) +
				VIRTIO_PCI_NOTIFY_CAP_MULT,
			4),
		0);
}
END_TEST

START_TEST(test_bar0_sizing_reads_back_size_and_restores)
{
	uint32_t orig = vth_cfg_read(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4);

	ck_assert(orig >= MMIO_BASE && orig < MMIO_BASE + MMIO_SIZE);
	ck_assert_uint_eq(orig & 0xFFF, 0); /* memory, 32-bit, page aligned */
	vth_cfg_write(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFFu);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4),
			  0xFFFFF000u);
	vth_cfg_write(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4, orig);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4), orig);
	/* unimplemented BARs and the ROM BAR size to zero */
	vth_cfg_write(FAKE_SLOT, PCI_BASE_ADDRESS_1, 4, 0xFFFFFFFFu);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_BASE_ADDRESS_1, 4), 0);
	vth_cfg_write(FAKE_SLOT, PCI_ROM_ADDRESS, 4, 0xFFFFFFFEu);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_ROM_ADDRESS, 4), 0);
}
END_TEST

START_TEST(test_interrupt_line_is_the_guest_irq_and_read_only)
{
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_INTERRUPT_LINE, 1),
			  FAKE_SLOT);
	vth_cfg_write(FAKE_SLOT, PCI_INTERRUPT_LINE, 1, 9);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_INTERRUPT_LINE, 1),
			  FAKE_SLOT);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_INTERRUPT_PIN, 1), 0);
}
END_TEST

START_TEST(test_read_only_registers_ignore_writes)
{
	vth_cfg_write(FAKE_SLOT, PCI_VENDOR_ID, 4, 0x12345678);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_VENDOR_ID, 2), 0x1AF4);
	vth_cfg_write(FAKE_SLOT, PCI_CLASS_REVISION, 4, 0);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_REVISION_ID, 1), 1);
	/* but cache line size and latency timer are Linux's to set */
	vth_cfg_write(FAKE_SLOT, PCI_CACHE_LINE_SIZE, 2, 0x4010);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_CACHE_LINE_SIZE, 2),
			  0x4010);
}
END_TEST

START_TEST(test_moved_bar_decodes_at_its_new_address_only)
{
	uint32_t old = (uint32_t)vth_bar0(FAKE_SLOT);
	uint32_t moved = (uint32_t)(MMIO_BASE + MMIO_SIZE - 0x1000);
	uint8_t b[1];

	vth_cfg_write(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4, moved);
	ck_assert(!pci_bus_mmio(guest.bus, old + VIRTIO_PCI_COMMON_NUMQ, false,
				b, 1));
	ck_assert_uint_eq(vth_mmio_read(moved + VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	/* moved out of the window: decodes nowhere */
	vth_cfg_write(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4, 0x1000);
	ck_assert(!pci_bus_mmio(guest.bus, 0x1000, false, b, 1));
	ck_assert(!pci_bus_mmio(guest.bus, moved, false, b, 1));
}
END_TEST

START_TEST(test_memory_decode_off_hides_the_bar)
{
	uint64_t base = vth_bar0(FAKE_SLOT);
	uint8_t b[2];

	ck_assert(vth_cfg_read(FAKE_SLOT, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	vth_cfg_write(FAKE_SLOT, PCI_COMMAND, 2, 0);
	ck_assert(!pci_bus_mmio(guest.bus, base, false, b, 2));
	vth_cfg_write(FAKE_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert(pci_bus_mmio(guest.bus, base, false, b, 2));
}
END_TEST

START_TEST(test_other_ports_are_not_claimed)
{
	uint8_t b[4];

	ck_assert(!pci_bus_io(guest.bus, 0x64, false, b, 1));
	ck_assert(!pci_bus_io(guest.bus, 0xCF7, false, b, 1));
	ck_assert(!pci_bus_io(guest.bus, 0xD00, true, b, 4));
	ck_assert(!pci_bus_mmio(guest.bus, MMIO_BASE - 4, false, b, 4));
}
END_TEST

START_TEST(test_bus_reset_restores_configuration_space)
{
	uint32_t orig = vth_cfg_read(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4);

	vth_cfg_write(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFFu);
	vth_cfg_write(FAKE_SLOT, PCI_COMMAND, 2, 0);
	pci_bus_reset(guest.bus);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, PCI_BASE_ADDRESS_0, 4), orig);
	ck_assert(vth_cfg_read(FAKE_SLOT, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(fake->resets, 1);
}
END_TEST

START_TEST(test_slot_taken_or_window_full_is_refused)
{
	struct virtio_pci *vp;
	struct device_host host = { .mem = &guest.mem, .fault = &guest.fault };
	struct pci_bus *small;
	void *dev = calloc(1, sizeof(struct fake_dev));

	/* the bus refuses; the caller keeps the device */
	ck_assert_ptr_null(
		virtio_pci_create(guest.bus, FAKE_SLOT, &fake_ops, dev));
	small = pci_bus_create(&host, MMIO_BASE, 0x1000);
	ck_assert_ptr_nonnull(small);
	vp = virtio_pci_create(small, PCI_DEVNUM_ANY, &fake_ops, dev);
	ck_assert_ptr_nonnull(vp);
	ck_assert_uint_eq(virtio_pci_pci_device(vp)->devnum,
			  PCI_FIRST_FREE_SLOT);
	dev = calloc(1, sizeof(struct fake_dev));
	ck_assert_ptr_null(virtio_pci_create(small, PCI_DEVNUM_ANY, &fake_ops,
					     dev));
	free(dev);
	pci_bus_destroy(small);
}
END_TEST

/* ---- virtio-pci common configuration through MMIO ---- */

START_TEST(test_device_feature_select_pages_the_offered_features)
{
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_eq(vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  (uint32_t)FAKE_FEATURES);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  (uint32_t)((FAKE_FEATURES | VERSION_1) >> 32));
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 2);
	ck_assert_uint_eq(vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  0);
	ck_assert_uint_eq(vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_NUMQ, 2),
			  2);
	ck_assert_uint_eq(vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_MSIX, 2),
			  VIRTIO_MSI_NO_VECTOR);
}
END_TEST

START_TEST(test_features_ok_sticks_for_an_offered_subset)
{
	negotiate(VERSION_1 | 1ull << 5);
	ck_assert(vth_status(FAKE_SLOT) & VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert_uint_eq(virtio_pci_features(fake_vp), VERSION_1 | 1ull << 5);
	/* features are frozen from here on */
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_GF, 4, 0);
	ck_assert_uint_eq(virtio_pci_features(fake_vp), VERSION_1 | 1ull << 5);
}
END_TEST

START_TEST(test_features_ok_refused_for_unoffered_feature)
{
	negotiate(VERSION_1 | 1ull << 6);
	ck_assert(!(vth_status(FAKE_SLOT) & VIRTIO_CONFIG_S_FEATURES_OK));
	driver_ok();
	ck_assert(!(vth_status(FAKE_SLOT) & VIRTIO_CONFIG_S_DRIVER_OK));
	ck_assert_uint_eq(fake->driver_oks, 0);
}
END_TEST

START_TEST(test_features_ok_refused_without_version_1)
{
	negotiate(1ull << 5);
	ck_assert(!(vth_status(FAKE_SLOT) & VIRTIO_CONFIG_S_FEATURES_OK));
}
END_TEST

START_TEST(test_queue_registers_round_trip)
{
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2),
		FAKE_QSIZE);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_MSIX, 2),
		VIRTIO_MSI_NO_VECTOR);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2, 4);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x1000);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, 0x7);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2), 4);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_DESCLO, 4),
		0x1000);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_AVAILHI, 4),
		0x7);
	/* queue 0 kept its own registers */
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2),
		FAKE_QSIZE);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	/* a queue that does not exist has size 0 */
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
}
END_TEST

START_TEST(test_queue_enable_needs_features_ok)
{
	setup_queue(0, 0x1000, 0x2000, 0x3000);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	negotiate(VERSION_1);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	/* a live queue's registers do not move */
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x5000);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_DESCLO, 4),
		0x1000);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_queue_enable_with_ring_outside_ram_kills_guest)
{
	negotiate(VERSION_1);
	setup_queue(1, 0x1000, 0x2000, RAM_SIZE);
	ck_assert(guest.fault.raised);
	ck_assert_msg(
		strstr(guest.fault.reason, "virtqueue fake.q1: used ring"),
		"reason: %s", guest.fault.reason);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
}
END_TEST

START_TEST(test_queue_enable_with_64_bit_ring_address_kills_guest)
{
	negotiate(VERSION_1);
	setup_queue(0, 0x100001000ull, 0x2000, 0x3000);
	ck_assert(guest.fault.raised);
	ck_assert_msg(strstr(guest.fault.reason, "outside RAM"), "reason: %s",
		      guest.fault.reason);
}
END_TEST

START_TEST(test_status_zero_resets_the_device)
{
	negotiate(VERSION_1 | 1ull << 5);
	setup_queue(1, 0x1000, 0x2000, 0x3000);
	driver_ok();
	ck_assert_uint_eq(fake->driver_oks, 1);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(vth_status(FAKE_SLOT), 0);
	ck_assert_uint_eq(fake->resets, 1);
	ck_assert_uint_eq(virtio_pci_features(fake_vp), 0);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2),
		FAKE_QSIZE);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	ck_assert(!virtq_ready(virtio_pci_queue(fake_vp, 1)));
}
END_TEST

START_TEST(test_status_bits_do_not_clear_except_by_reset)
{
	negotiate(VERSION_1);
	vth_common_write(FAKE_SLOT, VIRTIO_PCI_COMMON_STATUS, 1,
			 VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(vth_status(FAKE_SLOT),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
				  VIRTIO_CONFIG_S_FEATURES_OK);
}
END_TEST

START_TEST(test_notify_reaches_the_device_once_live)
{
	uint64_t notify = vth_bar0(FAKE_SLOT) + VIRTIO_PCI_BAR_NOTIFY;

	negotiate(VERSION_1);
	setup_queue(1, 0x1000, 0x2000, 0x3000);
	vth_mmio_write(notify, 2, 1); /* before DRIVER_OK: held back */
	ck_assert_uint_eq(fake->notified[1], 0);
	driver_ok();
	ck_assert_uint_eq(fake->notified[1], 1);
	vth_mmio_write(notify, 2, 1);
	ck_assert_uint_eq(fake->notified[1], 2);
	vth_mmio_write(notify, 2, 0); /* queue 0 not enabled */
	vth_mmio_write(notify, 2, 9); /* no such queue */
	ck_assert_uint_eq(fake->notified[0], 0);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_isr_read_clears_it)
{
	uint64_t isr = vth_bar0(FAKE_SLOT) + VIRTIO_PCI_BAR_ISR;
	struct virtqueue *vq;
	struct virtq_chain chain;
	struct iovec iov[FAKE_QSIZE];
	uint16_t idx = 1;

	negotiate(VERSION_1);
	setup_queue(0, 0x1000, 0x2000, 0x3000);
	driver_ok();
	/* the guest makes descriptor 0 available; the device uses it */
	memset(guest.ram + 0x1000, 0, 16);
	memcpy(guest.ram + 0x2000 + 2, &idx, 2);
	vq = virtio_pci_queue(fake_vp, 0);
	ck_assert(virtq_pop(vq, &chain, iov, FAKE_QSIZE));
	virtq_push(vq, chain.head, 0);
	virtq_signal(vq);

	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert_uint_eq(last_irq, FAKE_SLOT);
	ck_assert_uint_eq(vth_mmio_read(isr, 1), 1);
	ck_assert_uint_eq(vth_mmio_read(isr, 1), 0);
}
END_TEST

START_TEST(test_intx_disable_masks_the_interrupt)
{
	negotiate(VERSION_1);
	driver_ok();
	vth_cfg_write(FAKE_SLOT, PCI_COMMAND, 2,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	virtio_pci_config_changed(fake_vp);
	ck_assert_uint_eq(irqs_raised, 0);
	vth_cfg_write(FAKE_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	virtio_pci_config_changed(fake_vp);
	ck_assert_uint_eq(irqs_raised, 1);
}
END_TEST

START_TEST(test_config_change_bumps_generation_and_sets_isr_bit)
{
	negotiate(VERSION_1);
	driver_ok();
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_CFGGENERATION, 1),
		0);
	virtio_pci_config_changed(fake_vp);
	ck_assert_uint_eq(
		vth_common_read(FAKE_SLOT, VIRTIO_PCI_COMMON_CFGGENERATION, 1),
		1);
	ck_assert_uint_eq(
		vth_mmio_read(vth_bar0(FAKE_SLOT) + VIRTIO_PCI_BAR_ISR, 1),
		VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(irqs_raised, 1);
}
END_TEST

START_TEST(test_device_config_reads_and_writes_through_bar)
{
	uint64_t cfg = vth_bar0(FAKE_SLOT) + VIRTIO_PCI_BAR_DEVICE;

	ck_assert_uint_eq(vth_mmio_read(cfg, 4), 0x656b6166); /* "fake" */
	ck_assert_uint_eq(vth_mmio_read(cfg + 4, 1), 'c');
	vth_mmio_write(cfg + 4, 2, 0x4241);
	ck_assert_uint_eq(fake->config[4], 'A');
	ck_assert_uint_eq(fake->config[5], 'B');
	/* past the device's config: all ones, and the device is not asked */
	ck_assert_uint_eq(vth_mmio_read(cfg + 6, 4), 0xFFFFFFFFu);
}
END_TEST

START_TEST(test_pci_cfg_window_reads_and_writes_the_bar)
{
	unsigned cap = find_virtio_cap(FAKE_SLOT, VIRTIO_PCI_CAP_PCI_CFG);
	unsigned data = cap + sizeof(struct virtio_pci_cap);

	ck_assert_uint_ne(cap, 0);
	vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_BAR, 1, 0);
	vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_LENGTH, 4, 2);
	vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_OFFSET, 4,
		      VIRTIO_PCI_COMMON_NUMQ);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, data, 4) & 0xFFFF, 2);
	/* writes: set ACKNOWLEDGE through the window */
	vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_LENGTH, 4, 1);
	vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_OFFSET, 4,
		      VIRTIO_PCI_COMMON_STATUS);
	vth_cfg_write(FAKE_SLOT, data, 4, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(vth_status(FAKE_SLOT), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* the window works with memory decoding off too */
	vth_cfg_write(FAKE_SLOT, PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(vth_cfg_read(FAKE_SLOT, data, 1),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE);
}
END_TEST

START_TEST(test_pci_cfg_window_ignores_bad_targets)
{
	unsigned cap = find_virtio_cap(FAKE_SLOT, VIRTIO_PCI_CAP_PCI_CFG);
	unsigned data = cap + sizeof(struct virtio_pci_cap);

	/* length 3, unaligned offset, offset past the BAR, BAR 1 */
	static const uint32_t bad[][3] = {
		{ 0, VIRTIO_PCI_COMMON_STATUS, 3 },
		{ 0, VIRTIO_PCI_COMMON_STATUS + 1, 2 },
		{ 0, 0xFFFFFFFEu, 2 },
		{ 1, VIRTIO_PCI_COMMON_STATUS, 1 },
	};
	for (unsigned i = 0; i < 4; i++) {
		vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_BAR, 1,
			      bad[i][0]);
		vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_OFFSET, 4,
			      bad[i][1]);
		vth_cfg_write(FAKE_SLOT, cap + VIRTIO_PCI_CAP_LENGTH, 4,
			      bad[i][2]);
		vth_cfg_write(FAKE_SLOT, data, 4, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	}
	ck_assert_uint_eq(vth_status(FAKE_SLOT), 0);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_bus_reset_resets_virtio_state)
{
	negotiate(VERSION_1);
	setup_queue(0, 0x1000, 0x2000, 0x3000);
	driver_ok();
	pci_bus_reset(guest.bus);
	ck_assert_uint_eq(vth_status(FAKE_SLOT), 0);
	ck_assert(!virtq_ready(virtio_pci_queue(fake_vp, 0)));
	ck_assert_uint_eq(fake->resets, 1);
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *conf = tcase_create("configuration mechanism 1");
	TCase *vp = tcase_create("virtio-pci");

	tcase_add_checked_fixture(conf, setup, teardown);
	tcase_add_test(conf, test_config_address_latch_reads_back);
	tcase_add_test(conf, test_host_bridge_at_00_00_0);
	tcase_add_test(conf, test_absent_devices_read_all_ones);
	tcase_add_test(conf, test_virtio_device_identity);
	tcase_add_test(conf, test_byte_and_word_reads_agree_with_dword);
	tcase_add_test(conf, test_capability_list_holds_every_virtio_structure);
	tcase_add_test(conf, test_bar0_sizing_reads_back_size_and_restores);
	tcase_add_test(conf, test_interrupt_line_is_the_guest_irq_and_read_only);
	tcase_add_test(conf, test_read_only_registers_ignore_writes);
	tcase_add_test(conf, test_moved_bar_decodes_at_its_new_address_only);
	tcase_add_test(conf, test_memory_decode_off_hides_the_bar);
	tcase_add_test(conf, test_other_ports_are_not_claimed);
	tcase_add_test(conf, test_bus_reset_restores_configuration_space);
	tcase_add_test(conf, test_slot_taken_or_window_full_is_refused);
	suite_add_tcase(s, conf);

	tcase_add_checked_fixture(vp, setup, teardown);
	tcase_add_test(vp, test_device_feature_select_pages_the_offered_features);
	tcase_add_test(vp, test_features_ok_sticks_for_an_offered_subset);
	tcase_add_test(vp, test_features_ok_refused_for_unoffered_feature);
	tcase_add_test(vp, test_features_ok_refused_without_version_1);
	tcase_add_test(vp, test_queue_registers_round_trip);
	tcase_add_test(vp, test_queue_enable_needs_features_ok);
	tcase_add_test(vp, test_queue_enable_with_ring_outside_ram_kills_guest);
	tcase_add_test(vp, test_queue_enable_with_64_bit_ring_address_kills_guest);
	tcase_add_test(vp, test_status_zero_resets_the_device);
	tcase_add_test(vp, test_status_bits_do_not_clear_except_by_reset);
	tcase_add_test(vp, test_notify_reaches_the_device_once_live);
	tcase_add_test(vp, test_isr_read_clears_it);
	tcase_add_test(vp, test_intx_disable_masks_the_interrupt);
	tcase_add_test(vp, test_config_change_bumps_generation_and_sets_isr_bit);
	tcase_add_test(vp, test_device_config_reads_and_writes_through_bar);
	tcase_add_test(vp, test_pci_cfg_window_reads_and_writes_the_bar);
	tcase_add_test(vp, test_pci_cfg_window_ignores_bad_targets);
	tcase_add_test(vp, test_bus_reset_resets_virtio_state);
	suite_add_tcase(s, vp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pci_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
