/*
 * mmu_pgdir: several page directories through LHCALL_NEW_PGTABLE, kernel
 * mappings (at and above lguest_data.kernel_address) shared by all of
 * them, and the hypercalls that change mappings: SET_PTE, SET_PGD (SET_PMD
 * for PAE's page middle directories) and FLUSH_TLB (user only, and all)
 * take effect at once.  Built for 2-level tables (mmu_pgdir) and PAE
 * (pae_mmu_pgdir, whose page directories are 32-byte PDPTs sharing a page).
 */
#include "runtime.h"

#define NDIRS 6 /* more than lguest's 4 cached shadow page directories */
#define UVA (USER_TEST_BASE + 0x1000)
#define KVA(n) (KWIN_BASE + (n) * PAGE_SIZE)

static pgd_t *dirs[NDIRS];

static uint32_t page_with(uint32_t value)
{
	uint32_t pa = page_alloc_phys();

	*(uint32_t *)phys_to_virt(pa) = value;
	return pa;
}

static uint32_t read_or_fault(uint32_t va)
{
	uint32_t v;

	if (probe_read32(va, &v))
		return 0xFA17FA17;
	return v;
}

static void test_switching(void)
{
	unsigned i, round, bad = 0;

	for (i = 0; i < NDIRS; i++) {
		dirs[i] = pgdir_create();
		pte_set(dirs[i], UVA, page_with(0x1000 + i) | PTE_PRESENT | PTE_RW);
	}
	for (round = 0; round < 3; round++)
		for (i = 0; i < NDIRS; i++) {
			pgdir_switch(dirs[i]);
			if (read_or_fault(UVA) != 0x1000 + i)
				bad++;
		}
	is_u32(bad, 0, "NEW_PGTABLE among 6 page directories, 3 rounds: each sees its own user mapping");
}

static void test_kernel_shared(void)
{
	unsigned i, bad = 0;

	pte_set(boot_pgdir, KVA(0), page_with(0xC0DE) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	pte_set(boot_pgdir, KVA(1), page_with(0x1111) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	pte_set(boot_pgdir, KVA(2), page_with(0x2222) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	for (i = 0; i < NDIRS; i++) {
		pgdir_switch(dirs[i]);
		if (read_or_fault(KVA(0)) != 0xC0DE)
			bad++;
	}
	is_u32(bad, 0, "a kernel mapping made once is the same in every page directory");

	/* Both directories have the old mapping in their shadows first. */
	pgdir_switch(dirs[1]);
	read_or_fault(KVA(1));
	pgdir_switch(dirs[0]);
	read_or_fault(KVA(1));
	pte_set(dirs[0], KVA(1), page_with(0x1112) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	is_u32(read_or_fault(KVA(1)), 0x1112, "SET_PTE of a kernel address takes effect at once");
	pgdir_switch(dirs[1]);
	is_u32(read_or_fault(KVA(1)), 0x1112, "and in the other page directories too");
}

static void test_set_pte(void)
{
	uint32_t v;
	int t;

	pgdir_switch(dirs[0]);
	read_or_fault(UVA);
	pte_set(dirs[0], UVA, page_with(0xA1) | PTE_PRESENT | PTE_RW);
	is_u32(read_or_fault(UVA), 0xA1, "SET_PTE of a user address takes effect at once");
	pte_set(dirs[0], UVA, page_with(0xA2) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	is_u32(read_or_fault(UVA), 0xA2, "so does SET_PTE with A and D already set");
	pte_set(dirs[0], UVA, 0);
	t = probe_read32(UVA, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == UVA && trap_last.error == 0,
	   "SET_PTE to not-present: the next access faults (#PF, error 0)");
	pte_set(dirs[0], UVA, page_with(0x1000) | PTE_PRESENT | PTE_RW);
}

/* The entry pointing to UVA's page table: SET_PGD, or SET_PMD with PAE. */
static void test_set_pde(void)
{
	uint32_t table = page_alloc_phys(), v;
	int t;

	pgdir_switch(dirs[0]);
	read_or_fault(UVA);
	((pte_t *)phys_to_virt(table))[PTE_INDEX(UVA)] = page_with(0xB1) | PTE_PRESENT | PTE_RW;
	pde_set(dirs[0], UVA, table | PDE_TABLE);
	is_u32(read_or_fault(UVA), 0xB1, PDE_HCALL " to another page table takes effect at once");
	pde_set(dirs[0], UVA, 0);
	t = probe_read32(UVA, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == UVA, PDE_HCALL " to an empty entry: the next access faults");
}

static void test_flush_tlb(void)
{
	pgdir_switch(dirs[2]);
	read_or_fault(UVA);
	pte_write(dirs[2], UVA, page_with(0xC1) | PTE_PRESENT | PTE_RW);
	tlb_flush_user();
	is_u32(read_or_fault(UVA), 0xC1, "FLUSH_TLB(0) picks up a changed user PTE");

	pgdir_switch(dirs[3]);
	read_or_fault(KVA(2));
	pgdir_switch(dirs[2]);
	read_or_fault(KVA(2));
	pte_write(dirs[2], KVA(2), page_with(0x2223) | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	tlb_flush_all();
	is_u32(read_or_fault(KVA(2)), 0x2223, "FLUSH_TLB(1) picks up a changed kernel PTE");
	pgdir_switch(dirs[3]);
	is_u32(read_or_fault(KVA(2)), 0x2223, "in every page directory");
	is_u32(read_or_fault(UVA), 0x1003, "and user mappings are still right after the flush");
}

void guest_main(void)
{
	diag("conformance guest: mmu_pgdir (" GUEST_FORMAT " page tables)");
	irq_enable();
	test_switching();
	test_kernel_shared();
	test_set_pte();
	test_set_pde();
	test_flush_tlb();
	pgdir_switch(boot_pgdir);
	tap_done();
}
