/*
 * hostile: the transmit queue set up and enabled before FEATURES_OK
 * (virtio 1.0 3.1.1 sets queues up after it: the ring features are not
 * fixed yet).  The device ignores the enable: queue_enable reads 0 and a
 * notification uses nothing.  After FEATURES_OK the same queue enables and
 * works.
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

#define TX 1

void guest_main(void)
{
	volatile struct vring_desc *desc = page_alloc();
	volatile struct vring_avail *avail = page_alloc();
	volatile struct vring_used *used = page_alloc();
	uint16_t noff;

	kprintf("expect-survive: ^enable before FEATURES_OK: ignored; enabled after it and used a buffer$\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV))
		bail_out("virtio console probe failed");
	mmio_write8(dev.common + VCOMMON_STATUS, 0);
	mmio_write8(dev.common + VCOMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	mmio_write8(dev.common + VCOMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mmio_write32(dev.common + VCOMMON_GFSELECT, 0);
	mmio_write32(dev.common + VCOMMON_GF, (uint32_t)VIRTIO_CONSOLE_F_EMERG_WRITE);
	mmio_write32(dev.common + VCOMMON_GFSELECT, 1);
	mmio_write32(dev.common + VCOMMON_GF, (uint32_t)(VIRTIO_F_VERSION_1 >> 32));

	desc[0].addr = page_alloc_phys();
	desc[0].len = 0;
	avail->ring[0] = 0;
	avail->idx = 1;
	virtq_setup_raw(&dev, TX, 256, virt_to_phys(desc), virt_to_phys(avail), virt_to_phys(used));
	if (mmio_read16(dev.common + VCOMMON_Q_ENABLE) != 0)
		bail_out("queue_enable reads 1 before FEATURES_OK");
	noff = mmio_read16(dev.common + VCOMMON_Q_NOFF);
	mmio_write16(dev.notify + (uint32_t)noff * dev.notify_mult, TX);
	if (WAIT_UNTIL(used->idx != 0, 100000))
		bail_out("the device used a buffer of a queue enabled before FEATURES_OK");

	mmio_write8(dev.common + VCOMMON_STATUS,
		    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(&dev) & VIRTIO_STATUS_FEATURES_OK))
		bail_out("FEATURES_OK refused");
	virtq_setup_raw(&dev, TX, 256, virt_to_phys(desc), virt_to_phys(avail), virt_to_phys(used));
	if (mmio_read16(dev.common + VCOMMON_Q_ENABLE) != 1)
		bail_out("queue_enable reads 0 after FEATURES_OK");
	virtio_driver_ok(&dev);
	mmio_write16(dev.notify + (uint32_t)noff * dev.notify_mult, TX);
	if (!WAIT_UNTIL(used->idx == 1, 2000000))
		bail_out("the queue enabled after FEATURES_OK used nothing");
	kprintf("enable before FEATURES_OK: ignored; enabled after it and used a buffer\n");
	power_off();
}
