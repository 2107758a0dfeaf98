/*
 * hostile: configuration accesses that name nothing in a device's 256
 * bytes: offsets past 256 (the extended-register bits 24-27 of 0xCF8),
 * functions 1-7 of a single-function device, bus 1, an empty slot, and
 * port accesses that straddle the end of 0xCF8 or 0xCFC.  Each read gives
 * all ones and each write is dropped: none may alias onto the device's
 * real registers (command, BAR 0, cache line size, latency timer).
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV
#define CF8 0xCF8
#define CFC 0xCFC

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	return 0x80000000u | (off & 0xF00) << 16 | bus << 16 | dev << 11 | fn << 8 | (off & 0xFC);
}

static uint32_t raw_read(uint32_t addr)
{
	outl(CF8, addr);
	return inl(CFC);
}

static void raw_write(uint32_t addr, uint32_t v)
{
	outl(CF8, addr);
	outl(CFC, v);
}

static void expect_ones(uint32_t addr)
{
	uint32_t v = raw_read(addr);

	if (v != 0xFFFFFFFFu)
		bail_out("config address %#x reads %#x, not all ones", addr, v);
}

void guest_main(void)
{
	static const uint32_t ext[] = { 0x100, 0x104, 0x110, 0x134, 0xFFC };
	uint32_t id, cmd, bar0, line, latch;
	unsigned i, fn;

	kprintf("expect-survive: ^config accesses out of range: all ones, writes dropped, no aliasing$\n");
	id = pci_read32(DEV, 0x00);
	if ((id & 0xFFFF) != 0x1AF4)
		bail_out("no virtio device at 00:%02x.0 (id %#x)", DEV, id);
	cmd = pci_read16(DEV, 0x04);
	bar0 = pci_read32(DEV, 0x10);
	if (!(cmd & 2) || !bar0)
		bail_out("00:%02x.0 does not decode memory", DEV);

	/* Offsets 0x100 and up: 0x104 and 0x110 would alias command and BAR 0. */
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		expect_ones(cfg_addr(0, DEV, 0, ext[i]));
		raw_write(cfg_addr(0, DEV, 0, ext[i]), 0);
	}
	/* Functions 1-7, bus 1, an empty slot. */
	for (fn = 1; fn < 8; fn++) {
		expect_ones(cfg_addr(0, DEV, fn, 0));
		raw_write(cfg_addr(0, DEV, fn, 0x04), 0);
		raw_write(cfg_addr(0, DEV, fn, 0x10), 0);
	}
	expect_ones(cfg_addr(1, DEV, 0, 0));
	raw_write(cfg_addr(1, DEV, 0, 0x04), 0);
	raw_write(cfg_addr(1, DEV, 0, 0x10), 0);
	expect_ones(cfg_addr(0, 31, 0, 0));
	if (pci_read16(DEV, 0x04) != cmd || pci_read32(DEV, 0x10) != bar0 || pci_read32(DEV, 0x00) != id)
		bail_out("a write out of range reached 00:%02x.0 (command %#x, BAR 0 %#x)", DEV, pci_read16(DEV, 0x04),
			 pci_read32(DEV, 0x10));

	/* Straddling the data port: cache line size and latency timer (0x0C,
	 * 0x0D) are writable, so a write that landed would show. */
	pci_write8(DEV, 0x0C, 0x10);
	pci_write8(DEV, 0x0D, 0x20);
	line = pci_read32(DEV, 0x0C);
	if ((line & 0xFFFF) != 0x2010)
		bail_out("cache line size/latency timer read %#x after writing 0x10/0x20", line & 0xFFFF);
	outl(CF8, cfg_addr(0, DEV, 0, 0x0C));
	outl(CFC + 1, 0);
	outw(CFC + 3, 0);
	outl(CFC + 2, 0);
	outl(CFC + 3, 0);
	if (inl(CFC + 1) != 0xFFFFFFFFu || inw(CFC + 3) != 0xFFFF || inl(CFC + 2) != 0xFFFFFFFFu)
		bail_out("a read straddling 0xCFF is not all ones");
	if (pci_read32(DEV, 0x0C) != line)
		bail_out("a write straddling 0xCFF changed 0x0C to %#x (was %#x)", pci_read32(DEV, 0x0C), line);

	/* Straddling the address latch into the data port: neither changes. */
	latch = cfg_addr(0, DEV, 0, 0x0C);
	outl(CF8, latch);
	outw(CF8 + 3, 0x1234);
	outl(CF8 + 2, 0);
	if (inl(CF8 + 2) != 0xFFFFFFFFu)
		bail_out("a read straddling 0xCFB is not all ones");
	if (inl(CF8) != latch)
		bail_out("a write straddling 0xCFB changed the address latch to %#x", inl(CF8));
	if (inl(CFC) != line)
		bail_out("a write straddling 0xCFB changed 0x0C");

	kprintf("config accesses out of range: all ones, writes dropped, no aliasing\n");
	power_off();
}
