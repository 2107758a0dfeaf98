/*
 * hostile: a 2-level guest's LHCALL_SET_PTE with junk (0xffffffff) in arg4.
 * Only a PAE Host takes arg4 as the entry's high half; lguest without PAE
 * ignored it, and older guests leave junk there.  Read as a high half it
 * would map frame 0xffffffff000xx000, far past RAM.  The page must map as
 * the low 32 bits say.
 */
#include "runtime.h"

#define VA USER_TEST_BASE
#define FLAGS (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)

void guest_main(void)
{
	volatile uint32_t *b = page_alloc();
	uint32_t v;

	kprintf("expect-survive: ^refused: arg4 of a 2-level SET_PTE is ignored\n");
	*b = 0xBBBB;
	pte_set(boot_pgdir, VA + PAGE_SIZE, page_alloc_phys() | FLAGS);
	probe_read32(VA + PAGE_SIZE, &v); /* the Host now shadows this 4 MiB */
	pte_write(boot_pgdir, VA, virt_to_phys(b) | FLAGS);
	hcall_sync(LHCALL_SET_PTE, virt_to_phys(boot_pgdir), VA, virt_to_phys(b) | FLAGS, 0xFFFFFFFF);
	if (probe_read32(VA, &v) || v != 0xBBBB)
		bail_out("the page mapped with junk in arg4 reads %#x (trap %u)", v, trap_last.vector);
	kprintf("refused: arg4 of a 2-level SET_PTE is ignored\n");
	power_off();
}
