/*
 * hostile: a PAE PTE with bit 7 (PAT in a 4 KiB entry) set.  lguest
 * refused it (_PAGE_PSE) and so does lgkvm: "bad page table entry".
 */
#include "runtime.h"

#define VA USER_TEST_BASE

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page table entry.*(reserved|PAT)\n");
	pte_set(boot_pgdir, VA, page_alloc_phys() | PTE_PSE | PTE_PRESENT | PTE_RW);
	probe_read32(VA, &v);
	kprintf("still alive after using a PTE with the PAT bit\n");
}
