/* hostile: a 4 MiB page (PSE) in a 2-level page directory.  lguest: "bad page directory entry". */
#include "runtime.h"

#define VA 0x20000000

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page directory entry\n");
	pgd_set(boot_pgdir, PGD_INDEX(VA), 0x00400000 | PTE_PSE | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	probe_read32(VA, &v);
	kprintf("still alive after using a PSE page directory entry\n");
}
