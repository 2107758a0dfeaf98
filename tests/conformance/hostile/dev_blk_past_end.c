/*
 * hostile: block requests beyond the 1 MiB disk: reads and writes at the
 * first sector past the end, a read that starts on the last sector and
 * runs past it, and sectors so large that sector * 512 wraps 64 bits
 * (2^55 would wrap to offset 0, 2^64-1 to almost 0).  Each is answered
 * VIRTIO_BLK_S_IOERR without touching the guest's buffer or the disk; the
 * last sector itself reads fine.
 * lgkvm-options: --block=@DISK@
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV
#define MARK 0xA5A5A5A5u

static struct virtio_dev dev;
static struct virtq q;
static volatile uint32_t *buf;

static void expect_status(uint32_t type, uint64_t sector, uint32_t len, int want)
{
	int st = virtio_blk_request(&dev, &q, type, sector, virt_to_phys(buf), len, 0);

	if (st != want)
		bail_out("type %u sector %#llx len %u: status %d, expected %d", type, sector, len, st, want);
}

static void expect_marks(const char *after)
{
	if (buf[0] != MARK || buf[127] != MARK || buf[128] != MARK || buf[255] != MARK)
		bail_out("the data buffer changed after %s", after);
}

void guest_main(void)
{
	uint64_t cap;

	kprintf("expect-survive: ^past the end of the disk: IOERR, buffers and disk untouched$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q) || !dev.device)
		bail_out("virtio block setup failed");
	cap = mmio_read32(dev.device) | (uint64_t)mmio_read32(dev.device + 4) << 32;
	if (cap != 2048)
		bail_out("capacity %llu sectors, expected 2048 (a 1 MiB disk)", cap);
	buf = page_alloc();
	memset((void *)buf, 0xA5, 1024);

	expect_status(VIRTIO_BLK_T_IN, cap, 512, VIRTIO_BLK_S_IOERR);
	expect_status(VIRTIO_BLK_T_IN, cap - 1, 1024, VIRTIO_BLK_S_IOERR);
	expect_status(VIRTIO_BLK_T_IN, 1ull << 55, 512, VIRTIO_BLK_S_IOERR);
	expect_status(VIRTIO_BLK_T_IN, ~0ull, 512, VIRTIO_BLK_S_IOERR);
	expect_marks("reads past the end");
	expect_status(VIRTIO_BLK_T_OUT, cap, 512, VIRTIO_BLK_S_IOERR);
	expect_status(VIRTIO_BLK_T_OUT, cap - 1, 1024, VIRTIO_BLK_S_IOERR);
	expect_status(VIRTIO_BLK_T_OUT, 1ull << 55, 512, VIRTIO_BLK_S_IOERR);
	expect_status(VIRTIO_BLK_T_OUT, ~0ull, 512, VIRTIO_BLK_S_IOERR);

	/* The disk is still all zeros where a wrapped write would have landed. */
	expect_status(VIRTIO_BLK_T_IN, 0, 1024, VIRTIO_BLK_S_OK);
	if (buf[0] || buf[127] || buf[128] || buf[255])
		bail_out("sectors 0-1 are not zero: a write past the end wrapped");
	memset((void *)buf, 0xA5, 1024);
	expect_status(VIRTIO_BLK_T_IN, cap - 1, 512, VIRTIO_BLK_S_OK);
	if (buf[0] || buf[127] || buf[128] != MARK)
		bail_out("reading the last sector filled the wrong bytes");
	kprintf("past the end of the disk: IOERR, buffers and disk untouched\n");
	power_off();
}
