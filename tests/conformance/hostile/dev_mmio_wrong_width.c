/*
 * hostile: common-configuration registers written with the wrong width
 * (virtio 1.0 4.1.3.1: each field has its natural width): device_status
 * as a word and a dword, queue_select and device_feature_select as a
 * byte, and the notify register as a byte.  Each write is dropped: the
 * device is not reset, the selects keep their values, a byte notify uses
 * no buffer; written right, everything works.
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
	uint32_t *buf = page_alloc();
	uint16_t idx;

	kprintf("expect-survive: ^wrong-width writes: dropped; natural-width ones work$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");

	mmio_write16(dev.common + VCOMMON_STATUS, 0);
	mmio_write32(dev.common + VCOMMON_STATUS, 0);
	expect(virtio_status(&dev) & 0xF, 0xF, "device_status after word and dword writes of 0");

	mmio_write16(dev.common + VCOMMON_Q_SELECT, 0);
	mmio_write8(dev.common + VCOMMON_Q_SELECT, 5);
	mmio_write32(dev.common + VCOMMON_Q_SELECT, 5);
	expect(mmio_read16(dev.common + VCOMMON_Q_SELECT), 0, "queue_select after byte and dword writes");

	mmio_write32(dev.common + VCOMMON_DFSELECT, 0);
	mmio_write8(dev.common + VCOMMON_DFSELECT, 1);
	mmio_write16(dev.common + VCOMMON_DFSELECT, 1);
	expect(mmio_read32(dev.common + VCOMMON_DFSELECT), 0, "device_feature_select after byte and word writes");
	mmio_write32(dev.common + VCOMMON_DFSELECT, 1);
	expect(mmio_read32(dev.common + VCOMMON_DF) & 1, 1, "device_feature bit 32 (VERSION_1)");

	/* A chain, made available, notified with a byte: not a notification. */
	q.desc[0].addr = virt_to_phys(buf);
	q.desc[0].len = 16;
	q.desc[0].flags = VRING_DESC_F_WRITE;
	idx = q.avail->idx;
	q.avail->ring[idx % q.size] = 0;
	barrier();
	q.avail->idx = (uint16_t)(idx + 1);
	barrier();
	mmio_write8(dev.notify + (uint32_t)q.notify_off * dev.notify_mult, (uint8_t)q.index);
	if (WAIT_UNTIL(q.used->idx != 0, 100000))
		bail_out("a byte-wide notification was taken");
	mmio_write16(dev.notify + (uint32_t)q.notify_off * dev.notify_mult, (uint16_t)q.index);
	if (!virtq_wait_used(&q, 2000000) || virtq_last_used(&q)->len == 0)
		bail_out("the rng serves no request after a 16-bit notification");
	kprintf("wrong-width writes: dropped; natural-width ones work\n");
	power_off();
}
