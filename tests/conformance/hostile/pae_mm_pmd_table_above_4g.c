/*
 * hostile: a PAE middle-directory entry whose page table is at 4 GiB,
 * where lgkvm keeps its own pages (the host area: GDT, IDT, trampoline).
 * PAE entries can name frames above 4 GiB, but page tables come from
 * guest RAM only: lguest's check_gpmd, "bad page middle directory entry".
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page middle directory entry.*past RAM\n");
	pte_ptr(boot_pgdir, VA); /* a middle directory for this GiB */
	pmd_set(pmd_of(boot_pgdir, VA), PMD_INDEX(VA) + 1, (1ull << 32) | PDE_TABLE);
	probe_read32(VA + PAGE_TABLE_SPAN, &v);
	kprintf("still alive after using a page table at 4 GiB\n");
}
