/* hostile: a descriptor chain 0 -> 1 -> 0 that never ends. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	uint32_t buf = page_alloc_phys();

	kprintf("expect-kill: guest killed: .*(virtqueue|descriptor|chain).*(loop|longer than|too many)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	tx.desc[0].addr = buf;
	tx.desc[0].len = 4;
	tx.desc[0].flags = VRING_DESC_F_NEXT;
	tx.desc[0].next = 1;
	tx.desc[1].addr = buf;
	tx.desc[1].len = 4;
	tx.desc[1].flags = VRING_DESC_F_NEXT;
	tx.desc[1].next = 0;
	virtq_kick(&dev, &tx, 0);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after a looping descriptor chain\n");
}
