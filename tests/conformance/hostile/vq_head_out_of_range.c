/* hostile: the available ring names descriptor 0xffff, beyond the queue size. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(virtqueue|available|descriptor).*(names descriptor|out of range|queue size|not below)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	virtq_kick(&dev, &tx, 0xFFFF);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after an out-of-range descriptor index\n");
}
