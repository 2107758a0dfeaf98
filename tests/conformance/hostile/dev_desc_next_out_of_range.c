/* hostile: descriptor 0 chains (NEXT) to descriptor 256 in a table of 256. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*virtqueue.*next.*(not below|out of range|beyond|queue size)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	tx.desc[0].addr = page_alloc_phys();
	tx.desc[0].len = 4;
	tx.desc[0].flags = VRING_DESC_F_NEXT;
	tx.desc[0].next = tx.size;
	virtq_kick(&dev, &tx, 0);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after a next index past the table\n");
}
