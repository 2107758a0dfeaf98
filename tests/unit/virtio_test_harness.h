/*
 * A fake guest for device unit tests: guest RAM, the fault record and a PCI
 * bus, driven the way a guest's drivers drive them (configuration mechanism
 * #1 on ports 0xCF8/0xCFC, the virtio-pci modern transport in BAR 0, split
 * rings written straight into RAM).  Every access asserts (Check) that a
 * device claimed it, so a helper failing fails the test that called it.
 */
#ifndef LGKVM_TESTS_VIRTIO_TEST_HARNESS_H
#define LGKVM_TESTS_VIRTIO_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "devices/device_host.h"
#include "devices/pci.h"

struct vth_guest {
	uint8_t *ram;
	struct guest_memory mem;
	struct guest_fault fault;
	struct pci_bus *bus;
};

/* The one guest a test binary drives (Check runs each test in its own
 * process, so one global is enough). */
extern struct vth_guest guest;

/* Zeroed RAM of ram_size bytes and a cleared fault record. */
void vth_guest_init(size_t ram_size);
/* Points host at the guest's memory and fault record and creates the bus
 * into guest.bus. */
void vth_bus_create(struct device_host host, uint64_t mmio_base,
		    uint64_t mmio_size);
/* Destroys the bus (and its devices), then frees RAM. */
void vth_guest_destroy(void);

/* Port I/O and MMIO of 1, 2 or 4 bytes, little-endian. */
void vth_out(uint16_t port, unsigned len, uint32_t v);
uint32_t vth_in(uint16_t port, unsigned len);
uint32_t vth_mmio_read(uint64_t gpa, unsigned len);
void vth_mmio_write(uint64_t gpa, unsigned len, uint32_t v);

/* Configuration space of 00:dev.0 as Linux's arch/x86/pci/direct.c reaches
 * it: the dword address in 0xCF8, the bytes at 0xCFC + (reg & 3). */
uint32_t vth_cfg_read(unsigned dev, unsigned reg, unsigned len);
void vth_cfg_write(unsigned dev, unsigned reg, unsigned len, uint32_t v);
/* As arch/x86/pci/early.c does it: the offset goes into 0xCF8 unmasked. */
uint32_t vth_early_cfg_read(unsigned dev, unsigned off);
uint8_t vth_early_cfg_read_byte(unsigned dev, unsigned off);
void vth_early_cfg_write(unsigned dev, unsigned off, uint32_t v);
void vth_early_cfg_write_byte(unsigned dev, unsigned off, uint8_t v);

/* BAR 0 where the guest finds it now, and accesses relative to it. */
uint64_t vth_bar0(unsigned dev);
uint32_t vth_bar_read(unsigned dev, uint64_t off, unsigned len);
void vth_bar_write(unsigned dev, uint64_t off, unsigned len, uint32_t v);
/* The virtio common configuration structure (VIRTIO_PCI_COMMON_*). */
uint32_t vth_common_read(unsigned dev, unsigned off, unsigned len);
void vth_common_write(unsigned dev, unsigned off, unsigned len, uint32_t v);
uint8_t vth_status(unsigned dev);
void vth_set_status(unsigned dev, uint8_t status);
/* The notify register: queue q has new buffers. */
void vth_notify(unsigned dev, unsigned q);

/* Both 32-bit halves of the device's, resp. the driver's, feature bits. */
uint64_t vth_device_features(unsigned dev);
void vth_write_driver_features(unsigned dev, uint64_t features);
/* What virtio_pci_modern.c does up to FEATURES_OK: reset, ACKNOWLEDGE |
 * DRIVER, the driver features, FEATURES_OK; asserts the device kept it. */
void vth_negotiate(unsigned dev, uint64_t features);
/* Selects queue q and gives it size and ring addresses; setup also
 * enables it. */
void vth_queue_config(unsigned dev, unsigned q, unsigned size, uint64_t desc,
		      uint64_t avail, uint64_t used);
void vth_queue_setup(unsigned dev, unsigned q, unsigned size, uint64_t desc,
		     uint64_t avail, uint64_t used);

/* A split ring the test builds in guest RAM: its parts at guest-physical
 * offsets into guest.ram, its size, and the driver's copy of avail->idx. */
struct vth_ring {
	uint32_t desc, avail, used;
	unsigned size;
	uint16_t avail_idx;
};

void vth_put_desc(const struct vth_ring *r, unsigned i, uint64_t addr,
		  uint32_t len, uint16_t flags, uint16_t next);
/* Publishes head in the available ring and bumps avail->idx. */
void vth_make_avail(struct vth_ring *r, uint16_t head);
uint16_t vth_used_idx(const struct vth_ring *r);
/* Field 0 of used element i (a running index, taken modulo the size) is
 * the head, field 1 the length written. */
uint32_t vth_used_elem(const struct vth_ring *r, unsigned i, unsigned field);

#endif
