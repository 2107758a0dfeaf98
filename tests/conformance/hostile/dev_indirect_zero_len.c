/*
 * hostile: an indirect descriptor whose table is 0 bytes long: no entries
 * at all, so no chain.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	volatile struct vring_desc *table = page_alloc();

	kprintf("expect-kill: guest killed: .*virtqueue.*indirect.*(length|len|empty|size)\n");
	if (virtio_start_queue0(&dev, PCI_FIRST_EXTRA_DEV, VIRTIO_RING_F_INDIRECT_DESC, &q))
		bail_out("virtio block setup failed");
	if (!(virtio_device_features(&dev) & VIRTIO_RING_F_INDIRECT_DESC))
		bail_out("the block device does not offer INDIRECT_DESC");
	q.desc[0].addr = virtio_blk_read_table(table);
	q.desc[0].len = 0;
	q.desc[0].flags = VRING_DESC_F_INDIRECT;
	virtq_kick(&dev, &q, 0);
	virtq_wait_used(&q, 2000000);
	kprintf("still alive after a zero-length indirect table\n");
}
