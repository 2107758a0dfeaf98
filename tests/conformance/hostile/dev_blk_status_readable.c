/*
 * hostile: a block read whose status byte is in a device-readable buffer:
 * header and status both readable, nothing the device may write.  The
 * device cannot answer such a chain at all.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();

	kprintf("expect-kill: guest killed: .*(virtio-blk|block).*(writable|status)\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio block setup failed");
	hdr->type = VIRTIO_BLK_T_IN;
	q.desc[0].addr = virt_to_phys(hdr);
	q.desc[0].len = sizeof(*hdr);
	q.desc[0].flags = VRING_DESC_F_NEXT;
	q.desc[0].next = 1;
	q.desc[1].addr = virt_to_phys(hdr + 1);
	q.desc[1].len = 1;
	q.desc[1].flags = 0;
	virtq_kick(&dev, &q, 0);
	virtq_wait_used(&q, 2000000);
	kprintf("still alive after a block request with a read-only status byte\n");
}
