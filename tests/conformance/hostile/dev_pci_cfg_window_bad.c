/*
 * hostile: the VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.0 4.1.4.7) set to
 * accesses the driver must not make: BARs the device does not have,
 * lengths other than 1, 2 and 4, offsets at and past the end of BAR 0,
 * offsets whose end wraps at 4 GiB, misaligned offsets.  Each time the
 * guest writes 0 through pci_cfg_data while the bad window names (or, had
 * it been masked or wrapped, would name) device_status, and reads through
 * it.  None of it may reach the device: it stays live, and a good window
 * still reads num_queues.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static struct virtio_dev dev;
static struct virtq q;
static unsigned cap;

static void window(uint8_t bar, uint32_t off, uint32_t len)
{
	pci_write8(DEV, cap + VCAP_BAR, bar);
	pci_write32(DEV, cap + VCAP_OFFSET, off);
	pci_write32(DEV, cap + VCAP_LENGTH, len);
}

static void bad_window(uint8_t bar, uint32_t off, uint32_t len)
{
	uint8_t status;

	window(bar, off, len);
	pci_write32(DEV, cap + VCAP_PCI_CFG_DATA, 0);
	pci_write8(DEV, cap + VCAP_PCI_CFG_DATA, 0);
	(void)pci_read32(DEV, cap + VCAP_PCI_CFG_DATA);
	(void)pci_read8(DEV, cap + VCAP_PCI_CFG_DATA);
	status = virtio_status(&dev);
	if ((status & 0xF) != 0xF)
		bail_out("window bar %u offset %#x length %u reached the device: status %#x", bar, off, len, status);
}

void guest_main(void)
{
	uint32_t size, n;

	kprintf("expect-survive: ^bad PCI_CFG windows: ignored, the device stays live$\n");
	if (virtio_start_queue0(&dev, DEV, 0, &q))
		bail_out("virtio rng setup failed");
	cap = pci_find_virtio_cap(DEV, VIRTIO_PCI_CAP_PCI_CFG, -1);
	if (!cap)
		bail_out("no VIRTIO_PCI_CAP_PCI_CFG capability");
	pci_write32(DEV, 0x10, 0xFFFFFFFFu);
	size = ~(pci_read32(DEV, 0x10) & ~0xFu) + 1;
	pci_write32(DEV, 0x10, dev.bar0_phys);

	/* A good window first: it works, so the bad ones below prove something. */
	window(0, VCOMMON_NUMQ, 2);
	n = pci_read32(DEV, cap + VCAP_PCI_CFG_DATA) & 0xFFFF;
	if (n != 1)
		bail_out("a good window reads num_queues %#x", n);

	bad_window(1, VCOMMON_STATUS, 1);	     /* a BAR the device does not have */
	bad_window(5, VCOMMON_STATUS, 1);
	bad_window(6, VCOMMON_STATUS, 1);	     /* not a BAR at all */
	bad_window(0xFF, VCOMMON_STATUS, 1);
	bad_window(0, VCOMMON_STATUS, 0);	     /* lengths */
	bad_window(0, VCOMMON_STATUS, 3);
	bad_window(0, VCOMMON_STATUS, 8);
	bad_window(0, VCOMMON_STATUS, 0xFFFFFFFFu);
	bad_window(0, VCOMMON_STATUS + 0x100000, 1); /* masked, it would be status */
	bad_window(0, size + VCOMMON_STATUS, 1);     /* past the BAR */
	bad_window(0, size, 1);
	bad_window(0, size - 2, 4);		     /* straddles the end */
	bad_window(0, size - 1, 2);
	bad_window(0, 0xFFFFFFFFu, 1);		     /* wraps at 4 GiB */
	bad_window(0, 0xFFFFFFFEu, 4);
	bad_window(0, 0xFFFFFFFCu, 0xFFFFFFF0u);
	bad_window(0, VCOMMON_STATUS - 1, 2);	     /* misaligned */
	bad_window(0, VCOMMON_STATUS - 2, 4);
	bad_window(0, VCOMMON_STATUS - 3, 4);

	window(0, VCOMMON_NUMQ, 2);
	n = pci_read32(DEV, cap + VCAP_PCI_CFG_DATA) & 0xFFFF;
	if (n != 1)
		bail_out("the good window reads num_queues %#x after the bad ones", n);
	kprintf("bad PCI_CFG windows: ignored, the device stays live\n");
	power_off();
}
