/* hostile: the console's transmit queue enabled with queue_size 100, not a
 * power of two (virtio 1.0 2.4: split queue sizes are powers of two). */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;

	kprintf("expect-kill: guest killed: .*virtqueue.*size 100\\b.*power of (two|2)\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	virtq_setup_raw(&dev, 1, 100, page_alloc_phys(), page_alloc_phys(), page_alloc_phys());
	kprintf("still alive after enabling a queue of size 100\n");
}
