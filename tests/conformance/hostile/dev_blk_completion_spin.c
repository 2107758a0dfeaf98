/*
 * hostile (mildly): a driver that waits for block completions by spinning
 * on the used ring in memory, interrupts off, never halting and never
 * touching a device register: the guest makes no exit of its own while it
 * waits.  Block I/O completes asynchronously on the host (io_uring), so
 * the host must interrupt the running vCPU to post it; every one of 32
 * reads must come back within 2 s all the same.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV
#define READS 32

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();
	volatile uint8_t *status = (volatile uint8_t *)(hdr + 1);
	uint32_t data = page_alloc_phys();
	unsigned i;

	kprintf("expect-survive: ^spinning on the used ring: all %u reads came back$\n", READS);
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio block setup failed");
	q.desc[0].addr = virt_to_phys(hdr);
	q.desc[0].len = sizeof(*hdr);
	q.desc[0].flags = VRING_DESC_F_NEXT;
	q.desc[0].next = 1;
	q.desc[1].addr = data;
	q.desc[1].len = 512;
	q.desc[1].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	q.desc[1].next = 2;
	q.desc[2].addr = virt_to_phys(status);
	q.desc[2].len = 1;
	q.desc[2].flags = VRING_DESC_F_WRITE;
	for (i = 0; i < READS; i++) {
		hdr->type = VIRTIO_BLK_T_IN;
		hdr->sector = i;
		*status = 0xFF;
		virtq_kick(&dev, &q, 0);
		if (!virtq_wait_used(&q, 2000000))
			bail_out("read %u of sector %u: no completion within 2 s while the guest spun", i, i);
		if (*status != VIRTIO_BLK_S_OK)
			bail_out("read %u: status %u", i, *status);
	}
	kprintf("spinning on the used ring: all %u reads came back\n", READS);
	power_off();
}
