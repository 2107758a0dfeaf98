/* hostile: an indirect descriptor on the console, which does not offer
 * VIRTIO_RING_F_INDIRECT_DESC (virtio 1.0 2.4.5.3.1). */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	volatile struct vring_desc *table = page_alloc();

	kprintf("expect-kill: guest killed: .*virtqueue.*indirect.*(negotiat|INDIRECT_DESC)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	table[0].addr = page_alloc_phys();
	table[0].len = 4;
	tx.desc[0].addr = virt_to_phys(table);
	tx.desc[0].len = sizeof(struct vring_desc);
	tx.desc[0].flags = VRING_DESC_F_INDIRECT;
	virtq_kick(&dev, &tx, 0);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after an indirect descriptor without INDIRECT_DESC\n");
}
