/* hostile: a descriptor table that starts in RAM and runs past its end. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;

	kprintf("expect-kill: guest killed: .*virtqueue.*descriptor table.*(outside|past|beyond|RAM)\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	/* 256 entries of 16 bytes from 2 KiB below the end of RAM. */
	virtq_setup_raw(&dev, 1, 256, ram_size() - 2048, page_alloc_phys(), page_alloc_phys());
	kprintf("still alive after a descriptor table across the end of RAM\n");
}
