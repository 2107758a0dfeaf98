/*
 * hostile: a PDPT entry pointing at the page that holds the PDPT, then a
 * read of the page whose leaf entry is that PDPT entry itself (PDPT ->
 * PDPT page as middle directory -> PDPT page as page table -> the PDPT
 * page).  Like a CPU, the Host marks the leaf accessed: it writes
 * _PAGE_ACCESSED into the PDPT entry, where only the present bit is
 * allowed, and the next walk through it finds a bad entry.  lguest's
 * demand_page did the same write (pte_mkyoung, lgwrite) and its next
 * check_gpgd killed: "bad page directory entry".
 */
#include "runtime.h"

#define GIB1 0x40000000u

void guest_main(void)
{
	pgd_t *pdpt = pgdir_create();
	uint32_t pa = virt_to_phys(pdpt), page = pa & ~(PAGE_SIZE - 1), q = (pa & (PAGE_SIZE - 1)) / 8;
	uint32_t self_va = GIB1 + (q + 1) * PAGE_TABLE_SPAN;
	uint32_t v = 0;

	kprintf("expect-kill: guest killed: .*bad page directory (pointer )?entry\n");
	pdpt[1] = page | PGD_PRESENT;
	pgdir_switch(pdpt);
	probe_read32(self_va + (q + 1) * PAGE_SIZE, &v);
	kprintf("read %#x: PDPT entry 1 is now %#x\n", v, (uint32_t)pdpt[1]);
	tlb_flush_user(); /* the next access walks the PDPT again */
	probe_read32(self_va + (q + 1) * PAGE_SIZE, &v);
	kprintf("still alive after walking a PDPT entry with the accessed bit\n");
}
