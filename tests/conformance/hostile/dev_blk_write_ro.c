/*
 * hostile: writes to a read-only disk (virtio 1.0 5.2.6.2: with
 * VIRTIO_BLK_F_RO offered the device answers a write VIRTIO_BLK_S_IOERR
 * and writes no data), with and without accepting VIRTIO_BLK_F_RO.  The
 * disk still reads, all zeros.
 * lgkvm-options: --block=@DISK@,ro
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

static void write_then_read(uint32_t data, uint32_t check, const char *how)
{
	volatile uint32_t *c = phys_to_virt(check);
	int st;

	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_OUT, 0, data, 4096, 0);
	if (st != VIRTIO_BLK_S_IOERR)
		bail_out("a write to the read-only disk (%s): status %d, expected IOERR", how, st);
	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_OUT, 2047, data, 512, 0);
	if (st != VIRTIO_BLK_S_IOERR)
		bail_out("a write to the last sector (%s): status %d, expected IOERR", how, st);
	c[0] = c[1023] = 0xFFFFFFFFu;
	st = virtio_blk_request(&dev, &q, VIRTIO_BLK_T_IN, 0, check, 4096, 0);
	if (st != VIRTIO_BLK_S_OK || c[0] != 0 || c[1023] != 0)
		bail_out("reading back (%s): status %d, words %#x %#x", how, st, c[0], c[1023]);
}

void guest_main(void)
{
	uint32_t data = page_alloc_phys(), check = page_alloc_phys();

	kprintf("expect-survive: ^writes to a read-only disk: IOERR, the disk unchanged$\n");
	memset(phys_to_virt(data), 0x5A, 4096);
	if (virtio_start_queue0(&dev, DEV, VIRTIO_BLK_F_RO, &q))
		bail_out("virtio block setup failed");
	if (!(virtio_device_features(&dev) & VIRTIO_BLK_F_RO))
		bail_out("the read-only disk does not offer VIRTIO_BLK_F_RO");
	write_then_read(data, check, "F_RO accepted");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio block setup without F_RO failed");
	write_then_read(data, check, "F_RO not accepted");
	kprintf("writes to a read-only disk: IOERR, the disk unchanged\n");
	power_off();
}
