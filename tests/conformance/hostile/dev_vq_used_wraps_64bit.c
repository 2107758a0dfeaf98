/* hostile: a used ring 4 KiB below 2^64 (queue_used_hi all ones): its end
 * wraps the 64-bit address space back to 0. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;

	kprintf("expect-kill: guest killed: .*virtqueue.*used.*(outside|past|beyond|RAM|wrap)\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	virtq_setup_raw(&dev, 1, 256, page_alloc_phys(), page_alloc_phys(), 0xFFFFFFFFFFFFF000ull);
	kprintf("still alive after a used ring wrapping at 2^64\n");
}
