/*
 * hostile: a PTE mapping a frame at 1 GiB, far past RAM (and no device
 * BAR), told to the Host with SET_PTE and then used.  lguest: "bad page
 * table entry".
 */
#include "runtime.h"

#define VA USER_TEST_BASE

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page table entry\n");
	pte_set(boot_pgdir, VA + PAGE_SIZE, page_alloc_phys() | PTE_PRESENT | PTE_RW);
	probe_read32(VA + PAGE_SIZE, &v); /* the Host now shadows this 4 MiB */
	pte_set(boot_pgdir, VA, 0x40000000 | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	probe_read32(VA, &v);
	kprintf("still alive after mapping a frame past RAM (read %#x)\n", v);
}
