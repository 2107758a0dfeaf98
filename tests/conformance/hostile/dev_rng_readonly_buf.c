/*
 * hostile: an entropy request in a device-readable buffer (virtio 1.0
 * 5.4.6: the driver must not place readable buffers on the queue).  The
 * device has nowhere to write: it returns the buffer with used length 0
 * and leaves its contents alone.  A chain of a readable buffer followed by
 * a writable one gets only the writable one filled.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV
#define MARK 0x3C3C3C3Cu

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	volatile uint32_t *ro = page_alloc(), *rw = page_alloc();
	uint32_t len;
	unsigned i;

	kprintf("expect-survive: ^read-only entropy buffer: used length 0, contents kept$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	for (i = 0; i < 16; i++)
		ro[i] = MARK;
	q.desc[0].addr = virt_to_phys(ro);
	q.desc[0].len = 64;
	q.desc[0].flags = 0;
	virtq_kick(&dev, &q, 0);
	if (!virtq_wait_used(&q, 2000000))
		bail_out("the read-only buffer never came back");
	if (virtq_last_used(&q)->len != 0)
		bail_out("the read-only buffer came back with used length %u", virtq_last_used(&q)->len);

	q.desc[1].addr = virt_to_phys(ro);
	q.desc[1].len = 64;
	q.desc[1].flags = VRING_DESC_F_NEXT;
	q.desc[1].next = 2;
	q.desc[2].addr = virt_to_phys(rw);
	q.desc[2].len = 64;
	q.desc[2].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 1);
	if (!virtq_wait_used(&q, 2000000))
		bail_out("the readable+writable chain never came back");
	len = virtq_last_used(&q)->len;
	if (len == 0 || len > 64)
		bail_out("the readable+writable chain came back with used length %u", len);
	for (i = 0; i < 16; i++)
		if (ro[i] != MARK)
			bail_out("the device wrote into the read-only buffer (word %u: %#x)", i, ro[i]);
	kprintf("read-only entropy buffer: used length 0, contents kept\n");
	power_off();
}
