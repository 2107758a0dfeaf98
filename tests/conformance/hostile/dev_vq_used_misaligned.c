/* hostile: a used ring 2 bytes into a page (virtio 1.0 2.4: it must be
 * 4-byte aligned; 2 is enough only for the available ring). */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;
	uint32_t used;

	kprintf("expect-kill: guest killed: .*virtqueue.*used.*align\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	used = page_alloc_phys();
	page_alloc_phys(); /* the ring's last bytes spill into this page */
	virtq_setup_raw(&dev, 1, 256, page_alloc_phys(), page_alloc_phys(), used + 2);
	kprintf("still alive after a misaligned used ring\n");
}
