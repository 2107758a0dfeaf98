/*
 * hostile: block requests with no data: a read and a write with only a
 * header and a status byte, and a read whose data descriptor is 0 bytes
 * long.  A device may call them done or refuse them; either way it writes
 * the status byte (VIRTIO_BLK_S_OK or IOERR), uses 1 byte, and goes on.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

static void check(int st, uint32_t used_len, const char *what)
{
	if (st != VIRTIO_BLK_S_OK && st != VIRTIO_BLK_S_IOERR)
		bail_out("%s: status %d", what, st);
	if (used_len != 1)
		bail_out("%s: used length %u, expected 1 (the status byte)", what, used_len);
}

void guest_main(void)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();
	volatile uint8_t *status = (volatile uint8_t *)(hdr + 1);
	uint32_t data = page_alloc_phys(), used_len = 0;
	int st;

	kprintf("expect-survive: ^zero-length block requests: answered with a status, device goes on$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio block setup failed");

	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_IN, 0, 0, 0, &used_len);
	check(st, used_len, "a read with no data descriptor");
	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_OUT, 0, 0, 0, &used_len);
	check(st, used_len, "a write with no data descriptor");

	hdr->type = VIRTIO_BLK_T_IN;
	hdr->sector = 0;
	*status = 0xFF;
	q.desc[0].addr = virt_to_phys(hdr);
	q.desc[0].len = sizeof(*hdr);
	q.desc[0].flags = VRING_DESC_F_NEXT;
	q.desc[0].next = 1;
	q.desc[1].addr = data;
	q.desc[1].len = 0;
	q.desc[1].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	q.desc[1].next = 2;
	q.desc[2].addr = virt_to_phys(status);
	q.desc[2].len = 1;
	q.desc[2].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 0);
	if (!virtq_wait_used_polling(&dev, &q, 2000000))
		bail_out("a read with a 0-byte data descriptor never came back");
	check(*status, virtq_last_used(&q)->len, "a read with a 0-byte data descriptor");

	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_IN, 0, data, 512, &used_len);
	if (st != VIRTIO_BLK_S_OK || used_len != 513)
		bail_out("a normal read after them: status %d, used length %u", st, used_len);
	kprintf("zero-length block requests: answered with a status, device goes on\n");
	power_off();
}
