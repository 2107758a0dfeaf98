/*
 * hostile: with 24 MiB of RAM, a PTE mapping the frame just past RAM,
 * told with SET_PTE and used.  lgkvm's device window starts on the next
 * 16 MiB boundary (32 MiB): frames between the end of RAM and the window
 * are neither RAM nor device memory, which lguest refused as "bad page
 * table entry" (pfn past pfn_limit and outside device memory).
 * lgkvm-options: --mem 24
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page table entry\n");
	pte_set(boot_pgdir, VA + PAGE_SIZE, page_alloc_phys() | PTE_PRESENT | PTE_RW);
	probe_read32(VA + PAGE_SIZE, &v); /* the Host now shadows this region */
	pte_set(boot_pgdir, VA, ram_size() | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	probe_read32(VA, &v);
	kprintf("still alive after mapping frame %#x, past RAM and before the device window\n", ram_size());
}
