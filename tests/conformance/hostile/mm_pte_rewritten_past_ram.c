/*
 * hostile: a shadowed PTE rewritten behind the Host's back (no SET_PTE) to
 * map a frame at 1 GiB, far past RAM, then FLUSH_TLB(0) and an access.
 * The Host reads the entry afresh on the fault and must refuse it as if
 * it had been told: lguest's demand_page ran check_gpte, "bad page table
 * entry".
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page table entry\n");
	pte_set(boot_pgdir, VA, page_alloc_phys() | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	probe_read32(VA, &v); /* shadowed now */
	*pte_ptr(boot_pgdir, VA) = 0x40000000 | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
	tlb_flush_user();
	probe_read32(VA, &v);
	kprintf("still alive after a PTE rewritten to a frame past RAM (read %#x)\n", v);
}
