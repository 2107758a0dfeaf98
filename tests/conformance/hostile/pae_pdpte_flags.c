/*
 * hostile: a PDPT entry with RW, USER, A and D set, as a 2-level page
 * directory entry would have them.  They are reserved in a PDPT entry (the
 * CPU's mov to %cr3 would #GP); lguest: "bad page directory entry".
 */
#include "runtime.h"

#define VA 0x40000000

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page directory pointer entry\n");
	pgd_set(boot_pgdir, PGD_INDEX(VA), page_alloc_phys() | PDE_TABLE);
	probe_read32(VA, &v);
	kprintf("still alive after using a PDPT entry with reserved bits\n");
}
