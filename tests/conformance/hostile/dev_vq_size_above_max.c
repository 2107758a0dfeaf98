/* hostile: queue_size raised above the maximum the device offered (the
 * driver may only lower it), then the queue enabled. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

/* Zeroed pages covering `bytes`, contiguous (the allocator hands them out
 * in order). */
static uint32_t pages_phys(uint32_t bytes)
{
	uint32_t first = page_alloc_phys();

	while (bytes > PAGE_SIZE) {
		page_alloc_phys();
		bytes -= PAGE_SIZE;
	}
	return first;
}

void guest_main(void)
{
	uint64_t offered;
	uint32_t max, size, desc, avail, used;

	kprintf("expect-kill: guest killed: .*virtqueue.*size [0-9]+\\b.*(<=|max|above|exceed|larger)\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	mmio_write16(dev.common + VCOMMON_Q_SELECT, 1);
	max = mmio_read16(dev.common + VCOMMON_Q_SIZE);
	if (max == 0 || max > 0x4000)
		bail_out("queue 1 offers size %u", max);
	/* Twice the maximum: still a power of two, and the rings have room
	 * for it, so only the limit is broken. */
	size = 2 * max;
	desc = pages_phys(16 * size);
	avail = pages_phys(2 * size + 6);
	used = pages_phys(8 * size + 6);
	virtq_setup_raw(&dev, 1, (uint16_t)size, desc, avail, used);
	kprintf("still alive after enabling a queue of size %u (maximum %u)\n", size, max);
}
