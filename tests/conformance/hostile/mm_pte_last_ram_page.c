/*
 * hostile: a PTE mapping the last page of RAM, and accesses that run off
 * its end.  The frame is RAM (below lguest's pfn_limit), so it maps; a
 * 4-byte read at its last 2 bytes continues in the next virtual page,
 * not in the next physical frame: with frame 0 there it combines the two,
 * with nothing there it faults.  The Host must never treat the access as
 * running past the end of RAM.
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t last = ram_size() - PAGE_SIZE, v = 0, lo, hi;
	int t;

	kprintf("expect-survive: ^the last page of RAM mapped: accesses off its end stay virtual$\n");
	pte_set(boot_pgdir, VA, last | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	t = probe_write32(VA + PAGE_SIZE - 4, 0xC0DEFACE);
	ok(!t && mem_read32((uint32_t)phys_to_virt(last) + PAGE_SIZE - 4) == 0xC0DEFACE,
	   "a write to the last word of RAM lands there (read back through the direct map)");

	t = probe_read32(VA + PAGE_SIZE - 2, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 >= VA + PAGE_SIZE - 2 && trap_last.cr2 <= VA + PAGE_SIZE,
	   "a read running off the last page into an unmapped one is #PF");

	pte_set(boot_pgdir, VA + PAGE_SIZE, 0 | PTE_PRESENT | PTE_ACCESSED);
	lo = mem_read32((uint32_t)phys_to_virt(last) + PAGE_SIZE - 4) >> 16;
	hi = mem_read32(BOOT_PARAMS) & 0xFFFF;
	t = probe_read32(VA + PAGE_SIZE - 2, &v);
	ok(!t && v == (lo | hi << 16), "with frame 0 mapped next, the read joins the end of RAM and frame 0");

	if (!tap_failures())
		kprintf("the last page of RAM mapped: accesses off its end stay virtual\n");
	power_off();
}
