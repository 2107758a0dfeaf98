/* hostile: avail->idx jumps 1000 entries ahead on a queue of 256: more
 * chains "available" than the ring can hold. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*virtqueue.*avail.*(ahead|index|idx)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	tx.desc[0].addr = page_alloc_phys();
	tx.desc[0].len = 1;
	tx.avail->ring[0] = 0;
	barrier();
	tx.avail->idx = 1000;
	barrier();
	mmio_write16(dev.notify + (uint32_t)tx.notify_off * dev.notify_mult, (uint16_t)tx.index);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after avail->idx ran 1000 entries ahead\n");
}
