/* PCI configuration mechanism #1 and the emerg_wr console (boot.c's way). */
#include "runtime.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC

struct console_info console_info;

static void pci_select(unsigned dev, unsigned off)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | (dev << 11) | (off & 0xFC));
}

uint32_t pci_read32(unsigned dev, unsigned off)
{
	pci_select(dev, off);
	return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(unsigned dev, unsigned off)
{
	pci_select(dev, off);
	return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(unsigned dev, unsigned off)
{
	pci_select(dev, off);
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(unsigned dev, unsigned off, uint32_t v)
{
	pci_select(dev, off);
	outl(PCI_CONFIG_DATA, v);
}

void pci_write16(unsigned dev, unsigned off, uint16_t v)
{
	pci_select(dev, off);
	outw(PCI_CONFIG_DATA + (off & 2), v);
}

void pci_write8(unsigned dev, unsigned off, uint8_t v)
{
	pci_select(dev, off);
	outb(PCI_CONFIG_DATA + (off & 3), v);
}

unsigned pci_find_virtio_cap(unsigned dev, unsigned cfg_type, int bar)
{
	unsigned cap, n = 0;

	if (!(pci_read16(dev, 0x06) & 0x10)) /* status: capability list */
		return 0;
	for (cap = pci_read8(dev, 0x34) & 0xFC; cap && n < 48; cap = pci_read8(dev, cap + 1) & 0xFC, n++) {
		if (pci_read8(dev, cap) != PCI_CAP_ID_VNDR)
			continue;
		if (pci_read8(dev, cap + VCAP_CFG_TYPE) != cfg_type)
			continue;
		if (bar >= 0 && pci_read8(dev, cap + VCAP_BAR) != bar)
			continue;
		return cap;
	}
	return 0;
}

int console_init(void)
{
	struct console_info *ci = &console_info;

	ci->found = 0;
	if (pci_read32(PCI_CONSOLE_DEV, 0) != PCI_CONSOLE_ID)
		return -1;
	ci->cfg_cap = pci_find_virtio_cap(PCI_CONSOLE_DEV, VIRTIO_PCI_CAP_PCI_CFG, -1);
	ci->device_cap = pci_find_virtio_cap(PCI_CONSOLE_DEV, VIRTIO_PCI_CAP_DEVICE_CFG, 0);
	if (!ci->cfg_cap || !ci->device_cap)
		return -1;
	ci->device_offset = pci_read32(PCI_CONSOLE_DEV, ci->device_cap + VCAP_OFFSET);
	ci->device_length = pci_read32(PCI_CONSOLE_DEV, ci->device_cap + VCAP_LENGTH);
	if (ci->device_length < VIRTIO_CONSOLE_EMERG_WR + 4)
		return -1;
	ci->found = 1;
	return 0;
}

/*
 * One character per 32-bit write of the window's data field.  Linux points
 * the window at emerg_wr before every character; doing it once per string
 * keeps a line at two port accesses per character.  Handlers may print too,
 * but they set the same window, so an interrupted string still lands.
 */
void console_write(const char *s, unsigned n)
{
	struct console_info *ci = &console_info;
	unsigned i;

	if (!ci->found)
		return;
	pci_write8(PCI_CONSOLE_DEV, ci->cfg_cap + VCAP_BAR, 0);
	pci_write32(PCI_CONSOLE_DEV, ci->cfg_cap + VCAP_LENGTH, 4);
	pci_write32(PCI_CONSOLE_DEV, ci->cfg_cap + VCAP_OFFSET, ci->device_offset + VIRTIO_CONSOLE_EMERG_WR);
	for (i = 0; i < n; i++)
		pci_write32(PCI_CONSOLE_DEV, ci->cfg_cap + VCAP_PCI_CFG_DATA, (uint8_t)s[i]);
}
