/*
 * hostile: a page table with a writable PTE mapping the page table itself,
 * rewritten through that mapping behind the Host's back (no SET_PTE).
 * lguest never write-protected guest page tables: like a TLB, a shadow
 * entry may stay stale until the guest says so (SET_PTE, FLUSH_TLB), but
 * an entry never shadowed is read fresh, and after a FLUSH_TLB every
 * entry is what the table says.  The guest even takes away the alias's
 * own write permission through the alias.
 */
#include "runtime.h"

#define BASE 0x40000000u
#define SELF 7u
#define ALIAS (BASE + SELF * PAGE_SIZE)
#define KRW (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)

void guest_main(void)
{
	uint32_t p1 = page_alloc_phys(), p2 = page_alloc_phys(), table, v = 0;
	volatile uint32_t *alias = (volatile uint32_t *)ALIAS;
	int t;

	kprintf("expect-survive: ^page table rewritten through its own mapping: flushes make it right$\n");
	*(uint32_t *)phys_to_virt(p1) = 0x1111;
	*(uint32_t *)phys_to_virt(p2) = 0x2222;
	table = (uint32_t)pte_ptr(boot_pgdir, BASE) & ~(PAGE_SIZE - 1);
	pte_set(boot_pgdir, ALIAS, virt_to_phys((void *)table) | KRW);

	alias[1] = p1 | KRW;
	t = probe_read32(BASE + PAGE_SIZE, &v);
	ok(!t && v == 0x1111, "a PTE written through the alias and never shadowed is read fresh");

	alias[1] = p2 | KRW;
	t = probe_read32(BASE + PAGE_SIZE, &v);
	ok(!t && (v == 0x1111 || v == 0x2222), "rewritten behind the Host's back: the old or the new page, no fault");
	tlb_flush_user();
	t = probe_read32(BASE + PAGE_SIZE, &v);
	ok(!t && v == 0x2222, "after FLUSH_TLB(0) the new page");

	alias[1] = 0;
	tlb_flush_user();
	t = probe_read32(BASE + PAGE_SIZE, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == BASE + PAGE_SIZE, "cleared through the alias and flushed: #PF");

	/* The alias takes away its own RW. */
	alias[SELF] = virt_to_phys((void *)table) | PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY;
	tlb_flush_user();
	t = probe_write32(ALIAS + 64, 1);
	ok(t && trap_last.vector == 14 && trap_last.error == (PF_PROT | PF_WRITE) && trap_last.cr2 == ALIAS + 64,
	   "the alias made itself read-only: a write through it is #PF(protection)");
	t = probe_read32(ALIAS + SELF * 4, &v);
	ok(!t && v == (virt_to_phys((void *)table) | PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY), "a read still shows its own entry");

	pte_set(boot_pgdir, ALIAS, 0);
	t = probe_read32(ALIAS, &v);
	ok(t && trap_last.vector == 14, "removed with SET_PTE, the alias faults");

	if (!tap_failures())
		kprintf("page table rewritten through its own mapping: flushes make it right\n");
	power_off();
}
