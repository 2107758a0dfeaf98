#include "virtio_test_harness.h"

#include <check.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_pci.h"

struct vth_guest guest;

void vth_guest_init(size_t ram_size)
{
	guest.ram = calloc(1, ram_size);
	ck_assert_ptr_nonnull(guest.ram);
	guest.mem.ram = guest.ram;
	guest.mem.size = ram_size;
	guest_fault_clear(&guest.fault);
	guest.bus = NULL;
}

void vth_bus_create(struct device_host host, uint64_t mmio_base,
		    uint64_t mmio_size)
{
	host.mem = &guest.mem;
	host.fault = &guest.fault;
	guest.bus = pci_bus_create(&host, mmio_base, mmio_size);
	ck_assert_ptr_nonnull(guest.bus);
}

void vth_guest_destroy(void)
{
	pci_bus_destroy(guest.bus);
	guest.bus = NULL;
	free(guest.ram);
	guest.ram = NULL;
}

/* ---- port I/O and MMIO ---- */

static void vth_le_bytes(uint8_t b[4], uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t vth_le_value(const uint8_t *b, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len && i < 4; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

void vth_out(uint16_t port, unsigned len, uint32_t v)
{
	uint8_t b[4];

	vth_le_bytes(b, v);
	ck_assert(pci_bus_io(guest.bus, port, true, b, len));
}

uint32_t vth_in(uint16_t port, unsigned len)
{
	uint8_t b[4] = { 0 };

	ck_assert(pci_bus_io(guest.bus, port, false, b, len));
	return vth_le_value(b, len);
}

uint32_t vth_mmio_read(uint64_t gpa, unsigned len)
{
	uint8_t b[8] = { 0 };

	ck_assert(pci_bus_mmio(guest.bus, gpa, false, b, len));
	return vth_le_value(b, len);
}

void vth_mmio_write(uint64_t gpa, unsigned len, uint32_t v)
{
	uint8_t b[4];

	vth_le_bytes(b, v);
	ck_assert(pci_bus_mmio(guest.bus, gpa, true, b, len));
}

/* ---- configuration mechanism #1 ---- */

static void vth_cfg_address(unsigned dev, unsigned reg)
{
	vth_out(0xCF8, 4, 0x80000000u | dev << 11 | reg);
}

uint32_t vth_cfg_read(unsigned dev, unsigned reg, unsigned len)
{
	vth_cfg_address(dev, reg & 0xFC);
	return vth_in((uint16_t)(0xCFC + (reg & 3)), len);
}

void vth_cfg_write(unsigned dev, unsigned reg, unsigned len, uint32_t v)
{
	vth_cfg_address(dev, reg & 0xFC);
	vth_out((uint16_t)(0xCFC + (reg & 3)), len, v);
}

uint32_t vth_early_cfg_read(unsigned dev, unsigned off)
{
	vth_cfg_address(dev, off);
	return vth_in(0xCFC, 4);
}

uint8_t vth_early_cfg_read_byte(unsigned dev, unsigned off)
{
	vth_cfg_address(dev, off);
	return (uint8_t)vth_in((uint16_t)(0xCFC + (off & 3)), 1);
}

void vth_early_cfg_write(unsigned dev, unsigned off, uint32_t v)
{
	vth_cfg_address(dev, off);
	vth_out(0xCFC, 4, v);
}

void vth_early_cfg_write_byte(unsigned dev, unsigned off, uint8_t v)
{
	vth_cfg_address(dev, off);
	vth_out((uint16_t)(0xCFC + (off & 3)), 1, v);
}

/* ---- the virtio-pci transport in BAR 0 ---- */

uint64_t vth_bar0(unsigned dev)
{
	return vth_cfg_read(dev, PCI_BASE_ADDRESS_0, 4) & ~0xFu;
}

uint32_t vth_bar_read(unsigned dev, uint64_t off, unsigned len)
{
	return vth_mmio_read(vth_bar0(dev) + off, len);
}

void vth_bar_write(unsigned dev, uint64_t off, unsigned len, uint32_t v)
{
	vth_mmio_write(vth_bar0(dev) + off, len, v);
}

uint32_t vth_common_read(unsigned dev, unsigned off, unsigned len)
{
	return vth_bar_read(dev, VIRTIO_PCI_BAR_COMMON + off, len);
}

void vth_common_write(unsigned dev, unsigned off, unsigned len, uint32_t v)
{
	vth_bar_write(dev, VIRTIO_PCI_BAR_COMMON + off, len, v);
}

uint8_t vth_status(unsigned dev)
{
	return (uint8_t)vth_common_read(dev, VIRTIO_PCI_COMMON_STATUS, 1);
}

void vth_set_status(unsigned dev, uint8_t status)
{
	vth_common_write(dev, VIRTIO_PCI_COMMON_STATUS, 1, status);
}

void vth_notify(unsigned dev, unsigned q)
{
	vth_bar_write(dev, VIRTIO_PCI_BAR_NOTIFY, 2, q);
}

uint64_t vth_device_features(unsigned dev)
{
	uint64_t lo;

	vth_common_write(dev, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	lo = vth_common_read(dev, VIRTIO_PCI_COMMON_DF, 4);
	vth_common_write(dev, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	return lo | (uint64_t)vth_common_read(dev, VIRTIO_PCI_COMMON_DF, 4)
			    << 32;
}

void vth_write_driver_features(unsigned dev, uint64_t features)
{
	vth_common_write(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	vth_common_write(dev, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)features);
	vth_common_write(dev, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	vth_common_write(dev, VIRTIO_PCI_COMMON_GF, 4,
			 (uint32_t)(features >> 32));
}

void vth_negotiate(unsigned dev, uint64_t features)
{
	const uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vth_set_status(dev, 0);
	vth_set_status(dev, s);
	vth_write_driver_features(dev, features);
	vth_set_status(dev, s | VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(vth_status(dev) & VIRTIO_CONFIG_S_FEATURES_OK);
}

void vth_queue_config(unsigned dev, unsigned q, unsigned size, uint64_t desc,
		      uint64_t avail, uint64_t used)
{
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)desc);
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_DESCHI, 4,
			 (uint32_t)(desc >> 32));
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (uint32_t)avail);
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_AVAILHI, 4,
			 (uint32_t)(avail >> 32));
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)used);
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_USEDHI, 4,
			 (uint32_t)(used >> 32));
}

void vth_queue_setup(unsigned dev, unsigned q, unsigned size, uint64_t desc,
		     uint64_t avail, uint64_t used)
{
	vth_queue_config(dev, q, size, desc, avail, used);
	vth_common_write(dev, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

/* ---- split rings in guest RAM ---- */

void vth_put_desc(const struct vth_ring *r, unsigned i, uint64_t addr,
		  uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = guest.ram + r->desc + 16 * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

void vth_make_avail(struct vth_ring *r, uint16_t head)
{
	memcpy(guest.ram + r->avail + 4 + 2 * (r->avail_idx % r->size), &head,
	       2);
	r->avail_idx++;
	memcpy(guest.ram + r->avail + 2, &r->avail_idx, 2);
}

uint16_t vth_used_idx(const struct vth_ring *r)
{
	uint16_t v;

	memcpy(&v, guest.ram + r->used + 2, 2);
	return v;
}

uint32_t vth_used_elem(const struct vth_ring *r, unsigned i, unsigned field)
{
	uint32_t v;

	memcpy(&v, guest.ram + r->used + 4 + 8 * (i % r->size) + 4 * field, 4);
	return v;
}
