/* hostile: a transmit descriptor that starts 8 bytes before the end of RAM
 * and is 16 bytes long: half of it lies past RAM. */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*virtqueue.*descriptor.*(outside|past|beyond|RAM)\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	tx.desc[0].addr = ram_size() - 8;
	tx.desc[0].len = 16;
	tx.desc[0].flags = 0;
	virtq_kick(&dev, &tx, 0);
	virtq_wait_used(&tx, 2000000);
	kprintf("still alive after a descriptor across the end of RAM\n");
}
