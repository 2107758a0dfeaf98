/*
 * hostile: an indirect table whose first entry is itself indirect (virtio
 * 1.0 2.4.5.3.1: the device must not see nested indirect tables).
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq q;

/* A well-formed read of sector 0: header, 512 bytes, status byte. */
static uint32_t read_request(volatile struct vring_desc *t)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();

	hdr->type = VIRTIO_BLK_T_IN;
	t[0].addr = virt_to_phys(hdr);
	t[0].len = sizeof(*hdr);
	t[0].flags = VRING_DESC_F_NEXT;
	t[0].next = 1;
	t[1].addr = page_alloc_phys();
	t[1].len = 512;
	t[1].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	t[1].next = 2;
	t[2].addr = virt_to_phys(hdr + 1);
	t[2].len = 1;
	t[2].flags = VRING_DESC_F_WRITE;
	return virt_to_phys(t);
}

void guest_main(void)
{
	volatile struct vring_desc *table = page_alloc(), *inner = page_alloc();

	kprintf("expect-kill: guest killed: .*virtqueue.*indirect.*(nest|inside|within)\n");
	if (virtio_start_queue0(&dev, PCI_FIRST_EXTRA_DEV, VIRTIO_RING_F_INDIRECT_DESC, &q))
		bail_out("virtio block setup failed");
	if (!(virtio_device_features(&dev) & VIRTIO_RING_F_INDIRECT_DESC))
		bail_out("the block device does not offer INDIRECT_DESC");
	table[0].addr = read_request(inner);
	table[0].len = 3 * sizeof(struct vring_desc);
	table[0].flags = VRING_DESC_F_INDIRECT;
	q.desc[0].addr = virt_to_phys(table);
	q.desc[0].len = sizeof(struct vring_desc);
	q.desc[0].flags = VRING_DESC_F_INDIRECT;
	virtq_kick(&dev, &q, 0);
	virtq_wait_used(&q, 2000000);
	kprintf("still alive after an indirect table inside an indirect table\n");
}
