/*
 * hostile: the rng's BAR 0 moved onto the console's BAR 0, so two devices
 * claim one page.  Which one answers is the bus's business; it must be one
 * of them, the host must not mind, and the rng's old page must decode
 * nothing.  Moved back, both devices answer at their own BARs again.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev con, rng;
static struct virtq q;

void guest_main(void)
{
	uint32_t orig, *buf = page_alloc();
	uint16_t n;

	kprintf("expect-survive: ^BAR over BAR: one device answers, both work once apart$\n");
	if (virtio_probe(&con, PCI_CONSOLE_DEV))
		bail_out("virtio console probe failed");
	if (virtio_start_queue0(&rng, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	if (mmio_read16(con.common + VCOMMON_NUMQ) != 2 || mmio_read16(rng.common + VCOMMON_NUMQ) != 1)
		bail_out("unexpected num_queues: console %u, rng %u", mmio_read16(con.common + VCOMMON_NUMQ),
			 mmio_read16(rng.common + VCOMMON_NUMQ));
	orig = pci_read32(DEV, 0x10);

	pci_write32(DEV, 0x10, con.bar0_phys);
	n = mmio_read16(con.common + VCOMMON_NUMQ);
	if (n != 1 && n != 2)
		bail_out("the shared page answers num_queues %#x", n);
	if (mmio_read32(rng.common) != 0xFFFFFFFFu)
		bail_out("the rng's old page still decodes (%#x)", mmio_read32(rng.common));
	kprintf("# num_queues %u answers on the shared page\n", n);

	pci_write32(DEV, 0x10, orig);
	if (mmio_read16(con.common + VCOMMON_NUMQ) != 2 || mmio_read16(rng.common + VCOMMON_NUMQ) != 1)
		bail_out("apart again: console num_queues %u, rng %u", mmio_read16(con.common + VCOMMON_NUMQ),
			 mmio_read16(rng.common + VCOMMON_NUMQ));
	q.desc[0].addr = virt_to_phys(buf);
	q.desc[0].len = 16;
	q.desc[0].flags = VRING_DESC_F_WRITE;
	virtq_kick(&rng, &q, 0);
	if (!virtq_wait_used(&q, 2000000) || virtq_last_used(&q)->len == 0)
		bail_out("the rng serves no request after its BAR moved back");
	kprintf("BAR over BAR: one device answers, both work once apart\n");
	power_off();
}
