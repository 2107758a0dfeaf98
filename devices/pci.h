/*
 * PCI bus 0 as lguest guests see it: configuration mechanism #1 (ports
 * 0xCF8/0xCFC), a host bridge at 00:00.0, up to 31 single-function devices
 * with 32-bit memory BARs placed in one MMIO window below 4 GiB.
 *
 * lguest has no interrupt controller: a device's interrupt line register
 * holds the guest IRQ number it raises (the guest reads it and uses it as
 * is).  IRQ 0 is the timer, so device N uses IRQ N.
 *
 * A device embeds a struct pci_device, fills its configuration space with
 * the helpers below, and registers it; the bus then places its BARs,
 * assigns its IRQ and owns it (pci_bus_destroy calls ops->destroy).
 */
#ifndef LGKVM_PCI_H
#define LGKVM_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "devices/device_host.h"

#define PCI_CONFIG_ADDRESS_PORT 0xCF8
#define PCI_CONFIG_DATA_PORT 0xCFC
#define PCI_SLOTS 32
#define PCI_CONFIG_SIZE 256
#define PCI_BARS 6
/* BARs are page-granular so the VMM never maps RAM into a page they use. */
#define PCI_BAR_MIN_SIZE 4096u
/* pci_bus_add_device: any free slot from 2 up (slot 1 is the console's). */
#define PCI_DEVNUM_ANY (-1)
#define PCI_FIRST_FREE_SLOT 2

struct pci_bus;
struct pci_device;

struct pci_device_ops {
	/* Access inside BAR `bar`: the bus has checked off + len <= size. */
	void (*bar_read)(struct pci_device *pdev, unsigned bar, uint32_t off,
			 uint8_t *data, unsigned len);
	void (*bar_write)(struct pci_device *pdev, unsigned bar, uint32_t off,
			  const uint8_t *data, unsigned len);
	/* Optional: runs before config bytes [off, off+len) are read. */
	void (*config_read_hook)(struct pci_device *pdev, unsigned off,
				 unsigned len);
	/* Optional: runs after the writable bits of [off, off+len) changed. */
	void (*config_write_hook)(struct pci_device *pdev, unsigned off,
				  unsigned len);
	/* Optional: guest restart; configuration space is restored already. */
	void (*reset)(struct pci_device *pdev);
	/* Optional: frees the device (the bus owns registered devices). */
	void (*destroy)(struct pci_device *pdev);
};

struct pci_device {
	const char *name;
	const struct pci_device_ops *ops;
	void *opaque;                    /* the device's own state */
	struct pci_bus *bus;             /* set on registration */
	unsigned devnum;
	unsigned irq;                    /* 0: none */
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];  /* bits the guest may change */
	uint8_t reset_config[PCI_CONFIG_SIZE];
	uint32_t bar_size[PCI_BARS];     /* 0: BAR not implemented */
	uint8_t cap_last;                /* last capability in the list */
	unsigned cap_free;               /* next free config offset */
};

/* Little-endian configuration space fields. */
static inline uint8_t pci_config_get8(const struct pci_device *p, unsigned off)
{
	return p->config[off];
}

static inline uint16_t pci_config_get16(const struct pci_device *p,
					unsigned off)
{
	return (uint16_t)(p->config[off] | p->config[off + 1] << 8);
}

static inline uint32_t pci_config_get32(const struct pci_device *p,
					unsigned off)
{
	return (uint32_t)pci_config_get16(p, off) |
	       (uint32_t)pci_config_get16(p, off + 2) << 16;
}

static inline void pci_config_set8(struct pci_device *p, unsigned off,
				   uint8_t v)
{
	p->config[off] = v;
}

static inline void pci_config_set16(struct pci_device *p, unsigned off,
				    uint16_t v)
{
	p->config[off] = (uint8_t)v;
	p->config[off + 1] = (uint8_t)(v >> 8);
}

static inline void pci_config_set32(struct pci_device *p, unsigned off,
				    uint32_t v)
{
	pci_config_set16(p, off, (uint16_t)v);
	pci_config_set16(p, off + 2, (uint16_t)(v >> 16));
}

/* Makes bytes [off, off+len) of configuration space guest-writable. */
static inline void pci_config_set_writable(struct pci_device *p, unsigned off,
					   unsigned len)
{
	memset(p->wmask + off, 0xFF, len);
}

struct pci_bus *pci_bus_create(const struct device_host *host,
			       uint64_t mmio_base, uint64_t mmio_size);
void pci_bus_destroy(struct pci_bus *bus);
/* Guest restart: every device back to its reset state. */
void pci_bus_reset(struct pci_bus *bus);
/* Port I/O exit.  Returns false when no device claims the port (the VMM
 * then reads all ones / ignores). */
bool pci_bus_io(struct pci_bus *bus, uint16_t port, bool is_write,
		uint8_t *data, unsigned len);
/* MMIO exit inside the BAR window.  Returns false when no BAR claims it. */
bool pci_bus_mmio(struct pci_bus *bus, uint64_t gpa, bool is_write,
		  uint8_t *data, unsigned len);

const struct device_host *pci_bus_host(const struct pci_bus *bus);
struct pci_device *pci_bus_device(struct pci_bus *bus, unsigned devnum);

/* Header type 0 device; class_code is class << 16 | subclass << 8 | prog-if. */
void pci_device_init(struct pci_device *pdev, const char *name,
		     const struct pci_device_ops *ops, void *opaque,
		     uint16_t vendor, uint16_t device, uint32_t class_code);
/* A 32-bit non-prefetchable memory BAR; size: power of two (rounded up to
 * PCI_BAR_MIN_SIZE).  Placed in the window on registration. */
void pci_device_add_mem_bar(struct pci_device *pdev, unsigned bar,
			    uint32_t size);
/* Appends a capability of `len` bytes (id and next pointer filled in) and
 * returns its config offset, or 0 when configuration space is full. */
unsigned pci_device_add_capability(struct pci_device *pdev, uint8_t cap_id,
				   unsigned len);
/* Places the device at 00:devnum.0 (PCI_DEVNUM_ANY: lowest free slot from
 * PCI_FIRST_FREE_SLOT), places its BARs, sets IRQ = devnum and decoding on
 * as firmware would.  False when the slot is taken or the window is full;
 * the caller still owns the device then. */
bool pci_bus_add_device(struct pci_bus *bus, struct pci_device *pdev,
			int devnum);
/* The guest-physical address BAR `bar` decodes at now (guest-movable). */
uint32_t pci_device_bar_address(const struct pci_device *pdev, unsigned bar);
/* Raises the device's IRQ unless the guest disabled INTx. */
void pci_device_raise_irq(struct pci_device *pdev);

#endif
