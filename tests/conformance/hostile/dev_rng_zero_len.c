/*
 * hostile: entropy requests with nothing to fill: a device-writable buffer
 * of 0 bytes, and a chain of two of them.  The device returns each with
 * used length 0 (it cannot write a byte), then fills a real buffer.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

static void expect_used(uint16_t head, uint32_t len, const char *what)
{
	if (!virtq_wait_used(&q, 2000000))
		bail_out("%s never came back", what);
	if (virtq_last_used(&q)->id != head || virtq_last_used(&q)->len != len)
		bail_out("%s: used id %u length %u, expected %u and %u", what, virtq_last_used(&q)->id,
			 virtq_last_used(&q)->len, head, len);
}

void guest_main(void)
{
	volatile uint32_t *buf = page_alloc();
	uint32_t len;

	kprintf("expect-survive: ^zero-length entropy buffers: used length 0, then a real one is filled$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	q.desc[0].addr = virt_to_phys(buf);
	q.desc[0].len = 0;
	q.desc[0].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 0);
	expect_used(0, 0, "a 0-byte buffer");

	q.desc[1].addr = virt_to_phys(buf);
	q.desc[1].len = 0;
	q.desc[1].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	q.desc[1].next = 2;
	q.desc[2].addr = virt_to_phys(buf + 4);
	q.desc[2].len = 0;
	q.desc[2].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 1);
	expect_used(1, 0, "a chain of two 0-byte buffers");

	q.desc[3].addr = virt_to_phys(buf);
	q.desc[3].len = 64;
	q.desc[3].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 3);
	if (!virtq_wait_used(&q, 2000000))
		bail_out("a 64-byte buffer never came back");
	len = virtq_last_used(&q)->len;
	if (virtq_last_used(&q)->id != 3 || len == 0 || len > 64)
		bail_out("a 64-byte buffer: used id %u length %u", virtq_last_used(&q)->id, len);
	kprintf("zero-length entropy buffers: used length 0, then a real one is filled\n");
	power_off();
}
