/* hostile: a chain with a device-writable descriptor followed by a
 * device-readable one (virtio 1.0 2.4.4.2: readable ones come first). */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	uint32_t buf = page_alloc_phys();

	kprintf("expect-kill: guest killed: .*virtqueue.*readable.*after.*writable\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	tx.desc[0].addr = buf;
	tx.desc[0].len = 4;
	tx.desc[0].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	tx.desc[0].next = 1;
	tx.desc[1].addr = buf + 4;
	tx.desc[1].len = 4;
	tx.desc[1].flags = 0;
	virtq_kick(&dev, &tx, 0);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after a readable descriptor after a writable one\n");
}
