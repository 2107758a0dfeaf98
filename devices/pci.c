/*
 * PCI bus 0: configuration mechanism #1, the host bridge, BAR placement and
 * decoding.
 *
 * Configuration space is modelled as bytes plus a write mask: a guest write
 * changes only the bits the mask allows, so read-only registers stay put and
 * BAR sizing (write all ones, read back ~(size - 1)) falls out of the BAR's
 * mask with no special case.
 */
#include "devices/pci.h"

#include <linux/pci_regs.h>
#include <stdlib.h>

#include "vmm/trace.h"

/* Host bridge IDs: Red Hat's generic host bridge, which no Linux quirk
 * matches.  lguest's bridge had IDs 0 (so Linux skipped it); the guest only
 * needs its class to pass the type 1 sanity check. */
#define PCI_HOST_BRIDGE_VENDOR 0x1B36
#define PCI_HOST_BRIDGE_DEVICE 0x0008

#define PCI_CLASS_HOST_BRIDGE 0x060000 /* bridge, host, prog-if 0 */
#define PCI_ADDR_ENABLE 0x80000000u
#define PCI_ADDR_RESERVED 0x7F000000u /* extended register bits: none here */

/* Command bits a guest may change: memory decoding, bus mastering, INTx. */
#define PCI_COMMAND_WRITABLE                                                   \
	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

struct pci_bus {
	struct device_host host;
	uint64_t mmio_base, mmio_end;
	uint64_t mmio_next;       /* where the next BAR is placed */
	uint32_t config_address;  /* last value latched at 0xCF8 */
	struct pci_device *slots[PCI_SLOTS];
	struct pci_device host_bridge;
};

/* The host bridge has no BARs and no behaviour: it is there to be found
 * (Linux's type 1 sanity check looks for its class). */
static const struct pci_device_ops pci_host_bridge_ops = { 0 };

static uint32_t pci_bytes_to_val(const uint8_t *data, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	return v;
}

static void pci_val_to_bytes(uint32_t v, uint8_t *data, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		data[i] = i < 4 ? (uint8_t)(v >> (8 * i)) : 0xFF;
}

void pci_device_init(struct pci_device *pdev, const char *name,
		     const struct pci_device_ops *ops, void *opaque,
		     uint16_t vendor, uint16_t device, uint32_t class_code)
{
	memset(pdev, 0, sizeof(*pdev));
	pdev->name = name;
	pdev->ops = ops;
	pdev->opaque = opaque;
	pci_config_set16(pdev, PCI_VENDOR_ID, vendor);
	pci_config_set16(pdev, PCI_DEVICE_ID, device);
	pci_config_set8(pdev, PCI_CLASS_PROG, (uint8_t)class_code);
	pci_config_set16(pdev, PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
	pci_config_set8(pdev, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	pdev->wmask[PCI_COMMAND] = (uint8_t)PCI_COMMAND_WRITABLE;
	pdev->wmask[PCI_COMMAND + 1] = (uint8_t)(PCI_COMMAND_WRITABLE >> 8);
	/* Linux sets these two; they mean nothing to us. */
	pdev->wmask[PCI_CACHE_LINE_SIZE] = 0xFF;
	pdev->wmask[PCI_LATENCY_TIMER] = 0xFF;
	pdev->cap_free = PCI_STD_HEADER_SIZEOF;
}

void pci_device_add_mem_bar(struct pci_device *pdev, unsigned bar,
			    uint32_t size)
{
	uint32_t s = PCI_BAR_MIN_SIZE;

	while (s < size && s < 0x80000000u)
		s <<= 1;
	pdev->bar_size[bar] = s;
	/* Flag bits (32-bit, non-prefetchable memory) are 0 and read-only;
	 * the address bits below the size are read-only zeros. */
	pci_config_set32(pdev, PCI_BASE_ADDRESS_0 + 4 * bar, 0);
	for (unsigned i = 0; i < 4; i++)
		pdev->wmask[PCI_BASE_ADDRESS_0 + 4 * bar + i] =
			(uint8_t)(~(s - 1) >> (8 * i));
}

unsigned pci_device_add_capability(struct pci_device *pdev, uint8_t cap_id,
				   unsigned len)
{
	unsigned off = pdev->cap_free;

	if (len < 2 || off + len > PCI_CONFIG_SIZE)
		return 0;
	pdev->cap_free = (off + len + 3) & ~3u;
	pci_config_set8(pdev, off + PCI_CAP_LIST_ID, cap_id);
	pci_config_set8(pdev, off + PCI_CAP_LIST_NEXT, 0);
	if (pdev->cap_last)
		pci_config_set8(pdev, pdev->cap_last + PCI_CAP_LIST_NEXT,
				(uint8_t)off);
	else
		pci_config_set8(pdev, PCI_CAPABILITY_LIST, (uint8_t)off);
	pdev->cap_last = (uint8_t)off;
	pci_config_set16(pdev, PCI_STATUS,
			 pci_config_get16(pdev, PCI_STATUS) |
				 PCI_STATUS_CAP_LIST);
	return off;
}

struct pci_bus *pci_bus_create(const struct device_host *host,
			       uint64_t mmio_base, uint64_t mmio_size)
{
	struct pci_bus *bus;

	/* 32-bit BARs: the whole window must sit below 4 GiB. */
	if (mmio_base > 0x100000000ull || mmio_size > 0x100000000ull - mmio_base)
		return NULL;
	bus = calloc(1, sizeof(*bus));
	if (!bus)
		return NULL;
	bus->host = *host;
	bus->mmio_base = mmio_base;
	bus->mmio_end = mmio_base + mmio_size;
	bus->mmio_next = mmio_base;

	pci_device_init(&bus->host_bridge, "host-bridge", &pci_host_bridge_ops,
			bus, PCI_HOST_BRIDGE_VENDOR, PCI_HOST_BRIDGE_DEVICE,
			PCI_CLASS_HOST_BRIDGE);
	if (!pci_bus_add_device(bus, &bus->host_bridge, 0)) {
		free(bus);
		return NULL;
	}
	return bus;
}

void pci_bus_destroy(struct pci_bus *bus)
{
	if (!bus)
		return;
	for (unsigned i = 0; i < PCI_SLOTS; i++) {
		struct pci_device *pdev = bus->slots[i];

		if (pdev && pdev->ops->destroy)
			pdev->ops->destroy(pdev);
	}
	free(bus);
}

void pci_bus_reset(struct pci_bus *bus)
{
	bus->config_address = 0;
	for (unsigned i = 0; i < PCI_SLOTS; i++) {
		struct pci_device *pdev = bus->slots[i];

		if (!pdev)
			continue;
		memcpy(pdev->config, pdev->reset_config, PCI_CONFIG_SIZE);
		if (pdev->ops->reset)
			pdev->ops->reset(pdev);
	}
}

const struct device_host *pci_bus_host(const struct pci_bus *bus)
{
	return &bus->host;
}

struct pci_device *pci_bus_device(struct pci_bus *bus, unsigned devnum)
{
	return devnum < PCI_SLOTS ? bus->slots[devnum] : NULL;
}

static bool pci_bus_place_bars(struct pci_bus *bus, struct pci_device *pdev)
{
	uint64_t next = bus->mmio_next;

	for (unsigned bar = 0; bar < PCI_BARS; bar++) {
		uint64_t size = pdev->bar_size[bar], addr;

		if (!size)
			continue;
		addr = (next + size - 1) & ~(size - 1);
		if (addr < next || addr + size > bus->mmio_end)
			return false;
		pci_config_set32(pdev, PCI_BASE_ADDRESS_0 + 4 * bar,
				 (uint32_t)addr);
		next = addr + size;
	}
	bus->mmio_next = next;
	return true;
}

bool pci_bus_add_device(struct pci_bus *bus, struct pci_device *pdev,
			int devnum)
{
	bool has_bar = false;

	if (devnum == PCI_DEVNUM_ANY) {
		devnum = PCI_FIRST_FREE_SLOT;
		while (devnum < PCI_SLOTS && bus->slots[devnum])
			devnum++;
	}
	if (devnum < 0 || devnum >= PCI_SLOTS || bus->slots[devnum])
		return false;
	if (!pci_bus_place_bars(bus, pdev))
		return false;

	pdev->bus = bus;
	pdev->devnum = (unsigned)devnum;
	/* The interrupt line register is the guest IRQ number, read-only so
	 * it always names the IRQ we raise.  Pin 0, as lguest offered: the
	 * guest's pcibios_enable_irq reads the line and nothing else. */
	pdev->irq = devnum ? (unsigned)devnum : 0;
	pci_config_set8(pdev, PCI_INTERRUPT_LINE, (uint8_t)pdev->irq);
	pci_config_set8(pdev, PCI_INTERRUPT_PIN, 0);
	for (unsigned bar = 0; bar < PCI_BARS; bar++)
		has_bar |= pdev->bar_size[bar] != 0;
	/* No firmware runs before the guest: leave decoding on as it would. */
	if (has_bar)
		pci_config_set16(pdev, PCI_COMMAND, PCI_COMMAND_MEMORY);
	memcpy(pdev->reset_config, pdev->config, PCI_CONFIG_SIZE);
	bus->slots[devnum] = pdev;
	TRACE("dev", "pci add=%s slot=%02x:%02x.0 irq=%u bar0=0x%x",
	      pdev->name, 0, devnum, pdev->irq,
	      pci_config_get32(pdev, PCI_BASE_ADDRESS_0));
	return true;
}

uint32_t pci_device_bar_address(const struct pci_device *pdev, unsigned bar)
{
	return pci_config_get32(pdev, PCI_BASE_ADDRESS_0 + 4 * bar) &
	       PCI_BASE_ADDRESS_MEM_MASK;
}

void pci_device_raise_irq(struct pci_device *pdev)
{
	const struct device_host *host = &pdev->bus->host;

	if (!pdev->irq)
		return;
	if (pci_config_get16(pdev, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) {
		TRACE("dev", "irq=%u dev=%s masked=intx-disable", pdev->irq,
		      pdev->name);
		return;
	}
	if (host->raise_irq)
		host->raise_irq(host->opaque, pdev->irq);
}

static uint32_t pci_config_read(struct pci_device *pdev, unsigned off,
				unsigned len)
{
	uint32_t v = 0;

	if (pdev->ops->config_read_hook)
		pdev->ops->config_read_hook(pdev, off, len);
	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)pdev->config[off + i] << (8 * i);
	return v;
}

static void pci_config_write(struct pci_device *pdev, unsigned off,
			     unsigned len, uint32_t val)
{
	for (unsigned i = 0; i < len; i++) {
		uint8_t m = pdev->wmask[off + i];
		uint8_t b = (uint8_t)(val >> (8 * i));

		pdev->config[off + i] = (uint8_t)((pdev->config[off + i] & ~m) |
						  (b & m));
	}
	if (pdev->ops->config_write_hook)
		pdev->ops->config_write_hook(pdev, off, len);
}

/* The device the latched address selects, or NULL (reads all ones). */
static struct pci_device *pci_bus_selected(struct pci_bus *bus)
{
	uint32_t a = bus->config_address;

	if (!(a & PCI_ADDR_ENABLE) || (a & PCI_ADDR_RESERVED))
		return NULL;
	if (((a >> 16) & 0xFF) != 0 || ((a >> 8) & 0x7) != 0)
		return NULL; /* bus 0, function 0 only */
	return bus->slots[(a >> 11) & 0x1F];
}

/* Writes are traced before their effects, reads with their value. */
static void pci_trace_config(const struct pci_bus *bus, unsigned reg,
			     unsigned len, bool is_write, uint32_t val,
			     const struct pci_device *pdev)
{
	TRACE("io", "pci=%02x:%02x.%u reg=0x%02x len=%u %s=0x%x%s",
	      (bus->config_address >> 16) & 0xFF,
	      (bus->config_address >> 11) & 0x1F,
	      (bus->config_address >> 8) & 0x7, reg, len,
	      is_write ? "write" : "read", val, pdev ? "" : " absent");
}

static bool pci_io_len_ok(unsigned off, unsigned len)
{
	return (len == 1 || len == 2 || len == 4) && off + len <= 4;
}

bool pci_bus_io(struct pci_bus *bus, uint16_t port, bool is_write,
		uint8_t *data, unsigned len)
{
	if (port >= PCI_CONFIG_ADDRESS_PORT && port < PCI_CONFIG_DATA_PORT) {
		unsigned off = port - PCI_CONFIG_ADDRESS_PORT;

		if (!pci_io_len_ok(off, len)) {
			if (!is_write)
				pci_val_to_bytes(~0u, data, len);
			return true;
		}
		/* Byte and word accesses reach the latch too, as lguest let
		 * them (Linux's type 1 probe writes a byte at 0xCFB). */
		for (unsigned i = 0; i < len; i++) {
			unsigned shift = 8 * (off + i);

			if (is_write)
				bus->config_address =
					(bus->config_address &
					 ~(0xFFu << shift)) |
					(uint32_t)data[i] << shift;
			else
				data[i] = (uint8_t)(bus->config_address >>
						    shift);
		}
		return true;
	}
	if (port >= PCI_CONFIG_DATA_PORT && port < PCI_CONFIG_DATA_PORT + 4) {
		unsigned off = port - PCI_CONFIG_DATA_PORT;
		struct pci_device *pdev = pci_bus_selected(bus);
		unsigned reg = (bus->config_address & 0xFC) + off;
		uint32_t val = ~0u;

		if (!pci_io_len_ok(off, len))
			pdev = NULL;
		if (is_write) {
			val = pci_bytes_to_val(data, len);
			pci_trace_config(bus, reg, len, true, val, pdev);
			if (pdev)
				pci_config_write(pdev, reg, len, val);
		} else {
			if (pdev)
				val = pci_config_read(pdev, reg, len);
			pci_val_to_bytes(val, data, len);
			pci_trace_config(bus, reg, len, false, val, pdev);
		}
		return true;
	}
	return false;
}

/* The device and BAR decoding gpa: memory decoding on and the BAR wholly
 * inside the window (a guest may move a BAR; elsewhere it decodes nothing). */
static struct pci_device *pci_bus_decode(struct pci_bus *bus, uint64_t gpa,
					 unsigned *bar_out, uint64_t *off_out)
{
	for (unsigned i = 0; i < PCI_SLOTS; i++) {
		struct pci_device *pdev = bus->slots[i];

		if (!pdev ||
		    !(pci_config_get16(pdev, PCI_COMMAND) & PCI_COMMAND_MEMORY))
			continue;
		for (unsigned bar = 0; bar < PCI_BARS; bar++) {
			uint64_t size = pdev->bar_size[bar];
			uint64_t addr = pci_device_bar_address(pdev, bar);

			if (!size || addr < bus->mmio_base ||
			    addr + size > bus->mmio_end)
				continue;
			if (gpa >= addr && gpa - addr < size) {
				*bar_out = bar;
				*off_out = gpa - addr;
				return pdev;
			}
		}
	}
	return NULL;
}

bool pci_bus_mmio(struct pci_bus *bus, uint64_t gpa, bool is_write,
		  uint8_t *data, unsigned len)
{
	unsigned bar;
	uint64_t off;
	struct pci_device *pdev = pci_bus_decode(bus, gpa, &bar, &off);

	if (!pdev)
		return false;
	if (len == 0 || len > 8 || off + len > pdev->bar_size[bar]) {
		TRACE("mmio", "dev=%s bar=%u off=0x%llx len=%u straddles-bar",
		      pdev->name, bar, (unsigned long long)off, len);
		if (!is_write)
			memset(data, 0xFF, len);
		return true;
	}
	if (is_write) {
		if (pdev->ops->bar_write)
			pdev->ops->bar_write(pdev, bar, (uint32_t)off, data,
					     len);
	} else {
		memset(data, 0xFF, len);
		if (pdev->ops->bar_read)
			pdev->ops->bar_read(pdev, bar, (uint32_t)off, data,
					    len);
	}
	return true;
}
