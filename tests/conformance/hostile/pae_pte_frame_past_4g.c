/*
 * hostile: a PAE PTE whose high half is not zero: frame 0x100000000, past
 * RAM and beyond any 32-bit address.  Told to the Host with SET_PTE (the
 * high half in arg4) where it already shadows, then used.  lguest: "bad
 * page table entry".
 */
#include "runtime.h"

#define VA USER_TEST_BASE

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*maps frame 0x100000000 past RAM\n");
	pte_set(boot_pgdir, VA + PAGE_SIZE, page_alloc_phys() | PTE_PRESENT | PTE_RW);
	probe_read32(VA + PAGE_SIZE, &v); /* the Host now shadows this 2 MiB */
	pte_set(boot_pgdir, VA, (1ull << 32) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	probe_read32(VA, &v);
	kprintf("still alive after mapping a frame above 4 GiB (read %#x)\n", v);
}
