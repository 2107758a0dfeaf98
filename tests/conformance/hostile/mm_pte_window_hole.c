/*
 * hostile: a PTE mapping a frame inside the PCI device window where no
 * device's BAR lies.  Not RAM, not a device: lguest's Host let the
 * access fault to the Launcher, which found no device ("MMIO touching
 * ... (not a device)") and injected a page fault into the guest; lgkvm
 * answers like an empty bus (reads all ones, writes dropped).  Either
 * way the guest is not killed and nothing outside the window is touched.
 */
#include "runtime.h"
#include "virtio.h"

#define VA 0x40000000u
#define HOLE_OFFSET (64u << 20)

/* True if some device's memory BAR covers pa. */
static int claimed(uint32_t pa)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		if (pci_read32(dev, 0) == 0xFFFFFFFF)
			continue;
		for (unsigned bar = 0; bar < 6; bar++) {
			uint32_t b = pci_read32(dev, 0x10 + 4 * bar) & ~0xFu;
			if (b && pa >= b && pa - b < (16u << 20))
				return 1;
		}
	}
	return 0;
}

void guest_main(void)
{
	uint32_t hole = (pci_read32(PCI_CONSOLE_DEV, 0x10) & ~0xFu) + HOLE_OFFSET, v = 0;
	int t;

	kprintf("expect-survive: ^device window hole mapped: empty-bus read or #PF, no kill$\n");
	if (claimed(hole))
		bail_out("a BAR covers %#x", hole);
	pte_set(boot_pgdir, VA, hole | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	t = probe_read32(VA, &v);
	ok((!t && v == 0xFFFFFFFF) || (t && trap_last.vector == 14 && trap_last.cr2 == VA),
	   "a read is all ones (lgkvm) or a #PF (lguest)");
	diag("hole %#x: %s %#x", hole, t ? "trapped" : "read", v);
	t = probe_write32(VA + 8, 0x12345678);
	ok(!t || (trap_last.vector == 14 && trap_last.cr2 == VA + 8), "a write is dropped or a #PF");
	t = probe_read32(VA + 8, &v);
	ok((!t && v == 0xFFFFFFFF) || t, "and did not stick");

	if (!tap_failures())
		kprintf("device window hole mapped: empty-bus read or #PF, no kill\n");
	power_off();
}
