/*
 * Code that runs in the Host's linear mode, before our page tables exist:
 * it lives in .entry.text, linked at its physical address, and may touch
 * only physical addresses (EARLY_STR() for string literals) and call only
 * other EARLY functions and always_inline helpers.
 */
#include "runtime.h"

/* Hostile guests override these hooks to misbehave at the right moment. */
__attribute__((weak)) EARLY void early_pre_init(void) {}
__attribute__((weak)) EARLY void early_post_init(void) {}

EARLY uint32_t early_ram_size(void)
{
	if (mem_read8(BP_E820_ENTRIES) < 1)
		return 0;
	if (mem_read32(BP_E820_TABLE + 12) != 0) /* 4 GiB or more */
		return 0xFFFFF000u;
	return mem_read32(BP_E820_TABLE + 8);
}

/* Linear mode: virtual == physical for all of RAM. */
EARLY void early_linear_probe(void)
{
	struct linear_probe *lp = (struct linear_probe *)PHYS((uint32_t)&linear_probe);
	uint32_t ram = early_ram_size();

	lp->hdrs = mem_read32(BP_HDR_MAGIC);
	lp->e820_entries = mem_read8(BP_E820_ENTRIES);
	lp->ram_size = ram;
	if (ram >= (4u << 20)) {
		uint32_t addr = ram - 65536;

		mem_write32(addr, LINEAR_PROBE_MAGIC);
		lp->probe_addr = addr;
		lp->probe_readback = mem_read32(addr);
	}
}

EARLY static uint32_t early_pci_addr(unsigned off)
{
	return 0x80000000u | (PCI_CONSOLE_DEV << 11) | (off & 0xFC);
}

EARLY static uint32_t early_pci_read32(unsigned off)
{
	outl(0xCF8, early_pci_addr(off));
	return inl(0xCFC);
}

EARLY static uint8_t early_pci_read8(unsigned off)
{
	outl(0xCF8, early_pci_addr(off));
	return inb(0xCFC + (off & 3));
}

EARLY static void early_pci_write32(unsigned off, uint32_t v)
{
	outl(0xCF8, early_pci_addr(off));
	outl(0xCFC, v);
}

EARLY static void early_pci_write8(unsigned off, uint8_t v)
{
	outl(0xCF8, early_pci_addr(off));
	outb(0xCFC + (off & 3), v);
}

/* The same emerg_wr protocol as console.c, for linear mode. */
EARLY void early_puts(const char *s)
{
	unsigned cap, cfg_cap = 0, n = 0;
	uint32_t dev_off = 0;
	int have_dev = 0;

	if (early_pci_read32(0) != PCI_CONSOLE_ID)
		return;
	for (cap = early_pci_read8(0x34); cap && n < 48; cap = early_pci_read8(cap + 1), n++) {
		if (early_pci_read8(cap) != PCI_CAP_ID_VNDR)
			continue;
		if (early_pci_read8(cap + VCAP_CFG_TYPE) == VIRTIO_PCI_CAP_PCI_CFG)
			cfg_cap = cap;
		if (early_pci_read8(cap + VCAP_CFG_TYPE) == VIRTIO_PCI_CAP_DEVICE_CFG &&
		    early_pci_read8(cap + VCAP_BAR) == 0) {
			dev_off = early_pci_read32(cap + VCAP_OFFSET);
			have_dev = 1;
		}
	}
	if (!cfg_cap || !have_dev)
		return;
	early_pci_write8(cfg_cap + VCAP_BAR, 0);
	early_pci_write32(cfg_cap + VCAP_LENGTH, 4);
	early_pci_write32(cfg_cap + VCAP_OFFSET, dev_off + VIRTIO_CONSOLE_EMERG_WR);
	for (; *s; s++)
		early_pci_write32(cfg_cap + VCAP_PCI_CFG_DATA, (uint8_t)*s);
}
