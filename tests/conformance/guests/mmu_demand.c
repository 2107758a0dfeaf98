/*
 * mmu_demand: demand paging as lguest's shadow page tables do it.
 * The Host sets _PAGE_ACCESSED in the guest PTE when it maps a page and
 * _PAGE_DIRTY on the first write; a clean writable page is mapped
 * read-only until that write.  Faults the guest's tables do not allow
 * reach the guest's #PF handler with lguest_data.cr2 and the error code.
 * Built for 2-level tables (mmu_demand) and PAE (pae_mmu_demand): the A and
 * D bits live in 32-bit or 64-bit guest PTEs.
 */
#include "runtime.h"

#define VA(n) (USER_TEST_BASE + (n) * PAGE_SIZE)
#define UNMAPPED_PDE_VA 0x30000000 /* a region with no page table */
#ifdef GUEST_PAE
#define UNMAPPED_PGD_VA 0x50000000 /* a GiB with no middle directory */
/* With PAE (and NX) an instruction fetch sets the I/D bit of the error code. */
#define PF_FETCH PF_INSTR
#else
#define PF_FETCH 0 /* no I/D bit without NX */
#endif

static pgd_t *pgdir;

/* A fresh page holding 'pattern' at va, with the given PTE flags. */
static uint32_t map_page(uint32_t va, uint32_t flags, uint32_t pattern)
{
	uint32_t pa = page_alloc_phys();

	*(uint32_t *)phys_to_virt(pa) = pattern;
	pte_set(pgdir, va, pa | flags);
	return pa;
}

static pte_t pte_of(uint32_t va)
{
	return *pte_ptr(pgdir, va);
}

static int ad_bits(uint32_t va)
{
	return pte_of(va) & (PTE_ACCESSED | PTE_DIRTY);
}

static void test_accessed_dirty(void)
{
	uint32_t va = VA(0), pa, v = 0;

	pa = map_page(va, PTE_PRESENT | PTE_RW, 0x1234);
	is_u32(ad_bits(va), 0, "a new PTE starts with A and D clear");
	probe_read32(va, &v);
	is_u32(v, 0x1234, "the first read of a demand-paged page sees its contents");
	is_u32(ad_bits(va), PTE_ACCESSED, "the first read sets A in the guest PTE and leaves D clear");
	probe_read32(va, &v);
	is_u32(ad_bits(va), PTE_ACCESSED, "more reads leave D clear: the clean page is mapped read-only");
	probe_write32(va, 0x5678);
	is_u32(ad_bits(va), PTE_ACCESSED | PTE_DIRTY, "the first write sets D");
	is_u32(*(uint32_t *)phys_to_virt(pa), 0x5678, "and lands in the page");

	pte_set(pgdir, va, pa | PTE_PRESENT | PTE_RW);
	probe_read32(va, &v);
	is_u32(ad_bits(va), PTE_ACCESSED, "after SET_PTE with A and D clear, a read sets A only");
	probe_write32(va, 0x9ABC);
	is_u32(ad_bits(va), PTE_ACCESSED | PTE_DIRTY, "and the next write sets D again");

	va = VA(1);
	map_page(va, PTE_PRESENT | PTE_RW, 0);
	probe_write32(va, 1);
	is_u32(ad_bits(va), PTE_ACCESSED | PTE_DIRTY, "a first access that writes sets A and D together");
}

static void check_fault(const char *what, int trapped, uint32_t va, uint32_t error)
{
	int good = trapped && trap_last.vector == 14 && trap_last.cr2 == va && trap_last.error == error &&
		   trap_last.eip == probe_eip;

	if (!okf(good, "%s: #PF error %#x, lguest_data.cr2 = address, eip of the access", what, error))
		diag("trapped %d vector %u error %#x cr2 %#x (expected %#x) eip %#x (expected %#x)", trapped,
		     trap_last.vector, trap_last.error, trap_last.cr2, va, trap_last.eip, probe_eip);
}

static void test_kernel_faults(void)
{
	uint32_t va = VA(2), pa, v;
	int t;

	t = probe_read32(va, &v);
	check_fault("kernel read of an unmapped address", t, va, 0);
	t = probe_write32(va + 8, 1);
	check_fault("kernel write to an unmapped address", t, va + 8, PF_WRITE);
	t = probe_read32(UNMAPPED_PDE_VA + 0x123, &v);
	check_fault("kernel read where the page directory entry is empty", t, UNMAPPED_PDE_VA + 0x123, 0);
#ifdef GUEST_PAE
	t = probe_write32(UNMAPPED_PGD_VA + 0x456, 1);
	check_fault("kernel write where the page-directory-pointer entry is empty", t, UNMAPPED_PGD_VA + 0x456,
		    PF_WRITE);
#endif
	t = probe_exec(VA(2) + 0x10, &v);
	check_fault("kernel instruction fetch from an unmapped address", t, VA(2) + 0x10, PF_FETCH);

	va = VA(3);
	pa = map_page(va, PTE_PRESENT, 0x4242);
	probe_read32(va, &v);
	t = probe_write32(va + 4, 0xBAD);
	check_fault("kernel write to a read-only page (after a read)", t, va + 4, PF_PROT | PF_WRITE);
	is_u32(ad_bits(va), PTE_ACCESSED, "the refused write leaves D clear");
	is_u32(*(uint32_t *)phys_to_virt(pa + 4), 0, "and does not reach the page");
}

static void check_user_fault(const char *what, uint32_t code, uint32_t va, uint32_t error, uint32_t mask)
{
	int good = code == (USER_TRAPPED | 14) && trap_last.cr2 == va && (trap_last.error & mask) == error &&
		   trap_last.eip == USER_READ(u_probe_eip) && trap_last.esp == USER_READ(u_probe_esp) &&
		   trap_last.cs == SEL_USER_CS;

	if (!okf(good, "%s: #PF error %#x, cr2, user eip and esp", what, error))
		diag("code %#x error %#x cr2 %#x (expected %#x) eip %#x (user %#x) esp %#x (user %#x)", code,
		     trap_last.error, trap_last.cr2, va, trap_last.eip, USER_READ(u_probe_eip), trap_last.esp,
		     USER_READ(u_probe_esp));
}

static void test_user_faults(void)
{
	uint32_t va = VA(4), code;

	code = user_call(u_probe_read, va, 0, 0);
	check_user_fault("user read of an unmapped address", code, va, PF_USER, ~0u);
	code = user_call(u_probe_write, va, 1, 0);
	check_user_fault("user write to an unmapped address", code, va, PF_USER | PF_WRITE, ~0u);

	va = VA(5);
	map_page(va, PTE_PRESENT | PTE_USER, 0x77);
	is_u32(user_call(u_probe_read, va, 0, 0), 0x77, "user read of a read-only user page works");
	is_u32(ad_bits(va), PTE_ACCESSED, "and sets A");
	code = user_call(u_probe_write, va, 2, 0);
	check_user_fault("user write to it", code, va, PF_USER | PF_WRITE | PF_PROT, ~0u);

	/* Whether P is set here depends on the Host's shadow: test U and W only. */
	va = VA(6);
	map_page(va, PTE_PRESENT | PTE_RW, 0x66);
	code = user_call(u_probe_read, va, 0, 0);
	check_user_fault("user read of an untouched kernel-only page", code, va, PF_USER, PF_USER | PF_WRITE);
	is_u32(ad_bits(va), 0, "the refused user access leaves A clear");

	va = VA(7);
	map_page(va, PTE_PRESENT | PTE_RW | PTE_USER, 0x55);
	is_u32(user_call(u_probe_write, va, 0x99, 0), 0, "user write to a writable user page works");
	is_u32(ad_bits(va), PTE_ACCESSED | PTE_DIRTY, "and sets A and D");
}

void guest_main(void)
{
	diag("conformance guest: mmu_demand (" GUEST_FORMAT " page tables)");
	user_init();
	pgdir = pgdir_create();
	user_map(pgdir);
	pgdir_switch(pgdir);
	irq_enable();
	test_accessed_dirty();
	test_kernel_faults();
	test_user_faults();
	pgdir_switch(boot_pgdir);
	tap_done();
}
