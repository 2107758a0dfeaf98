/*
 * console: the virtio console driven as a virtio 1.0 PCI device: find its
 * capabilities, negotiate VERSION_1, set up the queues, send text through
 * the transmit queue (port 0, queue 1) and get the buffers back in the
 * used ring, with the device's interrupt.  The runner checks the text
 * reached lgkvm's output ("expect-output:" lines).
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rxq, txq;

static const char line1[] = "vq-console: hello from the transmit queue\n";
static const char part1[] = "vq-console: a chain of two descriptors, ";
static const char part2[] = "second half\n";

static uint32_t copy_to_page(const char *s, unsigned *len)
{
	char *page = page_alloc();

	*len = (unsigned)strlen(s);
	memcpy(page, s, *len);
	return virt_to_phys(page);
}

static void set_desc(unsigned i, uint32_t pa, unsigned len, uint16_t flags, uint16_t next)
{
	txq.desc[i].addr = pa;
	txq.desc[i].len = len;
	txq.desc[i].flags = flags;
	txq.desc[i].next = next;
}

static int test_setup(void)
{
	uint64_t offered = 0;
	int r;

	r = virtio_probe(&dev, PCI_CONSOLE_DEV);
	if (!is_u32((uint32_t)r, 0, "the console has common, notify, ISR and device capabilities in BAR 0"))
		return -1;
	diag("BAR 0 at %#x, notify multiplier %u, IRQ line %u", dev.bar0_phys, dev.notify_mult, dev.irq_line);
	r = virtio_negotiate(&dev, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered);
	diag("device features %#llx", offered);
	ok(!!(offered & VIRTIO_F_VERSION_1), "the console offers VIRTIO_F_VERSION_1");
	ok(!!(offered & VIRTIO_CONSOLE_F_EMERG_WRITE), "the console offers VIRTIO_CONSOLE_F_EMERG_WRITE");
	if (!is_u32((uint32_t)r, 0, "FEATURES_OK is accepted"))
		return -1;
	ok(mmio_read16(dev.common + VCOMMON_NUMQ) >= 2, "num_queues covers port 0's receive and transmit queues");
	r = virtq_setup(&dev, &rxq, 0);
	r |= virtq_setup(&dev, &txq, 1);
	if (!is_u32((uint32_t)r, 0, "queues 0 and 1 have power-of-two sizes and accept ring addresses"))
		return -1;
	virtio_driver_ok(&dev);
	is_u32(virtio_status(&dev),
	       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK,
	       "device status reads back ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK");
	ok(dev.irq_line > 0 && dev.irq_line < LGUEST_IRQS, "the interrupt line register names an lguest IRQ (1..31)");
	return 0;
}

static void test_transmit(void)
{
	unsigned len1, len2, line = dev.irq_line < LGUEST_IRQS ? dev.irq_line : 0;
	uint32_t pa, before = irq_count[line];
	int used;

	kprintf("expect-output: ^vq-console: hello from the transmit queue$\n");
	kprintf("expect-output: ^vq-console: a chain of two descriptors, second half$\n");
	pa = copy_to_page(line1, &len1);
	set_desc(0, pa, len1, 0, 0);
	virtq_kick(&dev, &txq, 0);
	used = virtq_wait_used(&txq, 2000000);
	ok(used, "the device returns a transmitted buffer in the used ring");
	ok(used && txq.used->ring[0].id == 0, "the used element names the descriptor");

	WAIT_UNTIL(irq_count[line] != before, 1000000);
	ok(irq_count[line] != before, "the device raises its interrupt after using the buffer");

	pa = copy_to_page(part1, &len1);
	set_desc(1, pa, len1, VRING_DESC_F_NEXT, 2);
	pa = copy_to_page(part2, &len2);
	set_desc(2, pa, len2, 0, 0);
	virtq_kick(&dev, &txq, 1);
	used = virtq_wait_used(&txq, 2000000);
	ok(used && txq.used->ring[1].id == 1, "a chain of two descriptors comes back as one used element");
}

void guest_main(void)
{
	diag("conformance guest: console");
	kprintf("expect-output: ^emerg_wr: this line went through the PCI configuration window$\n");
	kprintf("emerg_wr: this line went through the PCI configuration window\n");
	irq_enable();
	if (test_setup() == 0)
		test_transmit();
	tap_done();
}
