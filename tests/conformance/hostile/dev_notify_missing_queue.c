/*
 * hostile: notifications for queues the console does not have: index 2
 * (num_queues), 0x7fff and 0xffff, as words and as dwords.  The device
 * ignores them; the transmit queue's next notification still works.
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

static const char msg[] = "dev_notify_missing_queue: sent after the bad notifications\n";

void guest_main(void)
{
	static const uint16_t bad[] = { 2, 0x7FFF, 0xFFFF };
	uint32_t notify;
	char *page = page_alloc();
	unsigned i;

	kprintf("expect-survive: ^notify of missing queues: ignored, queue 1 still works$\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	if (mmio_read16(dev.common + VCOMMON_NUMQ) != 2)
		bail_out("the console has %u queues, not 2", mmio_read16(dev.common + VCOMMON_NUMQ));
	notify = dev.notify + (uint32_t)tx.notify_off * dev.notify_mult;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mmio_write16(notify, bad[i]);
		mmio_write32(notify, bad[i]);
		mmio_write32(notify, 0xFFFF0000u | bad[i]);
	}
	if ((virtio_status(&dev) & 0xF) != 0xF)
		bail_out("device status %#x after the bad notifications", virtio_status(&dev));
	memcpy(page, msg, sizeof(msg) - 1);
	tx.desc[0].addr = virt_to_phys(page);
	tx.desc[0].len = sizeof(msg) - 1;
	virtq_kick(&dev, &tx, 0);
	if (!virtq_wait_used(&tx, 2000000))
		bail_out("the transmit queue stopped after the bad notifications");
	kprintf("notify of missing queues: ignored, queue 1 still works\n");
	power_off();
}
