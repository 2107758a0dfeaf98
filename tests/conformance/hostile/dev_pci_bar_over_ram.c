/*
 * hostile: the rng's BAR 0 moved onto a page of guest RAM.  RAM wins: the
 * page keeps reading and writing as memory, and the BAR's old address
 * decodes nothing (all ones).  Moved back, the BAR decodes again and the
 * device still serves requests.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;

void guest_main(void)
{
	volatile uint32_t *ram = page_alloc();
	uint32_t orig, *buf = page_alloc();

	kprintf("expect-survive: ^BAR over RAM: RAM stays RAM, old address decodes nothing, BAR works again$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	orig = pci_read32(DEV, 0x10);
	ram[0] = 0x12345678;
	ram[1023] = 0x9ABCDEF0;

	pci_write32(DEV, 0x10, virt_to_phys(ram));
	if (pci_read32(DEV, 0x10) != virt_to_phys(ram))
		bail_out("BAR 0 reads %#x, not the RAM page %#x", pci_read32(DEV, 0x10), virt_to_phys(ram));
	if (ram[0] != 0x12345678 || ram[1023] != 0x9ABCDEF0)
		bail_out("the RAM page under BAR 0 lost its contents");
	ram[0] = 0x0BADF00D;
	ram[6] = 0; /* device_status's dword if the BAR decoded here */
	if (ram[0] != 0x0BADF00D || ram[6] != 0)
		bail_out("the RAM page under BAR 0 does not keep writes");
	if (mmio_read32(dev.common) != 0xFFFFFFFFu)
		bail_out("BAR 0's old address still decodes (%#x)", mmio_read32(dev.common));
	mmio_write8(dev.common + VCOMMON_STATUS, 0); /* nobody there: no reset */

	pci_write32(DEV, 0x10, orig);
	if (mmio_read16(dev.common + VCOMMON_NUMQ) != 1 || (virtio_status(&dev) & 0xF) != 0xF)
		bail_out("BAR 0 moved back: num_queues %#x status %#x", mmio_read16(dev.common + VCOMMON_NUMQ),
			 virtio_status(&dev));
	q.desc[0].addr = virt_to_phys(buf);
	q.desc[0].len = 16;
	q.desc[0].flags = VRING_DESC_F_WRITE;
	virtq_kick(&dev, &q, 0);
	if (!virtq_wait_used(&q, 2000000) || virtq_last_used(&q)->len == 0)
		bail_out("the rng serves no request after BAR 0 moved back");
	kprintf("BAR over RAM: RAM stays RAM, old address decodes nothing, BAR works again\n");
	power_off();
}
