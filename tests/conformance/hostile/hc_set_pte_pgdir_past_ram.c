/*
 * hostile: LHCALL_SET_PTE naming page directories that are not in RAM (at
 * 1 GiB, and at 0xfffff000, whose entries would end at 4 GiB) for a user
 * address the current page directory maps.
 * lguest updated only a page directory it shadowed (find_pgdir) and ignored
 * the rest; so must lgkvm: no kill, and the current mapping unchanged.
 */
#include "runtime.h"

#define VA USER_TEST_BASE
#define FLAGS (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)

void guest_main(void)
{
	volatile uint32_t *a = page_alloc(), *b = page_alloc();
	uint32_t v;

	kprintf("expect-survive: ^refused: SET_PTE for page directories outside RAM changed nothing\n");
	*a = 0xAAAA;
	*b = 0xBBBB;
	pte_set(boot_pgdir, VA, virt_to_phys(a) | FLAGS);
	if (probe_read32(VA, &v) || v != 0xAAAA)
		bail_out("the test page reads %#x", v);
	hcall_sync(LHCALL_SET_PTE, 0x40000000, VA, virt_to_phys(b) | FLAGS, 0);
	hcall_sync(LHCALL_SET_PTE, 0xFFFFF000, VA, virt_to_phys(b) | FLAGS, 0);
	if (probe_read32(VA, &v) || v != 0xAAAA)
		bail_out("after SET_PTE for other page directories the page reads %#x", v);
	kprintf("refused: SET_PTE for page directories outside RAM changed nothing\n");
	power_off();
}
