/*
 * hostile: queue_select names queues the console does not have (2, the
 * first past num_queues, and 0xffff), and the guest writes their size,
 * ring addresses and queue_enable.  virtio 1.0 4.1.4.3.2: the device
 * presents queue_size 0 for them; the writes must land nowhere.  Then the
 * real queues still work.
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

static void poke_missing(uint16_t index)
{
	uint32_t page = page_alloc_phys();

	mmio_write16(dev.common + VCOMMON_Q_SELECT, index);
	if (mmio_read16(dev.common + VCOMMON_Q_SIZE) != 0)
		bail_out("queue %u: queue_size reads %u, not 0", index, mmio_read16(dev.common + VCOMMON_Q_SIZE));
	virtq_setup_raw(&dev, index, 16, page, page, page);
	if (mmio_read16(dev.common + VCOMMON_Q_ENABLE) != 0)
		bail_out("queue %u: queue_enable reads 1 after enabling a missing queue", index);
	if (mmio_read16(dev.common + VCOMMON_Q_SIZE) != 0 || mmio_read32(dev.common + VCOMMON_Q_DESCLO) != 0)
		bail_out("queue %u: size or address writes stuck", index);
}

void guest_main(void)
{
	uint64_t offered;
	uint16_t numq, max;

	kprintf("expect-survive: ^missing queues: size 0, writes ignored, queues 0 and 1 still work$\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	numq = mmio_read16(dev.common + VCOMMON_NUMQ);
	mmio_write16(dev.common + VCOMMON_Q_SELECT, 1);
	max = mmio_read16(dev.common + VCOMMON_Q_SIZE);
	poke_missing(numq);
	poke_missing(0xFFFF);
	mmio_write16(dev.common + VCOMMON_Q_SELECT, 1);
	if (mmio_read16(dev.common + VCOMMON_Q_SIZE) != max || mmio_read32(dev.common + VCOMMON_Q_DESCLO) != 0 ||
	    mmio_read16(dev.common + VCOMMON_Q_ENABLE) != 0)
		bail_out("queue 1 changed while other queues were selected");
	if (virtq_setup(&dev, &rx, 0) || virtq_setup(&dev, &tx, 1))
		bail_out("virtio console queue setup failed");
	virtio_driver_ok(&dev);
	tx.desc[0].addr = page_alloc_phys();
	tx.desc[0].len = 0;
	virtq_kick(&dev, &tx, 0);
	if (!virtq_wait_used(&tx, 2000000))
		bail_out("the transmit queue does not work");
	kprintf("missing queues: size 0, writes ignored, queues 0 and 1 still work\n");
	power_off();
}
