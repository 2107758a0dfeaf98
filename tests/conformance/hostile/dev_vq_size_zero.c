/* hostile: the console's transmit queue enabled with queue_size 0. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;

	kprintf("expect-kill: guest killed: .*virtqueue.*size 0\\b\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	virtq_setup_raw(&dev, 1, 0, page_alloc_phys(), page_alloc_phys(), page_alloc_phys());
	kprintf("still alive after enabling a queue of size 0\n");
}
