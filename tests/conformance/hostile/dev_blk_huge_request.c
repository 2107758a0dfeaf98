/*
 * hostile: block requests larger than the whole 1 MiB disk, from sector 0:
 * a read into one 2 MiB buffer, a write from it, and a read scattered
 * over three 512 KiB segments (1.5 MiB).  Each is answered
 * VIRTIO_BLK_S_IOERR; the buffers keep their contents and the disk stays
 * zero (and 1 MiB long: a written-through file would have grown).
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV
#define BIG (2u << 20)
#define SEG (512u << 10)
#define MARK 0x5A5A5A5Au

static struct virtio_dev dev;
static struct virtq q;

/* Contiguous pages: the allocator hands them out in order. */
static uint32_t alloc_contiguous(uint32_t bytes)
{
	uint32_t first = page_alloc_phys(), n;

	for (n = PAGE_SIZE; n < bytes; n += PAGE_SIZE)
		if (page_alloc_phys() != first + n)
			bail_out("pages are not contiguous");
	return first;
}

static void mark(uint32_t pa, uint32_t len)
{
	uint32_t off;

	for (off = 0; off < len; off += SEG / 2)
		*(volatile uint32_t *)phys_to_virt(pa + off) = MARK;
	*(volatile uint32_t *)phys_to_virt(pa + len - 4) = MARK;
}

static void expect_marks(uint32_t pa, uint32_t len, const char *after)
{
	uint32_t off;

	for (off = 0; off < len; off += SEG / 2)
		if (*(volatile uint32_t *)phys_to_virt(pa + off) != MARK)
			bail_out("the buffer changed at +%#x after %s", off, after);
	if (*(volatile uint32_t *)phys_to_virt(pa + len - 4) != MARK)
		bail_out("the buffer's last word changed after %s", after);
}

void guest_main(void)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();
	volatile uint8_t *status = (volatile uint8_t *)(hdr + 1);
	uint32_t big = alloc_contiguous(BIG), sector0 = page_alloc_phys();
	volatile uint32_t *s0 = phys_to_virt(sector0);
	unsigned i;
	int st;

	kprintf("expect-survive: ^requests larger than the disk: IOERR, buffers and disk untouched$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio block setup failed");
	mark(big, BIG);

	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_IN, 0, big, BIG, 0);
	if (st != VIRTIO_BLK_S_IOERR)
		bail_out("a 2 MiB read: status %d, expected IOERR", st);
	expect_marks(big, BIG, "a 2 MiB read");
	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_OUT, 0, big, BIG, 0);
	if (st != VIRTIO_BLK_S_IOERR)
		bail_out("a 2 MiB write: status %d, expected IOERR", st);

	/* Header, three 512 KiB segments, status. */
	hdr->type = VIRTIO_BLK_T_IN;
	hdr->sector = 0;
	*status = 0xFF;
	q.desc[0].addr = virt_to_phys(hdr);
	q.desc[0].len = sizeof(*hdr);
	q.desc[0].flags = VRING_DESC_F_NEXT;
	q.desc[0].next = 1;
	for (i = 1; i <= 3; i++) {
		q.desc[i].addr = big + (i - 1) * SEG;
		q.desc[i].len = SEG;
		q.desc[i].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
		q.desc[i].next = (uint16_t)(i + 1);
	}
	q.desc[4].addr = virt_to_phys(status);
	q.desc[4].len = 1;
	q.desc[4].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 0);
	if (!virtq_wait_used_polling(&dev, &q, 2000000) || *status != VIRTIO_BLK_S_IOERR)
		bail_out("a 1.5 MiB read in three segments: status %u, expected IOERR", *status);
	expect_marks(big, BIG, "a 1.5 MiB read in three segments");

	/* The disk: sector 0 still zero, and the last sector still the last. */
	s0[0] = MARK;
	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_IN, 0, sector0, 512, 0);
	if (st != VIRTIO_BLK_S_OK || s0[0] != 0)
		bail_out("sector 0 after the big write: status %d, first word %#x", st, s0[0]);
	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_IN, 2048, sector0, 512, 0);
	if (st != VIRTIO_BLK_S_IOERR)
		bail_out("sector 2048 reads with status %d: the disk grew", st);
	kprintf("requests larger than the disk: IOERR, buffers and disk untouched\n");
	power_off();
}
