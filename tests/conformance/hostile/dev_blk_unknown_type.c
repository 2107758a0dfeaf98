/*
 * hostile: block requests of types the device does not know (3, 0x7f,
 * 0xffffffff, and DISCARD, 11, never offered), with readable and with
 * writable data.  virtio 1.0 5.2.6: the answer is VIRTIO_BLK_S_UNSUPP,
 * only the status byte used, no data written.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV
#define MARK 0xC3C3C3C3u

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	static const uint32_t types[] = { 3, 0x7F, 0xFFFFFFFFu, 11 };
	struct virtio_blk_req_hdr *hdr = page_alloc();
	volatile uint8_t *status = (volatile uint8_t *)(hdr + 1);
	volatile uint32_t *data = page_alloc();
	uint32_t used_len;
	unsigned i;
	int st;

	kprintf("expect-survive: ^unknown block request types: UNSUPP, nothing written$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio block setup failed");
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		/* Readable data (the helper's choice for these types). */
		st = virtio_blk_request(&dev, &q, types[i], 0, virt_to_phys(data), 512, &used_len);
		if (st != VIRTIO_BLK_S_UNSUPP || used_len != 1)
			bail_out("type %#x: status %d used length %u, expected UNSUPP and 1", types[i], st, used_len);

		/* Writable data: header, 512 bytes, status. */
		data[0] = data[127] = MARK;
		hdr->type = types[i];
		hdr->sector = 0;
		*status = 0xFF;
		q.desc[0].addr = virt_to_phys(hdr);
		q.desc[0].len = sizeof(*hdr);
		q.desc[0].flags = VRING_DESC_F_NEXT;
		q.desc[0].next = 1;
		q.desc[1].addr = virt_to_phys(data);
		q.desc[1].len = 512;
		q.desc[1].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
		q.desc[1].next = 2;
		q.desc[2].addr = virt_to_phys(status);
		q.desc[2].len = 1;
		q.desc[2].flags = VRING_DESC_F_WRITE;
		virtq_kick(&dev, &q, 0);
		if (!virtq_wait_used_polling(&dev, &q, 2000000))
			bail_out("type %#x with writable data never came back", types[i]);
		if (*status != VIRTIO_BLK_S_UNSUPP || virtq_last_used(&q)->len != 1)
			bail_out("type %#x with writable data: status %u used length %u", types[i], *status,
				 virtq_last_used(&q)->len);
		if (data[0] != MARK || data[127] != MARK)
			bail_out("type %#x wrote into the data buffer", types[i]);
	}
	kprintf("unknown block request types: UNSUPP, nothing written\n");
	power_off();
}
