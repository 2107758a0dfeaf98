/* hostile: an available ring 256 bytes below 4 GiB: a 32-bit address whose
 * ring (518 bytes for 256 entries) wraps past 4 GiB. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;

	kprintf("expect-kill: guest killed: .*virtqueue.*avail.*(outside|past|beyond|RAM|wrap)\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	virtq_setup_raw(&dev, 1, 256, page_alloc_phys(), 0xFFFFFF00u, page_alloc_phys());
	kprintf("still alive after an available ring wrapping at 4 GiB\n");
}
