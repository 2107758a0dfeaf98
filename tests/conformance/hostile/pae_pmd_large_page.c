/*
 * hostile: a 2 MiB page (PS) in a PAE middle directory.  lguest: "bad page
 * middle directory entry" (only _PAGE_TABLE flags are allowed there).
 */
#include "runtime.h"

#define VA (USER_TEST_BASE + 0x200000)

void guest_main(void)
{
	uint32_t v;
	pmd_t *pmd;

	kprintf("expect-kill: guest killed: .*bad page middle directory entry\n");
	pte_ptr(boot_pgdir, USER_TEST_BASE); /* a middle directory for this GiB */
	pmd = pmd_of(boot_pgdir, VA);
	pmd_set(pmd, PMD_INDEX(VA), 0x00200000 | PTE_PSE | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	probe_read32(VA, &v);
	kprintf("still alive after using a 2 MiB page\n");
}
