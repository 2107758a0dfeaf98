/*
 * hostile: the transmit queue's used ring placed on its descriptor table.
 * Nothing in virtio 1.0 lets a device refuse that: it writes the used
 * element and index where it was told, over the guest's own descriptors,
 * and only the guest's data suffers.  The guest checks the device wrote
 * used->idx there, then resets the device, sets the queue up properly and
 * transmits again.
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

static const char msg1[] = "dev_vq_used_overlaps_desc: sent through overlapping rings\n";
static const char msg2[] = "dev_vq_used_overlaps_desc: sent after the reset\n";

static uint32_t copy_to_page(const char *s)
{
	char *page = page_alloc();

	memcpy(page, s, strlen(s));
	return virt_to_phys(page);
}

void guest_main(void)
{
	uint64_t offered;
	uint32_t table;
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile uint16_t *used_idx;

	kprintf("expect-survive: ^used ring on the descriptor table: used->idx 1 written there, device goes on$\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	table = page_alloc_phys();
	desc = phys_to_virt(table);
	avail = page_alloc();
	/* used->flags and used->idx are descriptor 0's address bits 0..31. */
	used_idx = (volatile uint16_t *)desc + 1;
	desc[0].addr = copy_to_page(msg1);
	desc[0].len = sizeof(msg1) - 1;
	desc[0].flags = 0;
	virtq_setup_raw(&dev, 1, 256, table, virt_to_phys(avail), table);
	virtio_driver_ok(&dev);
	avail->ring[0] = 0;
	barrier();
	avail->idx = 1;
	barrier();
	mmio_write16(dev.notify + mmio_read16(dev.common + VCOMMON_Q_NOFF) * dev.notify_mult, 1);
	if (!WAIT_UNTIL(*used_idx == 1, 2000000))
		bail_out("used->idx reads %#x in the descriptor table, not 1", *used_idx);

	/* The device is still usable. */
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup after the reset failed");
	tx.desc[0].addr = copy_to_page(msg2);
	tx.desc[0].len = sizeof(msg2) - 1;
	virtq_kick(&dev, &tx, 0);
	if (!virtq_wait_used(&tx, 2000000))
		bail_out("the transmit queue does not work after the reset");
	kprintf("used ring on the descriptor table: used->idx 1 written there, device goes on\n");
	power_off();
}
