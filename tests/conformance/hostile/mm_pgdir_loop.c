/*
 * hostile: two page directories that name each other as page tables.
 * A's entry LOOP is directory B and B's entry LOOP is directory A, so
 * under A the slot maps B's page tables as pages (and, at entry LOOP, A
 * itself), and under B the other way round.  Both are RAM pages with
 * _PAGE_TABLE entries: lguest shadowed them like any page table, and a
 * two-level walk cannot loop.  The guest switches between them and checks
 * each sees the other's tables, then clears B's entry and flushes.
 */
#include "runtime.h"

#define LOOP 0x100u
#define LOOP_BASE (LOOP << 22)
#define MARK 0x180u /* each directory's entry MARK: a table whose last word marks it */
#define MARK_WORD (LOOP_BASE + MARK * PAGE_SIZE + 1023 * 4)

void guest_main(void)
{
	pgd_t *a = pgdir_create(), *b = pgdir_create();
	uint32_t pa = virt_to_phys(a), pb = virt_to_phys(b), v = 0, bad = 0;
	uint32_t *ta = page_alloc(), *tb = page_alloc();
	int t;

	kprintf("expect-survive: ^two page directories naming each other: each sees the other$\n");
	ta[1023] = 0xA0A0A0A0; /* not present as a PTE */
	tb[1023] = 0xB0B0B0B0;
	a[MARK] = virt_to_phys(ta) | PDE_TABLE;
	b[MARK] = virt_to_phys(tb) | PDE_TABLE;
	a[LOOP] = pb | PDE_TABLE;
	b[LOOP] = pa | PDE_TABLE;
	for (unsigned round = 0; round < 20; round++) {
		pgdir_switch(a);
		bad += probe_read32(MARK_WORD, &v) || v != 0xB0B0B0B0;
		bad += probe_read32(LOOP_BASE + LOOP * PAGE_SIZE + LOOP * 4, &v) || v != (pb | PDE_TABLE);
		pgdir_switch(b);
		bad += probe_read32(MARK_WORD, &v) || v != 0xA0A0A0A0;
		bad += probe_read32(LOOP_BASE + LOOP * PAGE_SIZE + LOOP * 4, &v) || v != (pa | PDE_TABLE);
	}
	is_u32(bad, 0, "20 rounds of switches: under A the slot shows B's tables, under B A's");

	pgdir_switch(a);
	t = probe_read32(LOOP_BASE + KERNEL_PDE * PAGE_SIZE, &v);
	ok(!t && v == ((pte_t *)phys_to_virt(boot_pgdir[KERNEL_PDE] & PTE_FRAME_MASK))[0],
	   "under A, B's kernel entry maps the kernel's first page table");

	/* B's entry MARK is a PTE under A: gone once A's user mappings are flushed. */
	pgd_set(b, MARK, 0);
	tlb_flush_user();
	t = probe_read32(MARK_WORD, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == MARK_WORD, "B's entry cleared: under A that page faults");
	pgdir_switch(b);
	t = probe_read32(MARK_WORD, &v);
	ok(!t && v == 0xA0A0A0A0, "while under B the slot still shows A's table");

	pgdir_switch(boot_pgdir);
	if (!tap_failures())
		kprintf("two page directories naming each other: each sees the other\n");
	power_off();
}
