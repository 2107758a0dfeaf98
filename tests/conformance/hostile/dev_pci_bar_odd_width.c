/*
 * hostile: BAR writes of every width: bytes into the read-only flag and
 * size bits, a byte and a word into the address bits, all ones (sizing),
 * and writes to the BARs and expansion ROM the device does not implement.
 * Only the address bits above the BAR's size change, byte by byte, as on a
 * real PCI device; the unimplemented BARs stay 0.  Put back, BAR 0 decodes
 * again.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

static void expect_bar(uint32_t want, const char *after)
{
	uint32_t v = pci_read32(DEV, 0x10);

	if (v != want)
		bail_out("BAR 0 reads %#x after %s, expected %#x", v, after, want);
}

void guest_main(void)
{
	uint32_t orig, size, v;
	unsigned off, i;

	kprintf("expect-survive: ^odd-width BAR writes: only address bits above the size change, BAR 0 decodes$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	orig = pci_read32(DEV, 0x10);
	if (orig & 0xFFF)
		bail_out("BAR 0 %#x is not a page-aligned 32-bit memory BAR", orig);

	/* Sizing: all ones reads back ~(size - 1), flags 0. */
	pci_write32(DEV, 0x10, 0xFFFFFFFFu);
	v = pci_read32(DEV, 0x10);
	size = ~(v & ~0xFu) + 1;
	if ((v & 0xF) || !size || (size & (size - 1)) || size < PAGE_SIZE)
		bail_out("BAR 0 sizing reads %#x", v);
	pci_write32(DEV, 0x10, orig);
	expect_bar(orig, "restoring it");

	/* Byte 0 holds flags and size bits only: read-only. */
	pci_write8(DEV, 0x10, 0xFF);
	expect_bar(orig, "writing 0xff to byte 0");
	/* Byte 1: only the bits at and above the size. */
	pci_write8(DEV, 0x11, 0xFF);
	expect_bar((orig & ~0xFF00u) | (0xFF00u & ~(size - 1)), "writing 0xff to byte 1");
	pci_write8(DEV, 0x11, (uint8_t)(orig >> 8));
	expect_bar(orig, "restoring byte 1");
	/* The upper word alone. */
	pci_write16(DEV, 0x12, 0xABCD);
	expect_bar(0xABCD0000u | (orig & 0xFFFF), "writing 0xabcd to bytes 2-3");
	pci_write8(DEV, 0x13, (uint8_t)(orig >> 24));
	pci_write8(DEV, 0x12, (uint8_t)(orig >> 16));
	expect_bar(orig, "restoring bytes 3 and 2");

	/* BARs 1-5 and the expansion ROM: not implemented, hard-wired 0. */
	for (off = 0x14; off <= 0x30; off += 4) {
		if (off == 0x28 || off == 0x2C)
			continue; /* CardBus CIS pointer, subsystem IDs */
		for (i = 0; i < 4; i++)
			pci_write8(DEV, off + i, 0xFF);
		pci_write16(DEV, off + 2, 0xFFFF);
		pci_write32(DEV, off, 0xFFFFFFFFu);
		if (pci_read32(DEV, off) != 0)
			bail_out("unimplemented BAR at %#x reads %#x after writes", off, pci_read32(DEV, off));
	}
	if (mmio_read16(dev.common + VCOMMON_NUMQ) != 1)
		bail_out("BAR 0 does not decode after the writes (num_queues %#x)",
			 mmio_read16(dev.common + VCOMMON_NUMQ));
	kprintf("odd-width BAR writes: only address bits above the size change, BAR 0 decodes\n");
	power_off();
}
