/* hostile: a descriptor table 8 bytes into a page (virtio 1.0 2.4: it must
 * be 16-byte aligned). */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;

void guest_main(void)
{
	uint64_t offered;
	uint32_t desc;

	kprintf("expect-kill: guest killed: .*virtqueue.*descriptor table.*align\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV) ||
	    virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		bail_out("virtio console setup failed");
	desc = page_alloc_phys();
	page_alloc_phys(); /* room for the table's last 8 bytes */
	virtq_setup_raw(&dev, 1, 256, desc + 8, page_alloc_phys(), page_alloc_phys());
	kprintf("still alive after a misaligned descriptor table\n");
}
