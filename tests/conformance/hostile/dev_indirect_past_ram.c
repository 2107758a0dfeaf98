/*
 * hostile: an indirect table of three entries that starts 16 bytes before
 * the end of RAM: two of its entries lie past it.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*virtqueue.*indirect.*(outside|past|beyond|RAM)\n");
	if (virtio_start_queue0(&dev, PCI_FIRST_EXTRA_DEV, VIRTIO_RING_F_INDIRECT_DESC, &q))
		bail_out("virtio block setup failed");
	if (!(virtio_device_features(&dev) & VIRTIO_RING_F_INDIRECT_DESC))
		bail_out("the block device does not offer INDIRECT_DESC");
	q.desc[0].addr = ram_size() - sizeof(struct vring_desc);
	q.desc[0].len = 3 * sizeof(struct vring_desc);
	q.desc[0].flags = VRING_DESC_F_INDIRECT;
	virtq_kick(&dev, &q, 0);
	virtq_wait_used(&q, 2000000);
	kprintf("still alive after an indirect table across the end of RAM\n");
}
