/*
 * hostile: an indirect table whose first entry is itself indirect (virtio
 * 1.0 2.4.5.3.1: the device must not see nested indirect tables).
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	volatile struct vring_desc *table = page_alloc(), *inner = page_alloc();

	kprintf("expect-kill: guest killed: .*virtqueue.*indirect.*(nest|inside|within)\n");
	if (virtio_start_queue0(&dev, PCI_FIRST_EXTRA_DEV, VIRTIO_RING_F_INDIRECT_DESC, &q))
		bail_out("virtio block setup failed");
	if (!(virtio_device_features(&dev) & VIRTIO_RING_F_INDIRECT_DESC))
		bail_out("the block device does not offer INDIRECT_DESC");
	table[0].addr = virtio_blk_read_table(inner);
	table[0].len = 3 * sizeof(struct vring_desc);
	table[0].flags = VRING_DESC_F_INDIRECT;
	q.desc[0].addr = virt_to_phys(table);
	q.desc[0].len = sizeof(struct vring_desc);
	q.desc[0].flags = VRING_DESC_F_INDIRECT;
	virtq_kick(&dev, &q, 0);
	virtq_wait_used(&q, 2000000);
	kprintf("still alive after an indirect table inside an indirect table\n");
}
