/*
 * hostile: MMIO at the edges of the rng's BAR 0 (the last BAR on the bus):
 * its last byte, word and dword, accesses straddling its end and reaching
 * past it, and accesses straddling the ends of the common configuration
 * and notify regions inside it.  Where no register lives a read gives all
 * ones and a write is dropped; the device stays live and keeps serving.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

static void expect(uint32_t got, uint32_t want, const char *what)
{
	if (got != want)
		bail_out("%s reads %#x, expected %#x", what, got, want);
}

void guest_main(void)
{
	uint32_t size, bar, used_hi, *buf = page_alloc();

	kprintf("expect-survive: ^BAR edges: all ones where nothing lives, writes dropped, device live$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	pci_write32(DEV, 0x10, 0xFFFFFFFFu);
	size = ~(pci_read32(DEV, 0x10) & ~0xFu) + 1;
	pci_write32(DEV, 0x10, dev.bar0_phys);
	/* The BAR and the page after it (nothing decodes there). */
	bar = iomap(dev.bar0_phys, size + PAGE_SIZE);

	expect(mmio_read8(bar + size - 1), 0xFF, "the BAR's last byte");
	expect(mmio_read16(bar + size - 2), 0xFFFF, "the BAR's last word");
	expect(mmio_read32(bar + size - 4), 0xFFFFFFFFu, "the BAR's last dword");
	expect(mmio_read32(bar + size - 2), 0xFFFFFFFFu, "a dword straddling the BAR's end");
	expect(mmio_read16(bar + size - 1), 0xFFFF, "a word straddling the BAR's end");
	expect(mmio_read32(bar + size - 1), 0xFFFFFFFFu, "a dword straddling the BAR's end by 3");
	expect(mmio_read32(bar + size), 0xFFFFFFFFu, "the dword after the BAR");
	mmio_write8(bar + size - 1, 0);
	mmio_write16(bar + size - 1, 0);
	mmio_write32(bar + size - 2, 0);
	mmio_write32(bar + size - 1, 0);
	mmio_write32(bar + size, 0);

	/* Inside the BAR: across the end of the common configuration (56
	 * bytes) and of the 2-byte notify register. */
	mmio_write16(dev.common + VCOMMON_Q_SELECT, 0);
	used_hi = mmio_read32(dev.common + VCOMMON_Q_USEDHI);
	(void)mmio_read32(dev.common + 54);
	mmio_write32(dev.common + 54, 0xFFFFFFFFu);
	mmio_write16(dev.common + 55, 0xFFFF);
	expect(mmio_read32(dev.common + VCOMMON_Q_USEDHI), used_hi, "queue_used_hi after writes across its end");
	mmio_write16(dev.notify + 1, 0);
	mmio_write32(dev.notify + 1, 0);
	mmio_write16(dev.isr - 1, 0);
	(void)mmio_read16(dev.isr - 1);

	expect(virtio_status(&dev) & 0xF, 0xF, "device_status");
	expect(mmio_read16(dev.common + VCOMMON_NUMQ), 1, "num_queues");
	q.desc[0].addr = virt_to_phys(buf);
	q.desc[0].len = 16;
	q.desc[0].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 0);
	if (!virtq_wait_used(&q, 2000000) || virtq_last_used(&q)->len == 0)
		bail_out("the rng serves no request after the edge accesses");
	kprintf("BAR edges: all ones where nothing lives, writes dropped, device live\n");
	power_off();
}
