/*
 * hostile: a descriptor with both INDIRECT and NEXT (virtio 1.0 2.4.5.3.1:
 * the driver must not set both), pointing at a good table.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	volatile struct vring_desc *table = page_alloc();

	kprintf("expect-kill: guest killed: .*virtqueue.*indirect.*next\n");
	if (virtio_start_queue0(&dev, PCI_FIRST_EXTRA_DEV, VIRTIO_RING_F_INDIRECT_DESC, &q))
		bail_out("virtio block setup failed");
	if (!(virtio_device_features(&dev) & VIRTIO_RING_F_INDIRECT_DESC))
		bail_out("the block device does not offer INDIRECT_DESC");
	q.desc[0].addr = virtio_blk_read_table(table);
	q.desc[0].len = 3 * sizeof(struct vring_desc);
	q.desc[0].flags = VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT;
	q.desc[0].next = 1;
	q.desc[1].addr = page_alloc_phys();
	q.desc[1].len = 1;
	q.desc[1].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 0);
	virtq_wait_used(&q, 2000000);
	kprintf("still alive after an indirect descriptor with NEXT\n");
}
