/*
 * pae_pdpt: the upper levels of PAE tables.  A page-directory-pointer table
 * is 32 bytes, several share a page (Linux's pgd cache), and each is an
 * address space of its own.  LHCALL_SET_PGD(pdpt & ~0x1f, index) changes a
 * PDPT entry and LHCALL_SET_PMD(middle directory page, index) a middle
 * directory entry, at once: in user middle directories (even one held by
 * two PDPTs) and in the kernel's, which every PDPT shares.  Each user GiB
 * has its own middle directory, and a middle directory entry's RW and USER
 * bits limit the pages below it.
 */
#include "runtime.h"

#define NDIRS 4
#define UVA (USER_TEST_BASE + 0x3000)
#define KVA 0xD0000000 /* a kernel address with no page table yet */
#define FAULTED 0xFA17FA17

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
		return FAULTED;
	return v;
}

/* A new page table mapping va to a fresh page holding value. */
static uint32_t table_with(uint32_t va, uint32_t value, uint32_t flags)
{
	uint32_t table = page_alloc_phys();

	((pte_t *)phys_to_virt(table))[PTE_INDEX(va)] = page_with(value) | flags;
	return table;
}

static void test_pdpts_share_a_page(void)
{
	unsigned i, round, bad = 0;

	for (i = 0; i < NDIRS; i++) {
		dirs[i] = pgdir_create();
		pte_set(dirs[i], UVA, page_with(0x100 + i) | PTE_PRESENT | PTE_RW);
	}
	ok(((uint32_t)dirs[0] & ~(PAGE_SIZE - 1)) == ((uint32_t)dirs[NDIRS - 1] & ~(PAGE_SIZE - 1)) &&
		   (uint32_t)dirs[1] - (uint32_t)dirs[0] == PDPT_SIZE,
	   "the PDPTs lie 32 bytes apart in one page");
	for (round = 0; round < 2; round++)
		for (i = 0; i < NDIRS; i++) {
			pgdir_switch(dirs[i]);
			if (read_or_fault(UVA) != 0x100 + i)
				bad++;
		}
	is_u32(bad, 0, "NEW_PGTABLE among them, 2 rounds: each PDPT sees its own user mapping");
}

static void test_user_gibs(void)
{
	static const uint32_t va[3] = { 0x10005000, 0x40006000, 0x80007000 };
	unsigned i, bad = 0;

	pgdir_switch(dirs[1]);
	for (i = 0; i < 3; i++)
		pte_set(dirs[1], va[i], page_with(0x200 + i) | PTE_PRESENT | PTE_RW);
	for (i = 0; i < 3; i++)
		if (read_or_fault(va[i]) != 0x200 + i)
			bad++;
	is_u32(bad, 0, "mappings in each user GiB (PDPT entries 0, 1, 2) read back their own pages");
}

static void test_set_pgd(void)
{
	pgd_t *pdpt = dirs[1]; /* at offset 32 in its page */
	pgd_t old = pdpt[0];
	uint32_t pmd = page_alloc_phys(), v;
	int t;

	pgdir_switch(pdpt);
	read_or_fault(UVA);
	((pmd_t *)phys_to_virt(pmd))[PMD_INDEX(UVA)] = table_with(UVA, 0xD1, PTE_PRESENT | PTE_RW) | PDE_TABLE;
	pgd_set(pdpt, 0, pmd | PGD_PRESENT);
	is_u32(read_or_fault(UVA), 0xD1, "SET_PGD pointing a PDPT entry to another middle directory takes effect at once");
	pgd_set(pdpt, 0, 0);
	t = probe_read32(UVA, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == UVA && trap_last.error == 0,
	   "SET_PGD clearing a PDPT entry: the next access faults (#PF, error 0)");
	pgd_set(pdpt, 0, old);
	is_u32(read_or_fault(UVA), 0x101, "SET_PGD restoring it brings the old mapping back");
	pgdir_switch(dirs[2]);
	is_u32(read_or_fault(UVA), 0x102, "the other PDPTs in the page were not touched");
}

/* Two PDPTs holding one middle directory: SET_PMD must reach both shadows. */
static void test_set_pmd_shared_user(void)
{
	pgd_t *a = dirs[2], *b = dirs[3];
	pmd_t *pmd = pmd_of(a, UVA);

	pgd_set(b, 0, a[0]);
	pgdir_switch(b);
	read_or_fault(UVA);
	pgdir_switch(a);
	read_or_fault(UVA);
	pmd_set(pmd, PMD_INDEX(UVA), table_with(UVA, 0xE1, PTE_PRESENT | PTE_RW) | PDE_TABLE);
	is_u32(read_or_fault(UVA), 0xE1, "SET_PMD to another page table takes effect at once");
	pgdir_switch(b);
	is_u32(read_or_fault(UVA), 0xE1, "in every PDPT holding that middle directory");
	pmd_set(pmd, PMD_INDEX(UVA), 0);
	is_u32(read_or_fault(UVA), FAULTED, "SET_PMD clearing the entry: the next access faults");
	pgdir_switch(a);
	is_u32(read_or_fault(UVA), FAULTED, "in the other PDPT too");
}

/* The kernel's middle directory is one page in every PDPT. */
static void test_set_pmd_kernel(void)
{
	pmd_t *kpmd = pmd_of(boot_pgdir, KVA);
	unsigned idx = PMD_INDEX(KVA);

	pgdir_switch(dirs[0]);
	is_u32(read_or_fault(KVA), FAULTED, "a kernel address with no page table faults");
	pmd_set(kpmd, idx, table_with(KVA, 0xF1, PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY) | PDE_TABLE);
	is_u32(read_or_fault(KVA), 0xF1, "SET_PMD in the kernel's middle directory takes effect at once");
	pgdir_switch(dirs[1]);
	is_u32(read_or_fault(KVA), 0xF1, "and every PDPT sees it");
	pmd_set(kpmd, idx, table_with(KVA, 0xF2, PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY) | PDE_TABLE);
	is_u32(read_or_fault(KVA), 0xF2, "replacing that kernel page table takes effect at once");
	pgdir_switch(dirs[0]);
	is_u32(read_or_fault(KVA), 0xF2, "in every PDPT");
	pmd_set(kpmd, idx, 0);
	is_u32(read_or_fault(KVA), FAULTED, "and clearing it too");
}

/* Rights of a middle directory entry apply to every page below it. */
static void test_pmd_rights(void)
{
	pgd_t *pdpt = dirs[0];
	pmd_t *pmd;
	uint32_t va = USER_TEST_BASE + 0x400000, code;
	int t;

	pte_set(pdpt, va, page_with(0x77) | PTE_PRESENT | PTE_RW | PTE_USER);
	pmd = pmd_of(pdpt, va);
	pgdir_switch(pdpt);
	is_u32(user_call(u_probe_read, va, 0, 0), 0x77, "a user page under a middle directory entry with USER works");
	pmd_set(pmd, PMD_INDEX(va), (pmd[PMD_INDEX(va)] & PTE_FRAME_MASK) | (PDE_TABLE & ~PTE_USER));
	code = user_call(u_probe_read, va, 0, 0);
	ok(code == (USER_TRAPPED | 14) && trap_last.cr2 == va && trap_last.error == (PF_PROT | PF_USER),
	   "without USER in the middle directory entry, a user read faults (#PF 0x5)");
	pmd_set(pmd, PMD_INDEX(va), (pmd[PMD_INDEX(va)] & PTE_FRAME_MASK) | (PDE_TABLE & ~PTE_RW));
	t = probe_write32(va, 1);
	ok(t && trap_last.cr2 == va && trap_last.error == (PF_PROT | PF_WRITE),
	   "without RW in it, a kernel write faults (#PF 0x3)");
	is_u32(read_or_fault(va), 0x77, "and a read works");
}

void guest_main(void)
{
	diag("conformance guest: pae_pdpt");
	user_init();
	irq_enable();
	test_pdpts_share_a_page();
	for (unsigned i = 0; i < NDIRS; i++)
		user_map(dirs[i]);
	test_user_gibs();
	test_set_pgd();
	test_set_pmd_shared_user();
	test_set_pmd_kernel();
	test_pmd_rights();
	pgdir_switch(boot_pgdir);
	tap_done();
}
