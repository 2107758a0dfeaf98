/*
 * hostile: a plain PTE (no PCD/PWT) mapping the frame just past RAM.
 * lguest had device memory right after RAM (pfn_limit to device_limit)
 * and so does lgkvm when RAM ends on a 16 MiB boundary: the frame is the
 * start of the PCI window, where the console's BAR 0 sits.  Accesses go
 * to the device like those through the kernel's own iomap() mapping;
 * nothing is refused, nothing reaches memory past RAM.
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t pa = ram_size(), io, a0 = 0, a4 = 0;
	int t;

	kprintf("expect-survive: ^frame just past RAM mapped: it is the device window$\n");
	io = iomap(pa, 8);
	pte_set(boot_pgdir, VA, pa | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	t = probe_read32(VA, &a0) || probe_read32(VA + 4, &a4);
	ok(!t && a0 == mmio_read32(io) && a4 == mmio_read32(io + 4),
	   "reads through it see what iomap() of the same frame sees");
	diag("frame %#x: %#x %#x", pa, a0, a4);

	if (!tap_failures())
		kprintf("frame just past RAM mapped: it is the device window\n");
	power_off();
}
