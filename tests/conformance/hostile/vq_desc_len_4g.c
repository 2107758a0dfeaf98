/* hostile: a descriptor in RAM whose length is 0xfffffff0: it wraps past 4 GiB. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(virtqueue|descriptor).*(outside|past|beyond|RAM|length|4 GiB)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	tx.desc[0].addr = page_alloc_phys();
	tx.desc[0].len = 0xFFFFFFF0;
	tx.desc[0].flags = 0;
	virtq_kick(&dev, &tx, 0);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after a 4 GiB descriptor\n");
}
