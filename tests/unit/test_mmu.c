/*
 * Shadow page tables against a fake guest: RAM is a malloc'd buffer holding
 * 2-level page tables written here, the pool a malloc'd block at a made-up
 * GPA.  hw_walk() reads the 4-level shadow the way the CPU would, starting
 * from mmu_cr3(), and cpu_access() plays the CPU: it faults into
 * mmu_demand_page() with the hardware error code when the shadow refuses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypercalls/lguest_abi.h"
#include "mmu/shadow_mmu.h"
#include "vmm/trace.h"

#define RAM_SIZE (16u << 20)
#define POOL_GPA 0x100000000ull
#define HOST_PML4E 0x00000001fff00063ull
#define MMIO_BASE 0xe0000000u
#define MMIO_SIZE 0x00100000u
#define KERNEL_ADDR 0xc0000000u

/* Guest-physical layout of the fake guest's tables. */
#define PGDIR_A 0x10000u
#define PGDIR_B 0x11000u
#define KPT 0x20000u   /* page table for the kernel slot at 0xc0000000 */
#define UPT_A 0x21000u /* page table for the user slot at 0x08000000 in A */
#define UPT_B 0x22000u /* ... in B */
#define UVADDR 0x08048000u
#define KVADDR 0xc0100000u
#define UFRAME_A 0x300000u
#define UFRAME_B 0x400000u
#define KFRAME 0x100000u

#define PDE_USER (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED)
#define PDE_KERNEL (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)
#define ADDR_MASK 0x000ffffffffff000ull

static uint8_t *ram;
static void *pool;
static uint32_t pool_pages;
static struct guest_memory mem;
static struct guest_fault fault;
static struct shadow_mmu *m;
static bool use_pae;

/* --- the fake guest's memory and tables --- */

static void gw32(uint64_t gpa, uint32_t v)
{
	ck_assert(gpa + 4 <= RAM_SIZE);
	memcpy(ram + gpa, &v, 4);
}

static uint32_t gr32(uint64_t gpa)
{
	uint32_t v;

	ck_assert(gpa + 4 <= RAM_SIZE);
	memcpy(&v, ram + gpa, 4);
	return v;
}

static void set_gpde(uint32_t pgdir, uint32_t vaddr, uint32_t pde)
{
	gw32(pgdir + (vaddr >> 22) * 4, pde);
}

static uint64_t gpte_addr(uint32_t pt, uint32_t vaddr)
{
	return pt + ((vaddr >> 12) & 1023) * 4;
}

static void set_gpte(uint32_t pt, uint32_t vaddr, uint32_t pte)
{
	gw32(gpte_addr(pt, vaddr), pte);
}

static uint32_t get_gpte(uint32_t pt, uint32_t vaddr)
{
	return gr32(gpte_addr(pt, vaddr));
}

/* --- what the CPU sees --- */

static uint64_t *pool_page(uint64_t entry)
{
	uint64_t gpa = entry & ADDR_MASK;

	ck_assert_msg(gpa >= POOL_GPA &&
			      gpa < POOL_GPA + (uint64_t)pool_pages * 4096,
		      "shadow directory entry 0x%llx points outside the pool",
		      (unsigned long long)entry);
	return (uint64_t *)(void *)((uint8_t *)pool + (gpa - POOL_GPA));
}

/* The leaf entry for vaddr with RW and USER as the CPU combines them over
 * the four levels, or 0 when some level is not present. */
static uint64_t hw_walk(uint32_t vaddr)
{
	unsigned idx[4] = { 0, vaddr >> 30, (vaddr >> 21) & 511,
			    (vaddr >> 12) & 511 };
	uint64_t rights = PTE_RW | PTE_USER, e = 0;
	uint64_t *t = pool_page(mmu_cr3(m));

	for (int level = 0; level < 4; level++) {
		e = t[idx[level]];
		if (!(e & PTE_PRESENT))
			return 0;
		rights &= e;
		if (level == 3)
			break;
		ck_assert_msg(!(e & PTE_PSE), "no large pages in the shadow");
		t = pool_page(e);
	}
	return (e & ~(uint64_t)(PTE_RW | PTE_USER)) | rights;
}

static bool hw_allows(uint32_t vaddr, bool write, bool user)
{
	uint64_t s = hw_walk(vaddr);

	/* CR0.WP: supervisor writes need RW too. */
	return s && (!write || (s & PTE_RW)) && (!user || (s & PTE_USER));
}

/* One access as the CPU makes it.  MMU_FIXED: the access completed (maybe
 * after demand faults); otherwise what mmu_demand_page said. */
static enum mmu_fault cpu_access(uint32_t vaddr, bool write, bool user,
				 uint32_t *gerr)
{
	for (int tries = 0; tries < 3; tries++) {
		uint64_t s = hw_walk(vaddr);
		uint32_t err;
		enum mmu_fault f;

		if (hw_allows(vaddr, write, user))
			return MMU_FIXED;
		err = (s ? PF_PROT : 0) | (write ? PF_WRITE : 0) |
		      (user ? PF_USER : 0);
		f = mmu_demand_page(m, vaddr, err, gerr);
		if (f != MMU_FIXED)
			return f;
	}
	ck_abort_msg("access to 0x%x still faults after being fixed", vaddr);
	return MMU_KILLED;
}

static void expect_access(uint32_t vaddr, bool write, bool user)
{
	uint32_t gerr = 0;

	ck_assert_int_eq(cpu_access(vaddr, write, user, &gerr), MMU_FIXED);
}

static uint32_t expect_guest_fault(uint32_t vaddr, bool write, bool user)
{
	uint32_t gerr = 0xdead;

	ck_assert_int_eq(cpu_access(vaddr, write, user, &gerr),
			 MMU_GUEST_FAULT);
	ck_assert(!fault.raised);
	return gerr;
}

/* Drains the touch log the way the run loop does; true if a TLB flush was
 * asked for. */
static bool take_flush(void)
{
	uint64_t va[64], flush = 0;

	while (mmu_take_touched(m, va, 64, 0, &flush) == 64)
		;
	ck_assert_uint_eq(mmu_touched_pending(m), 0);
	return flush;
}

/* Addresses of the entries the CPU walks for vaddr: PD entry, PT entry. */
static void shadow_entry_gpas(uint32_t vaddr, uint64_t *pde_gpa,
			      uint64_t *pte_gpa)
{
	uint64_t *pml4 = pool_page(mmu_cr3(m));
	uint64_t pdpte = pool_page(pml4[0])[vaddr >> 30];
	uint64_t pde = pool_page(pdpte)[(vaddr >> 21) & 511];

	*pde_gpa = (pdpte & ADDR_MASK) + ((vaddr >> 21) & 511) * 8;
	*pte_gpa = (pde & ADDR_MASK) + ((vaddr >> 12) & 511) * 8;
}

static struct mmu_stats stats(void)
{
	struct mmu_stats st;

	mmu_get_stats(m, &st);
	return st;
}

/* --- fixtures --- */

static struct mmu_config config(unsigned max_roots, uint32_t pages)
{
	struct mmu_config cfg = {
		.mem = &mem,
		.fault = &fault,
		.mmio_base = MMIO_BASE,
		.mmio_size = MMIO_SIZE,
		.pool = pool,
		.pool_gpa = POOL_GPA,
		.pool_pages = pages,
		.host_pml4e = HOST_PML4E,
		.max_roots = max_roots,
		.pae = use_pae,
		.touch_log = true,
	};
	return cfg;
}

static void make_mmu(unsigned max_roots, uint32_t pages)
{
	struct mmu_config cfg;

	free(pool);
	pool_pages = pages;
	pool = aligned_alloc(4096, (size_t)pages * 4096);
	ck_assert_ptr_nonnull(pool);
	cfg = config(max_roots, pages);
	mmu_destroy(m);
	m = mmu_create(&cfg);
	ck_assert_ptr_nonnull(m);
}

/* Two processes A and B sharing the kernel page table, each with one user
 * page table; the MMU created, the kernel address set, A loaded. */
static void setup(void)
{
	use_pae = false;
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	mem.ram = ram;
	mem.size = RAM_SIZE;
	guest_fault_clear(&fault);

	set_gpde(PGDIR_A, UVADDR, UPT_A | PDE_USER);
	set_gpde(PGDIR_B, UVADDR, UPT_B | PDE_USER);
	set_gpde(PGDIR_A, KVADDR, KPT | PDE_KERNEL);
	set_gpde(PGDIR_B, KVADDR, KPT | PDE_KERNEL);
	set_gpte(UPT_A, UVADDR, UFRAME_A | PTE_PRESENT | PTE_RW | PTE_USER);
	set_gpte(UPT_B, UVADDR, UFRAME_B | PTE_PRESENT | PTE_RW | PTE_USER);
	set_gpte(KPT, KVADDR, KFRAME | PTE_PRESENT | PTE_RW);

	make_mmu(4, 4 * MMU_PAGES_PER_ROOT + 64);
	mmu_set_kernel_address(m, KERNEL_ADDR);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert(!fault.raised);
}

static void teardown(void)
{
	use_pae = false;
	mmu_destroy(m);
	m = NULL;
	free(pool);
	pool = NULL;
	free(ram);
	ram = NULL;
}

/* A fresh MMU still in linear mode (no NEW_PGTABLE yet). */
static void setup_linear(void)
{
	setup();
	mmu_reset(m);
}

/* --- linear mode --- */

START_TEST(test_linear_mode_maps_virtual_to_same_physical)
{
	uint64_t s;

	expect_access(0x5123, false, false);
	s = hw_walk(0x5000);
	ck_assert_uint_eq(s & ADDR_MASK, 0x5000);
	ck_assert(!(s & PTE_USER));
	/* lguest's made-up entry is not dirty: a read maps the page
	 * read-only, and the first write faults once more (as in lguest's
	 * traces), then the page is writable. */
	ck_assert(!(s & PTE_RW));
	ck_assert(!hw_allows(0x5123, true, false));
	expect_access(0x5123, true, false);
	ck_assert(hw_walk(0x5000) & PTE_RW);
	/* A write first maps it writable at once. */
	expect_access(0x7123, true, false);
	ck_assert(hw_walk(0x7000) & PTE_RW);
}
END_TEST

START_TEST(test_linear_mode_refuses_user_access_like_lguest)
{
	/* lguest's made-up linear entry has no _PAGE_USER. */
	uint32_t gerr = expect_guest_fault(0x6000, false, true);

	ck_assert_uint_eq(gerr, PF_PROT | PF_USER);
}
END_TEST

START_TEST(test_linear_mode_access_past_ram_kills)
{
	uint32_t gerr;

	ck_assert_int_eq(cpu_access(RAM_SIZE + 0x1000, false, false, &gerr),
			 MMU_KILLED);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "past RAM"));
}
END_TEST

START_TEST(test_new_pgtable_drops_linear_mappings)
{
	expect_access(0x5000, false, false);
	ck_assert_uint_ne(hw_walk(0x5000), 0);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(0x5000), 0);
	/* Now 0x5000 means what PGDIR_A says: nothing. */
	ck_assert_uint_eq(expect_guest_fault(0x5000, false, false), 0);
}
END_TEST

START_TEST(test_set_pte_in_linear_mode_changes_nothing)
{
	expect_access(0x200000, false, false);
	mmu_set_pte(m, PGDIR_A, 0x200000, KFRAME | PTE_PRESENT | PTE_ACCESSED);
	ck_assert_uint_eq(hw_walk(0x200000) & ADDR_MASK, 0x200000);
	ck_assert(!fault.raised);
}
END_TEST

/* --- demand paging and A/D bits --- */

START_TEST(test_demand_fault_maps_page_and_sets_accessed)
{
	uint64_t s;

	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	expect_access(UVADDR + 0x10, false, true);
	s = hw_walk(UVADDR);
	ck_assert_uint_eq(s & ADDR_MASK, UFRAME_A);
	ck_assert(s & PTE_USER);
	ck_assert_msg(!(s & PTE_RW), "a clean page is mapped read-only");
	ck_assert(get_gpte(UPT_A, UVADDR) & PTE_ACCESSED);
	ck_assert(!(get_gpte(UPT_A, UVADDR) & PTE_DIRTY));
	ck_assert_uint_eq(stats().faults_fixed, 1);
}
END_TEST

START_TEST(test_write_fault_marks_dirty_and_only_then_maps_writable)
{
	uint32_t gerr;

	expect_access(UVADDR, false, true);
	ck_assert(!(hw_walk(UVADDR) & PTE_RW));
	/* The write faults on the read-only shadow entry (P=1). */
	ck_assert_int_eq(mmu_demand_page(m, UVADDR, PF_PROT | PF_WRITE | PF_USER,
					 &gerr),
			 MMU_FIXED);
	ck_assert(get_gpte(UPT_A, UVADDR) & PTE_DIRTY);
	ck_assert(hw_walk(UVADDR) & PTE_RW);
	expect_access(UVADDR, true, true);
}
END_TEST

START_TEST(test_read_of_dirty_page_maps_writable)
{
	set_gpte(UPT_A, UVADDR, UFRAME_A | PTE_PRESENT | PTE_RW | PTE_USER |
				  PTE_DIRTY);
	expect_access(UVADDR, false, true);
	ck_assert(hw_walk(UVADDR) & PTE_RW);
}
END_TEST

START_TEST(test_write_to_read_only_page_is_guest_fault)
{
	set_gpte(UPT_A, UVADDR, UFRAME_A | PTE_PRESENT | PTE_USER);
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(expect_guest_fault(UVADDR, true, true),
			  PF_PROT | PF_WRITE | PF_USER);
	ck_assert(!(get_gpte(UPT_A, UVADDR) & PTE_DIRTY));
	/* CR0.WP: the guest kernel (CPL 1, supervisor) cannot write it either. */
	ck_assert_uint_eq(expect_guest_fault(UVADDR, true, false),
			  PF_PROT | PF_WRITE);
	ck_assert_uint_eq(stats().faults_to_guest, 2);
}
END_TEST

START_TEST(test_user_access_to_kernel_page_is_guest_fault)
{
	ck_assert_uint_eq(expect_guest_fault(KVADDR, false, true),
			  PF_PROT | PF_USER);
	ck_assert(!(get_gpte(KPT, KVADDR) & PTE_ACCESSED));
	/* Once the kernel mapped it, the shadow still refuses user mode. */
	expect_access(KVADDR, false, false);
	ck_assert(!(hw_walk(KVADDR) & PTE_USER));
	ck_assert_uint_eq(expect_guest_fault(KVADDR, false, true),
			  PF_PROT | PF_USER);
}
END_TEST

START_TEST(test_not_present_pte_is_guest_fault_with_p_clear)
{
	ck_assert_uint_eq(expect_guest_fault(UVADDR + 0x1000, true, true),
			  PF_WRITE | PF_USER);
}
END_TEST

START_TEST(test_not_present_pde_is_guest_fault_with_p_clear)
{
	ck_assert_uint_eq(expect_guest_fault(0x40000000, false, false), 0);
}
END_TEST

START_TEST(test_directory_rights_limit_the_page)
{
	set_gpde(PGDIR_A, UVADDR, UPT_A | PTE_PRESENT | PTE_ACCESSED);
	ck_assert_uint_eq(expect_guest_fault(UVADDR, false, true),
			  PF_PROT | PF_USER);
	ck_assert_uint_eq(expect_guest_fault(UVADDR, true, false),
			  PF_PROT | PF_WRITE);
	/* The kernel may read: mapped, but neither user nor writable. */
	expect_access(UVADDR, false, false);
	ck_assert(!(hw_walk(UVADDR) & (PTE_USER | PTE_RW)));
}
END_TEST

START_TEST(test_guest_errcode_has_no_instruction_bit_without_nx)
{
	uint32_t gerr;

	ck_assert_int_eq(mmu_demand_page(m, UVADDR + 0x1000,
					 PF_USER | PF_INSTR, &gerr),
			 MMU_GUEST_FAULT);
	ck_assert_uint_eq(gerr, PF_USER);
}
END_TEST

START_TEST(test_global_bit_is_dropped_in_shadow)
{
	set_gpte(KPT, KVADDR, KFRAME | PTE_PRESENT | PTE_RW | PTE_GLOBAL);
	expect_access(KVADDR, false, false);
	ck_assert(!(hw_walk(KVADDR) & PTE_GLOBAL));
}
END_TEST

START_TEST(test_reserved_bit_fault_kills)
{
	uint32_t gerr;

	ck_assert_int_eq(mmu_demand_page(m, UVADDR, PF_PROT | PF_RSVD, &gerr),
			 MMU_KILLED);
	ck_assert(fault.raised);
}
END_TEST

/* --- validation --- */

START_TEST(test_frame_past_ram_kills)
{
	uint32_t gerr;

	set_gpte(UPT_A, UVADDR, RAM_SIZE | PTE_PRESENT | PTE_USER);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "bad page table entry 0x1000005"));
	ck_assert_ptr_nonnull(strstr(fault.reason, "past RAM"));
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
}
END_TEST

START_TEST(test_frame_just_past_mmio_window_kills)
{
	uint32_t gerr;

	set_gpte(UPT_A, UVADDR,
		 (MMIO_BASE + MMIO_SIZE) | PTE_PRESENT | PTE_USER);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
}
END_TEST

START_TEST(test_pat_bit_in_pte_kills)
{
	uint32_t gerr;

	set_gpte(UPT_A, UVADDR, UFRAME_A | PTE_PRESENT | PTE_USER | PTE_PSE);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_large_page_directory_entry_kills)
{
	uint32_t gerr;

	set_gpde(PGDIR_A, UVADDR, 0x800000 | PDE_USER | PTE_PSE);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert_ptr_nonnull(strstr(fault.reason, "bad page directory entry"));
}
END_TEST

START_TEST(test_page_table_outside_ram_kills)
{
	uint32_t gerr;

	/* Page tables must be RAM: not even the MMIO window will do. */
	set_gpde(PGDIR_A, UVADDR, MMIO_BASE | PDE_USER);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert_ptr_nonnull(strstr(fault.reason, "past RAM"));
}
END_TEST

START_TEST(test_not_present_entry_with_bad_frame_is_only_a_guest_fault)
{
	/* Not-present entries hold anything (swap entries): no check. */
	set_gpte(UPT_A, UVADDR, 0xfffff000u | PTE_ACCESSED);
	ck_assert_uint_eq(expect_guest_fault(UVADDR, false, true), PF_USER);
	mmu_set_pte(m, PGDIR_A, UVADDR, 0xfffff000u | PTE_ACCESSED);
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_mmio_window_frame_maps_one_to_one)
{
	uint32_t dev = MMIO_BASE + 0x3000;
	uint64_t s;

	set_gpte(UPT_A, UVADDR, dev | PTE_PRESENT | PTE_RW | PTE_PCD);
	expect_access(UVADDR + 0x10, true, false);
	s = hw_walk(UVADDR);
	ck_assert_uint_eq(s & ADDR_MASK, dev);
	ck_assert(s & PTE_PCD);
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_new_pgtable_outside_ram_kills)
{
	uint64_t cr3 = mmu_cr3(m);

	mmu_new_pgtable(m, RAM_SIZE);
	ck_assert(fault.raised);
	ck_assert_uint_eq(mmu_cr3(m), cr3);
}
END_TEST

START_TEST(test_new_pgtable_unaligned_kills)
{
	mmu_new_pgtable(m, PGDIR_B + 4);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_set_pgd_index_out_of_range_kills)
{
	mmu_set_pgd(m, PGDIR_A, 1024);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "SET_PGD"));
}
END_TEST

START_TEST(test_set_pmd_from_2level_guest_kills)
{
	mmu_set_pmd(m, PGDIR_A, 0);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "PAE"));
}
END_TEST

START_TEST(test_set_pte_ignores_high_half_for_2level_guest)
{
	expect_access(UVADDR, false, true);
	mmu_set_pte(m, PGDIR_A, UVADDR, 0xdead00000000ull | UFRAME_A |
					     PTE_PRESENT | PTE_USER |
					     PTE_ACCESSED);
	ck_assert(!fault.raised);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_A);
}
END_TEST

/* --- the pgdir cache and kernel sharing --- */

START_TEST(test_pml4_511_is_in_every_root)
{
	for (uint32_t i = 0; i < 6; i++) {
		mmu_new_pgtable(m, 0x30000 + i * 0x1000);
		ck_assert_uint_eq(pool_page(mmu_cr3(m))[511], HOST_PML4E);
	}
	mmu_flush_tlb(m, true);
	ck_assert_uint_eq(pool_page(mmu_cr3(m))[511], HOST_PML4E);
	mmu_reset(m);
	ck_assert_uint_eq(pool_page(mmu_cr3(m))[511], HOST_PML4E);
}
END_TEST

START_TEST(test_kernel_mapping_is_shared_by_every_root)
{
	uint64_t faults;

	expect_access(KVADDR, true, false);
	mmu_new_pgtable(m, PGDIR_B);
	ck_assert_uint_ne(mmu_cr3(m), 0);
	faults = stats().faults_fixed;
	expect_access(KVADDR, true, false);
	ck_assert_uint_eq(stats().faults_fixed, faults);
	ck_assert_uint_eq(hw_walk(KVADDR) & ADDR_MASK, KFRAME);
}
END_TEST

START_TEST(test_kernel_set_pte_is_seen_through_every_root)
{
	uint64_t cr3_a = mmu_cr3(m);

	expect_access(KVADDR, false, false);
	mmu_new_pgtable(m, PGDIR_B);
	ck_assert_uint_ne(mmu_cr3(m), cr3_a);
	/* B's process changes a kernel mapping... */
	set_gpte(KPT, KVADDR, 0x500000 | PTE_PRESENT | PTE_RW | PTE_ACCESSED);
	mmu_set_pte(m, PGDIR_B, KVADDR,
		    0x500000 | PTE_PRESENT | PTE_RW | PTE_ACCESSED);
	/* ... and A sees it without a fault. */
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(mmu_cr3(m), cr3_a);
	ck_assert_uint_eq(hw_walk(KVADDR) & ADDR_MASK, 0x500000);
}
END_TEST

START_TEST(test_user_mappings_belong_to_one_root)
{
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_A);
}
END_TEST

START_TEST(test_root_eviction_with_more_pgdirs_than_max_roots)
{
	uint32_t dirs[6];

	/* setup() made 4 roots and loaded A. */
	expect_access(UVADDR, false, true);
	expect_access(KVADDR, false, false);
	for (unsigned i = 0; i < 6; i++) {
		dirs[i] = 0x30000 + i * 0x1000;
		set_gpde(dirs[i], UVADDR, UPT_B | PDE_USER);
		mmu_new_pgtable(m, dirs[i]);
		ck_assert(!fault.raised);
	}
	/* 7 pgdirs through 4 roots: A and the first two others were evicted. */
	ck_assert_uint_eq(stats().root_evictions, 3);
	ck_assert_uint_eq(stats().root_switches, 7);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(stats().root_evictions, 4);
	ck_assert_msg(hw_walk(UVADDR) == 0, "an evicted root starts empty");
	ck_assert_msg(hw_walk(KVADDR) != 0, "... but with the kernel mapped");
	/* The three most recent ones (dirs[3..5]) are still cached. */
	mmu_new_pgtable(m, dirs[5]);
	mmu_new_pgtable(m, dirs[4]);
	ck_assert_uint_eq(stats().root_evictions, 4);
}
END_TEST

START_TEST(test_least_recently_used_root_is_evicted)
{
	/* 4 roots: A, B, C, D loaded in turn, then B and A again: C is now
	 * the least recently used. */
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	mmu_new_pgtable(m, 0x30000);
	mmu_new_pgtable(m, 0x31000);
	mmu_new_pgtable(m, PGDIR_B);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(stats().root_evictions, 0);
	mmu_new_pgtable(m, 0x32000);
	ck_assert_uint_eq(stats().root_evictions, 1);
	mmu_new_pgtable(m, PGDIR_B);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(stats().root_evictions, 1);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_A);
	mmu_new_pgtable(m, 0x31000);
	ck_assert_uint_eq(stats().root_evictions, 1);
	mmu_new_pgtable(m, 0x30000);
	ck_assert_uint_eq(stats().root_evictions, 2);
}
END_TEST

/* --- SET_PTE, SET_PGD, FLUSH_TLB --- */

START_TEST(test_set_pte_with_accessed_prefills_read_only)
{
	uint64_t faults;

	expect_access(UVADDR, false, true); /* the region's table exists */
	mmu_set_pte(m, PGDIR_A, UVADDR + 0x1000,
		    0x700000 | PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED);
	ck_assert_uint_eq(hw_walk(UVADDR + 0x1000) & ADDR_MASK, 0x700000);
	ck_assert(!(hw_walk(UVADDR + 0x1000) & PTE_RW));
	faults = stats().faults_fixed;
	expect_access(UVADDR + 0x1000, false, true);
	ck_assert_uint_eq(stats().faults_fixed, faults);
}
END_TEST

START_TEST(test_set_pte_with_dirty_prefills_writable)
{
	expect_access(UVADDR, false, true);
	mmu_set_pte(m, PGDIR_A, UVADDR + 0x1000,
		    0x700000 | PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED |
			    PTE_DIRTY);
	ck_assert(hw_walk(UVADDR + 0x1000) & PTE_RW);
	ck_assert(hw_walk(UVADDR + 0x1000) & PTE_USER);
}
END_TEST

START_TEST(test_set_pte_prefill_respects_directory_rights)
{
	expect_access(UVADDR, false, true);
	set_gpde(PGDIR_A, UVADDR, UPT_A | PTE_PRESENT | PTE_USER);
	mmu_set_pte(m, PGDIR_A, UVADDR + 0x1000,
		    0x700000 | PTE_PRESENT | PTE_RW | PTE_USER | PTE_DIRTY);
	ck_assert_uint_ne(hw_walk(UVADDR + 0x1000), 0);
	ck_assert(!(hw_walk(UVADDR + 0x1000) & PTE_RW));
}
END_TEST

START_TEST(test_set_pte_without_accessed_drops_entry)
{
	expect_access(UVADDR, true, true);
	take_flush();
	set_gpte(UPT_A, UVADDR, 0x700000 | PTE_PRESENT | PTE_USER);
	mmu_set_pte(m, PGDIR_A, UVADDR, 0x700000 | PTE_PRESENT | PTE_USER);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert(take_flush());
	ck_assert(!take_flush());
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, 0x700000);
}
END_TEST

START_TEST(test_set_pte_bad_frame_with_accessed_kills)
{
	expect_access(UVADDR, false, true);
	mmu_set_pte(m, PGDIR_A, UVADDR,
		    0x02000000 | PTE_PRESENT | PTE_USER | PTE_ACCESSED);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "past RAM"));
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
}
END_TEST

START_TEST(test_user_set_pte_only_touches_the_named_root)
{
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	expect_access(UVADDR, false, true);
	/* A is not current but cached: its entry is dropped, B's stays. */
	mmu_set_pte(m, PGDIR_A, UVADDR, 0);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	/* An uncached pgdir: nothing happens. */
	expect_access(UVADDR, false, true);
	mmu_set_pte(m, 0x50000, UVADDR, 0);
	ck_assert_uint_ne(hw_walk(UVADDR), 0);
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_set_pgd_drops_user_slot_of_named_root_only)
{
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	expect_access(UVADDR, false, true);
	mmu_set_pgd(m, PGDIR_A, UVADDR >> 22);
	ck_assert_uint_ne(hw_walk(UVADDR), 0);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
}
END_TEST

START_TEST(test_set_pgd_drops_both_halves_of_a_4mib_slot)
{
	uint32_t hi = (UVADDR & ~0x3fffffu) + 0x200000; /* other 2 MiB half */

	set_gpte(UPT_A, hi, 0x600000 | PTE_PRESENT | PTE_USER);
	expect_access(UVADDR, false, true);
	expect_access(hi, false, true);
	mmu_set_pgd(m, PGDIR_A, UVADDR >> 22);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_eq(hw_walk(hi), 0);
}
END_TEST

START_TEST(test_set_pgd_on_kernel_slot_drops_it_in_every_root)
{
	expect_access(KVADDR, false, false);
	mmu_new_pgtable(m, PGDIR_B);
	ck_assert_uint_ne(hw_walk(KVADDR), 0);
	mmu_set_pgd(m, PGDIR_A, KVADDR >> 22);
	ck_assert_uint_eq(hw_walk(KVADDR), 0);
}
END_TEST

START_TEST(test_set_pgd_on_kernel_slot_of_uncached_pgdir_still_drops_it)
{
	/* The kernel's own pgdir (swapper_pg_dir) need not be cached. */
	expect_access(KVADDR, false, false);
	mmu_set_pgd(m, 0x50000, KVADDR >> 22);
	ck_assert_uint_eq(hw_walk(KVADDR), 0);
}
END_TEST

START_TEST(test_flush_tlb_user_keeps_kernel_mappings)
{
	expect_access(UVADDR, false, true);
	expect_access(KVADDR, false, false);
	mmu_flush_tlb(m, false);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_ne(hw_walk(KVADDR), 0);
	ck_assert(take_flush());
}
END_TEST

START_TEST(test_flush_tlb_user_spares_other_roots)
{
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	mmu_flush_tlb(m, false);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_ne(hw_walk(UVADDR), 0);
}
END_TEST

START_TEST(test_flush_tlb_all_drops_everything_in_every_root)
{
	expect_access(UVADDR, false, true);
	expect_access(KVADDR, false, false);
	mmu_new_pgtable(m, PGDIR_B);
	expect_access(UVADDR, false, true);
	mmu_flush_tlb(m, true);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_eq(hw_walk(KVADDR), 0);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_eq(hw_walk(KVADDR), 0);
	/* Roots stay keyed: A was a hit. */
	ck_assert_uint_eq(stats().root_evictions, 0);
}
END_TEST

/* --- the pool --- */

START_TEST(test_pool_exhaustion_drops_everything_and_recovers)
{
	const unsigned regions = 40;
	uint32_t base = 0x10000000;

	/* 2 roots and the minimum of page-table pages. */
	make_mmu(2, 2 * MMU_PAGES_PER_ROOT + MMU_MIN_PT_PAGES);
	mmu_set_kernel_address(m, KERNEL_ADDR);
	/* 40 user regions of 2 MiB, all through one guest page table. */
	for (unsigned i = 0; i < 1024; i++)
		set_gpte(UPT_B, i << 12, (0x600000 + (i << 12)) | PTE_PRESENT |
						 PTE_RW | PTE_USER);
	for (unsigned i = 0; i < regions / 2; i++)
		set_gpde(PGDIR_A, base + (i << 22), UPT_B | PDE_USER);
	mmu_new_pgtable(m, PGDIR_B);
	mmu_new_pgtable(m, PGDIR_A);
	for (unsigned i = 0; i < regions; i++) {
		uint32_t va = base + (i << 21) + 0x5000;

		expect_access(va, true, true);
		ck_assert_uint_eq(hw_walk(va) & ADDR_MASK,
				  0x600000 + (va & 0x3ff000));
	}
	ck_assert_uint_ge(stats().pool_exhausted, 2);
	ck_assert(!fault.raised);
	/* Roots stay keyed through exhaustion: B is still a hit. */
	mmu_new_pgtable(m, PGDIR_B);
	ck_assert_uint_eq(stats().root_evictions, 0);
	expect_access(KVADDR, false, false);
}
END_TEST

START_TEST(test_mmu_create_refuses_bad_configs)
{
	struct mmu_config cfg = config(4, 4 * MMU_PAGES_PER_ROOT + MMU_MIN_PT_PAGES - 1);

	ck_assert_ptr_null(mmu_create(&cfg));
	cfg = config(4, pool_pages);
	cfg.mmio_base = RAM_SIZE - 0x1000;
	ck_assert_ptr_null(mmu_create(&cfg));
	cfg = config(4, pool_pages);
	cfg.pool_gpa = 0x1000000;
	ck_assert_ptr_null(mmu_create(&cfg));
	cfg = config(MMU_MAX_ROOTS + 1, pool_pages);
	ck_assert_ptr_null(mmu_create(&cfg));
}
END_TEST

/* --- guest_to_phys, is_mapped, reset, trace --- */

START_TEST(test_guest_to_phys_walks_guest_tables)
{
	uint64_t gpa;

	ck_assert(mmu_guest_to_phys(m, UVADDR + 0x123, false, true, &gpa));
	ck_assert_uint_eq(gpa, UFRAME_A + 0x123);
	ck_assert(get_gpte(UPT_A, UVADDR) & PTE_ACCESSED);
	ck_assert(!(get_gpte(UPT_A, UVADDR) & PTE_DIRTY));
	ck_assert(mmu_guest_to_phys(m, UVADDR, true, true, &gpa));
	ck_assert(get_gpte(UPT_A, UVADDR) & PTE_DIRTY);
	ck_assert(mmu_guest_to_phys(m, KVADDR + 4, true, false, &gpa));
	ck_assert_uint_eq(gpa, KFRAME + 4);
}
END_TEST

START_TEST(test_guest_to_phys_refuses_what_the_guest_forbids)
{
	uint64_t gpa;

	ck_assert(!mmu_guest_to_phys(m, KVADDR, false, true, &gpa));
	ck_assert(!mmu_guest_to_phys(m, UVADDR + 0x1000, false, false, &gpa));
	ck_assert(!mmu_guest_to_phys(m, 0x40000000, false, false, &gpa));
	set_gpte(UPT_A, UVADDR, UFRAME_A | PTE_PRESENT | PTE_USER);
	ck_assert(!mmu_guest_to_phys(m, UVADDR, true, false, &gpa));
	ck_assert(!(get_gpte(UPT_A, UVADDR) & PTE_ACCESSED));
	set_gpte(UPT_A, UVADDR, RAM_SIZE | PTE_PRESENT | PTE_USER);
	ck_assert(!mmu_guest_to_phys(m, UVADDR, false, true, &gpa));
	ck_assert_msg(!fault.raised, "guest_to_phys never kills");
	set_gpte(UPT_A, UVADDR, MMIO_BASE | PTE_PRESENT | PTE_USER);
	ck_assert(mmu_guest_to_phys(m, UVADDR + 8, false, true, &gpa));
	ck_assert_uint_eq(gpa, MMIO_BASE + 8);
}
END_TEST

START_TEST(test_guest_to_phys_in_linear_mode)
{
	uint64_t gpa;

	ck_assert(mmu_guest_to_phys(m, 0x1234, true, false, &gpa));
	ck_assert_uint_eq(gpa, 0x1234);
	ck_assert(!mmu_guest_to_phys(m, RAM_SIZE, false, false, &gpa));
}
END_TEST

START_TEST(test_is_mapped_reports_shadow_state)
{
	uint32_t gerr;

	ck_assert(!mmu_is_mapped(m, UVADDR, false));
	expect_access(UVADDR, false, true);
	ck_assert(mmu_is_mapped(m, UVADDR, false));
	ck_assert(!mmu_is_mapped(m, UVADDR, true));
	/* A supervisor write pre-maps it (lguest's pin_page). */
	ck_assert_int_eq(mmu_demand_page(m, UVADDR, PF_WRITE, &gerr), MMU_FIXED);
	ck_assert(mmu_is_mapped(m, UVADDR, true));
}
END_TEST

START_TEST(test_reset_returns_to_linear_mode)
{
	expect_access(UVADDR, false, true);
	mmu_reset(m);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	expect_access(0x7000, true, false);
	ck_assert_uint_eq(hw_walk(0x7000) & ADDR_MASK, 0x7000);
}
END_TEST

START_TEST(test_trace_records_faults_and_switches)
{
	char buf[4096] = "";
	FILE *f = tmpfile();
	size_t n;

	ck_assert_ptr_nonnull(f);
	trace_file = f;
	expect_access(UVADDR, false, true);
	expect_guest_fault(UVADDR + 0x1000, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	trace_file = NULL;
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "mmu op=demand vaddr=0x8048000 err=0x4 result=fixed"));
	ck_assert_ptr_nonnull(strstr(buf, "mmu op=demand vaddr=0x8049000 err=0x4 result=guest gerr=0x4"));
	ck_assert_ptr_nonnull(strstr(buf, "mmu op=new_pgtable gpgdir=0x11000"));
}
END_TEST

/* --- the touch log (engines that shadow our tables) --- */

#define VA_OFFSET 0xffff800000000000ull

START_TEST(test_touched_lists_new_table_and_entry_once)
{
	uint64_t va[16], flush = 0, pde_gpa, pte_gpa;
	size_t n;

	take_flush();
	expect_access(UVADDR, false, true);
	shadow_entry_gpas(UVADDR, &pde_gpa, &pte_gpa);
	n = mmu_take_touched(m, va, 16, VA_OFFSET, &flush);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(va[0], pde_gpa + VA_OFFSET);
	ck_assert_uint_eq(va[1], pte_gpa + VA_OFFSET);
	ck_assert_msg(!flush, "new mappings need no TLB flush");
	/* The write fault upgrades the same entry: listed again, no flush. */
	expect_access(UVADDR, true, true);
	n = mmu_take_touched(m, va, 16, VA_OFFSET, &flush);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(va[0], pte_gpa + VA_OFFSET);
	ck_assert(!flush);
}
END_TEST

START_TEST(test_touched_dropped_entry_asks_for_flush)
{
	uint64_t va[16], flush = 0, pde_gpa, pte_gpa;

	expect_access(UVADDR, false, true);
	shadow_entry_gpas(UVADDR, &pde_gpa, &pte_gpa);
	take_flush();
	mmu_set_pte(m, PGDIR_A, UVADDR, 0);
	ck_assert_uint_eq(mmu_take_touched(m, va, 16, 0, &flush), 1);
	ck_assert_uint_eq(va[0], pte_gpa);
	ck_assert_uint_eq(flush, 1);
	flush = 0;
	ck_assert_uint_eq(mmu_take_touched(m, va, 16, 0, &flush), 0);
	ck_assert_uint_eq(flush, 0);
}
END_TEST

START_TEST(test_touched_kernel_table_is_linked_in_every_root)
{
	take_flush();
	expect_access(KVADDR, false, false);
	/* One PD entry per root (4) and the page-table entry. */
	ck_assert_uint_eq(mmu_touched_pending(m), 5);
}
END_TEST

START_TEST(test_touched_beyond_max_waits_for_the_next_call)
{
	uint64_t va[4], flush = 0;

	take_flush();
	for (uint32_t i = 0; i < 3; i++)
		set_gpte(UPT_A, UVADDR + i * 0x1000,
			 (UFRAME_A + i * 0x1000) | PTE_PRESENT | PTE_USER);
	for (uint32_t i = 0; i < 3; i++)
		expect_access(UVADDR + i * 0x1000, false, true);
	ck_assert_uint_eq(mmu_touched_pending(m), 4);
	ck_assert_uint_eq(mmu_take_touched(m, va, 3, 0, &flush), 3);
	ck_assert_uint_eq(mmu_touched_pending(m), 1);
	ck_assert_uint_eq(mmu_take_touched(m, va, 3, 0, &flush), 1);
	ck_assert_uint_eq(mmu_touched_pending(m), 0);
}
END_TEST

START_TEST(test_reused_table_page_clears_stale_entries_through_the_log)
{
	uint32_t other = 0x08400000; /* the next user slot */
	uint64_t pde_gpa, pte_gpa, *page;

	for (uint32_t i = 0; i < 3; i++) {
		set_gpte(UPT_A, UVADDR + i * 0x1000,
			 (UFRAME_A + i * 0x1000) | PTE_PRESENT | PTE_USER);
		expect_access(UVADDR + i * 0x1000, false, true);
	}
	set_gpde(PGDIR_A, other, UPT_B | PDE_USER);
	set_gpte(UPT_B, other, 0x700000 | PTE_PRESENT | PTE_USER);
	mmu_flush_tlb(m, false);
	take_flush();
	expect_access(other, false, true);
	shadow_entry_gpas(other, &pde_gpa, &pte_gpa);
	page = pool_page(pte_gpa);
	/* Whatever page it got, it holds only the new entry... */
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(page[i] != 0, i == ((other >> 12) & 511));
	/* ... and here it is the freed one: 3 stale entries, PD, new entry. */
	ck_assert_uint_eq(mmu_touched_pending(m), 5);
}
END_TEST

START_TEST(test_tlb_flush_without_touch_log)
{
	struct mmu_config cfg = config(4, pool_pages);
	uint64_t va[4], flush = 0;

	cfg.touch_log = false;
	mmu_destroy(m);
	m = mmu_create(&cfg);
	ck_assert_ptr_nonnull(m);
	mmu_set_kernel_address(m, KERNEL_ADDR);
	mmu_new_pgtable(m, PGDIR_A);
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(mmu_touched_pending(m), 0);
	mmu_take_tlb_flush(m);
	mmu_flush_tlb(m, false);
	ck_assert(mmu_take_tlb_flush(m));
	ck_assert(!mmu_take_tlb_flush(m));
	ck_assert_uint_eq(mmu_take_touched(m, va, 4, 0, &flush), 0);
}
END_TEST

/* --- PAE guests --- */

#define PDPT_A 0x10000u
#define PDPT_B 0x10020u /* same page, next 32 bytes: a different pgdir */
#define PMD_A 0x12000u
#define PMD_B 0x13000u
#define PMD_K 0x14000u  /* the kernel GiB's middle directory, shared */
#define PAE_SOFT_BIT (1ull << 52)

static void gw64(uint64_t gpa, uint64_t v)
{
	ck_assert(gpa + 8 <= RAM_SIZE);
	memcpy(ram + gpa, &v, 8);
}

static uint64_t gr64(uint64_t gpa)
{
	uint64_t v;

	ck_assert(gpa + 8 <= RAM_SIZE);
	memcpy(&v, ram + gpa, 8);
	return v;
}

static void pae_set_pdpte(uint32_t pdpt, uint32_t vaddr, uint64_t e)
{
	gw64(pdpt + (vaddr >> 30) * 8, e);
}

static void pae_set_pmde(uint32_t pmd, uint32_t vaddr, uint64_t e)
{
	gw64(pmd + ((vaddr >> 21) & 511) * 8, e);
}

static uint64_t pae_pte_addr(uint32_t pt, uint32_t vaddr)
{
	return pt + ((vaddr >> 12) & 511) * 8;
}

/* The same two processes as setup(), in PAE tables. */
static void setup_pae(void)
{
	use_pae = true;
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	mem.ram = ram;
	mem.size = RAM_SIZE;
	guest_fault_clear(&fault);

	pae_set_pdpte(PDPT_A, UVADDR, PMD_A | PTE_PRESENT);
	pae_set_pdpte(PDPT_B, UVADDR, PMD_B | PTE_PRESENT);
	pae_set_pdpte(PDPT_A, KVADDR, PMD_K | PTE_PRESENT);
	pae_set_pdpte(PDPT_B, KVADDR, PMD_K | PTE_PRESENT);
	pae_set_pmde(PMD_A, UVADDR, UPT_A | PDE_USER);
	pae_set_pmde(PMD_B, UVADDR, UPT_B | PDE_USER);
	pae_set_pmde(PMD_K, KVADDR, KPT | PDE_KERNEL);
	gw64(pae_pte_addr(UPT_A, UVADDR), UFRAME_A | PTE_PRESENT | PTE_RW |
						  PTE_USER | PAE_SOFT_BIT);
	gw64(pae_pte_addr(UPT_B, UVADDR), UFRAME_B | PTE_PRESENT | PTE_RW |
						  PTE_USER);
	gw64(pae_pte_addr(KPT, KVADDR), KFRAME | PTE_PRESENT | PTE_RW | PTE_NX);

	make_mmu(4, 4 * MMU_PAGES_PER_ROOT + 64);
	mmu_set_kernel_address(m, KERNEL_ADDR);
	mmu_new_pgtable(m, PDPT_A);
	ck_assert(!fault.raised);
}

START_TEST(test_pae_demand_fault_sets_accessed_in_64bit_entry)
{
	uint64_t s;

	expect_access(UVADDR, false, true);
	s = hw_walk(UVADDR);
	ck_assert_uint_eq(s & ADDR_MASK, UFRAME_A);
	ck_assert(!(s & PTE_RW));
	ck_assert_msg(!(s & PAE_SOFT_BIT), "guest software bits stay out");
	ck_assert_uint_eq(gr64(pae_pte_addr(UPT_A, UVADDR)),
			  UFRAME_A | PTE_PRESENT | PTE_RW | PTE_USER |
				  PAE_SOFT_BIT | PTE_ACCESSED);
	expect_access(UVADDR, true, true);
	ck_assert(gr64(pae_pte_addr(UPT_A, UVADDR)) & PTE_DIRTY);
	ck_assert(hw_walk(UVADDR) & PTE_RW);
}
END_TEST

START_TEST(test_pae_nx_is_copied_and_fetch_faults_with_instruction_bit)
{
	uint32_t gerr;

	expect_access(KVADDR, false, false);
	ck_assert(hw_walk(KVADDR) & PTE_NX);
	expect_access(UVADDR, false, true);
	ck_assert(!(hw_walk(UVADDR) & PTE_NX));
	ck_assert_int_eq(mmu_demand_page(m, KVADDR, PF_PROT | PF_INSTR, &gerr),
			 MMU_GUEST_FAULT);
	ck_assert_uint_eq(gerr, PF_PROT | PF_INSTR);
}
END_TEST

START_TEST(test_pae_frame_above_4gib_kills)
{
	uint32_t gerr;

	gw64(pae_pte_addr(UPT_A, UVADDR),
	     0x100000000ull | PTE_PRESENT | PTE_USER);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert_ptr_nonnull(strstr(fault.reason, "past RAM"));
}
END_TEST

START_TEST(test_pae_pdpt_entry_with_more_than_present_kills)
{
	uint32_t gerr;

	pae_set_pdpte(PDPT_A, UVADDR, PMD_A | PTE_PRESENT | PTE_RW);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert_ptr_nonnull(strstr(fault.reason, "page directory pointer"));
}
END_TEST

START_TEST(test_pae_large_page_in_middle_directory_kills)
{
	uint32_t gerr;

	pae_set_pmde(PMD_A, UVADDR, 0x200000 | PDE_USER | PTE_PSE);
	ck_assert_int_eq(cpu_access(UVADDR, false, true, &gerr), MMU_KILLED);
	ck_assert_ptr_nonnull(strstr(fault.reason, "page middle directory"));
}
END_TEST

START_TEST(test_pae_kernel_mapping_is_shared_by_every_root)
{
	uint64_t faults;

	expect_access(KVADDR, false, false);
	mmu_new_pgtable(m, PDPT_B);
	ck_assert(!fault.raised);
	faults = stats().faults_fixed;
	expect_access(KVADDR, false, false);
	ck_assert_uint_eq(stats().faults_fixed, faults);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
}
END_TEST

/* Exactly the roots whose GiB came from that middle directory lose that
 * entry (lguest dropped everything; lgkvm once dropped it in every root). */
START_TEST(test_pae_set_pmd_drops_that_entry_where_that_pmd_is_used)
{
	uint32_t other = UVADDR + 0x200000; /* next PMD entry */

	gw64(pae_pte_addr(UPT_A, other), 0x600000 | PTE_PRESENT | PTE_USER);
	pae_set_pmde(PMD_A, other, UPT_A | PDE_USER);
	expect_access(UVADDR, false, true);
	expect_access(other, false, true);
	expect_access(KVADDR, false, false);
	mmu_new_pgtable(m, PDPT_B);
	expect_access(UVADDR, false, true);
	mmu_set_pmd(m, PMD_A, (UVADDR >> 21) & 511);
	ck_assert(!fault.raised);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B); /* B uses PMD_B */
	ck_assert_uint_ne(hw_walk(KVADDR), 0);
	mmu_new_pgtable(m, PDPT_A);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_ne(hw_walk(other), 0);
	/* And SET_PMD on B's middle directory reaches B. */
	mmu_new_pgtable(m, PDPT_B);
	mmu_set_pmd(m, PMD_B, (UVADDR >> 21) & 511);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
}
END_TEST

START_TEST(test_pae_set_pgd_drops_a_whole_gib)
{
	expect_access(UVADDR, false, true);
	expect_access(KVADDR, false, false);
	mmu_set_pgd(m, PDPT_A, 0);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_ne(hw_walk(KVADDR), 0);
	mmu_set_pgd(m, PDPT_A, 4);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_pae_set_pte_prefills_64bit_entry)
{
	expect_access(UVADDR, false, true);
	mmu_set_pte(m, PDPT_A, UVADDR + 0x1000,
		    0x700000 | PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED |
			    PTE_DIRTY | PTE_NX);
	ck_assert_uint_eq(hw_walk(UVADDR + 0x1000) & ADDR_MASK, 0x700000);
	ck_assert(hw_walk(UVADDR + 0x1000) & PTE_RW);
	ck_assert(hw_walk(UVADDR + 0x1000) & PTE_NX);
}
END_TEST

START_TEST(test_pae_new_pgtable_needs_32_byte_alignment)
{
	mmu_new_pgtable(m, PDPT_B);
	ck_assert(!fault.raised);
	mmu_new_pgtable(m, PDPT_A + 0x10);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_pae_set_pmd_index_out_of_range_kills)
{
	mmu_set_pmd(m, PMD_A, 512);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_pae_guest_to_phys)
{
	uint64_t gpa;

	ck_assert(mmu_guest_to_phys(m, UVADDR + 0x44, true, true, &gpa));
	ck_assert_uint_eq(gpa, UFRAME_A + 0x44);
	ck_assert(gr64(pae_pte_addr(UPT_A, UVADDR)) & PTE_DIRTY);
	ck_assert(gr64(pae_pte_addr(UPT_A, UVADDR)) & PAE_SOFT_BIT);
}
END_TEST

/* --- the reverse map --- */

/* The shadow and the rmap agree with each other and with the guest. */
#define consistent()                                                           \
	do {                                                                   \
		char why_[256];                                                \
		ck_assert_msg(mmu_check(m, true, why_, sizeof(why_)), "%s",    \
			      why_);                                           \
	} while (0)

START_TEST(test_rmap_pte_shared_by_two_pgdirs_is_updated_in_both)
{
	/* B's slot for UVADDR uses A's page table too. */
	set_gpde(PGDIR_B, UVADDR, UPT_A | PDE_USER);
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PGDIR_B);
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_A);
	consistent();
	/* A changes the shared entry, naming its own pgdir, while B runs. */
	set_gpte(UPT_A, UVADDR, UFRAME_B | PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED);
	mmu_set_pte(m, PGDIR_A, UVADDR, UFRAME_B | PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED);
	ck_assert(!fault.raised);
	ck_assert_uint_ne(hw_walk(UVADDR) & ADDR_MASK, UFRAME_A);
	consistent();
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B); /* refilled at once: ACCESSED */
	ck_assert_uint_ge(stats().rmap_updates, 2);
	consistent();
}
END_TEST

START_TEST(test_rmap_same_page_table_at_two_addresses)
{
	uint32_t alias = UVADDR + (8u << 20); /* another 4 MiB slot of A */

	set_gpde(PGDIR_A, alias, UPT_A | PDE_USER);
	expect_access(UVADDR, false, true);
	expect_access(alias, false, true);
	ck_assert_uint_eq(hw_walk(alias) & ADDR_MASK, UFRAME_A);
	set_gpte(UPT_A, UVADDR, 0);
	mmu_set_pte(m, PGDIR_A, UVADDR, 0);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_eq(hw_walk(alias), 0); /* the same guest entry */
	consistent();
}
END_TEST

START_TEST(test_rmap_page_table_frame_reused_for_another_purpose)
{
	expect_access(UVADDR, false, true);
	consistent();
	/* A frees its user page table ... */
	set_gpde(PGDIR_A, UVADDR, 0);
	mmu_set_pgd(m, PGDIR_A, UVADDR >> 22);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	consistent();
	/* ... the frame becomes data, written freely ... */
	for (uint32_t i = 0; i < 4096; i += 4)
		gw32(UPT_A + i, 0xdeadbeef);
	consistent();
	/* ... then B's page table for another slot, filled and updated. */
	for (uint32_t i = 0; i < 4096; i += 4)
		gw32(UPT_A + i, 0);
	set_gpde(PGDIR_B, 0x40000000, UPT_A | PDE_USER);
	set_gpte(UPT_A, 0x40000000, UFRAME_A | PTE_PRESENT | PTE_USER);
	mmu_new_pgtable(m, PGDIR_B);
	expect_access(0x40000000, false, true);
	set_gpte(UPT_A, 0x40000000, UFRAME_B | PTE_PRESENT | PTE_USER | PTE_ACCESSED);
	mmu_set_pte(m, PGDIR_B, 0x40000000, UFRAME_B | PTE_PRESENT | PTE_USER | PTE_ACCESSED);
	ck_assert_uint_eq(hw_walk(0x40000000) & ADDR_MASK, UFRAME_B);
	mmu_new_pgtable(m, PGDIR_A);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	consistent();
}
END_TEST

START_TEST(test_rmap_directory_changed_without_telling_rebuilds_the_region)
{
	expect_access(UVADDR, false, true);
	/* The guest points the slot at B's page table with no SET_PGD: the
	 * old shadow stays (lguest's TLB-like semantics) until it faults
	 * elsewhere in the region; then the region is rebuilt from UPT_B. */
	set_gpde(PGDIR_A, UVADDR, UPT_B | PDE_USER);
	set_gpte(UPT_B, UVADDR + 0x1000, 0x500000 | PTE_PRESENT | PTE_USER);
	expect_access(UVADDR + 0x1000, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR + 0x1000) & ADDR_MASK, 0x500000);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	consistent();
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
	consistent();
}
END_TEST

START_TEST(test_rmap_evicting_the_root_in_use)
{
	make_mmu(1, MMU_PAGES_PER_ROOT + 64);
	mmu_set_kernel_address(m, KERNEL_ADDR);
	mmu_new_pgtable(m, PGDIR_A);
	expect_access(UVADDR, false, true);
	expect_access(KVADDR, false, false);
	consistent();
	mmu_new_pgtable(m, PGDIR_B); /* the only root: A, in use, goes */
	ck_assert_uint_eq(stats().root_evictions, 1);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	ck_assert_uint_ne(hw_walk(KVADDR), 0); /* kernel space is kept */
	consistent();
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
	/* A SET_PTE for the evicted pgdir reaches nothing of B's. */
	mmu_set_pte(m, PGDIR_A, UVADDR, 0);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B);
	consistent();
}
END_TEST

/* Many operations in a fixed pseudo-random order over six processes that
 * share some page tables, with room for only four roots: after each, the
 * check finds the shadow, the rmap and the guest in agreement. */
static uint32_t rng_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 16) % n;
}

START_TEST(test_rmap_consistent_after_every_operation)
{
	static const uint32_t pgdirs[6] = { 0x30000, 0x31000, 0x32000, 0x33000, 0x34000, 0x35000 };
	static const uint32_t pts[4] = { 0x40000, 0x41000, 0x42000, 0x43000 };
	static const uint32_t slots[3] = { 0x08000000, 0x08400000, 0x40000000 };

	for (unsigned p = 0; p < 6; p++) {
		set_gpde(pgdirs[p], KVADDR, KPT | PDE_KERNEL);
		for (unsigned s = 0; s < 3; s++)
			set_gpde(pgdirs[p], slots[s], pts[(p + s) % 4] | PDE_USER);
	}
	for (unsigned t = 0; t < 4; t++)
		for (uint32_t i = 0; i < 16; i++)
			gw32(pts[t] + i * 4, (0x600000 + ((t * 16 + i) << 12)) | PTE_PRESENT |
						     PTE_USER | (i % 3 ? PTE_RW : 0));
	for (unsigned step = 0; step < 3000; step++) {
		uint32_t p = rnd(6), s = rnd(3), i = rnd(16), vaddr = slots[s] + i * 0x1000;
		uint32_t gpde = pgdirs[p] + (slots[s] >> 22) * 4, pt = gr32(gpde) & ~0xfffu;
		uint32_t gerr;

		switch (rnd(6)) {
		case 0:
			mmu_new_pgtable(m, pgdirs[p]);
			break;
		case 1: /* the CPU touches a page in the current process */
			cpu_access(vaddr, rnd(2), true, &gerr);
			break;
		case 2: { /* the guest rewrites an entry and says so */
			uint32_t pte = pt ? gr32(pt + i * 4) : 0;
			pte ^= rnd(2) ? PTE_PRESENT : PTE_RW;
			pte |= rnd(2) ? PTE_ACCESSED : 0;
			if (pt) {
				gw32(pt + i * 4, pte);
				mmu_set_pte(m, pgdirs[p], vaddr, pte);
			}
			break;
		}
		case 3: /* a slot moves to another page table, announced */
			gw32(gpde, pts[rnd(4)] | PDE_USER);
			mmu_set_pgd(m, pgdirs[p], slots[s] >> 22);
			break;
		case 4:
			mmu_flush_tlb(m, rnd(4) == 0);
			break;
		default:
			cpu_access(KVADDR, false, false, &gerr);
			break;
		}
		ck_assert_msg(!fault.raised, "step %u: %s", step, fault.reason);
		char why[256];
		ck_assert_msg(mmu_check(m, true, why, sizeof(why)), "step %u: %s", step, why);
	}
	ck_assert_uint_gt(stats().rmap_updates, 0);
	ck_assert_uint_gt(stats().root_evictions, 0);
}
END_TEST

START_TEST(test_pae_rmap_pte_shared_by_two_middle_directories)
{
	/* B's middle directory points at A's page table for UVADDR. */
	pae_set_pmde(PMD_B, UVADDR, UPT_A | PDE_USER);
	expect_access(UVADDR, false, true);
	mmu_new_pgtable(m, PDPT_B);
	expect_access(UVADDR, false, true);
	consistent();
	gw64(pae_pte_addr(UPT_A, UVADDR), 0);
	mmu_set_pte(m, PDPT_A, UVADDR, 0);
	ck_assert_uint_eq(hw_walk(UVADDR), 0); /* B's shadow too */
	consistent();
	mmu_new_pgtable(m, PDPT_A);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	consistent();
}
END_TEST

START_TEST(test_pae_rmap_consistent_after_set_pmd_and_set_pgd)
{
	expect_access(UVADDR, false, true);
	expect_access(KVADDR, false, false);
	mmu_new_pgtable(m, PDPT_B);
	expect_access(UVADDR, false, true);
	consistent();
	pae_set_pmde(PMD_A, UVADDR, UPT_B | PDE_USER);
	mmu_set_pmd(m, PMD_A, (UVADDR >> 21) & 511);
	consistent();
	pae_set_pdpte(PDPT_B, UVADDR, PMD_A | PTE_PRESENT);
	mmu_set_pgd(m, PDPT_B, UVADDR >> 30);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	consistent();
	expect_access(UVADDR, false, true);
	ck_assert_uint_eq(hw_walk(UVADDR) & ADDR_MASK, UFRAME_B); /* via PMD_A -> UPT_B */
	consistent();
	/* SET_PMD on PMD_A now reaches both roots (B took its GiB from it). */
	mmu_new_pgtable(m, PDPT_A);
	expect_access(UVADDR, false, true);
	mmu_set_pmd(m, PMD_A, (UVADDR >> 21) & 511);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	mmu_new_pgtable(m, PDPT_B);
	ck_assert_uint_eq(hw_walk(UVADDR), 0);
	consistent();
}
END_TEST

static Suite *mmu_suite(void)
{
	Suite *s = suite_create("mmu");
	TCase *linear = tcase_create("linear");
	TCase *paging = tcase_create("demand_paging");
	TCase *checks = tcase_create("validation");
	TCase *cache = tcase_create("pgdir_cache");
	TCase *hcalls = tcase_create("hypercalls");
	TCase *misc = tcase_create("misc");
	TCase *pae = tcase_create("pae");
	TCase *touch = tcase_create("touch_log");
	TCase *rmap = tcase_create("rmap");
	TCase *pae_rmap = tcase_create("pae_rmap");

	tcase_add_checked_fixture(linear, setup_linear, teardown);
	tcase_add_test(linear, test_linear_mode_maps_virtual_to_same_physical);
	tcase_add_test(linear, test_linear_mode_refuses_user_access_like_lguest);
	tcase_add_test(linear, test_linear_mode_access_past_ram_kills);
	tcase_add_test(linear, test_new_pgtable_drops_linear_mappings);
	tcase_add_test(linear, test_set_pte_in_linear_mode_changes_nothing);
	tcase_add_test(linear, test_guest_to_phys_in_linear_mode);
	suite_add_tcase(s, linear);

	tcase_add_checked_fixture(paging, setup, teardown);
	tcase_add_test(paging, test_demand_fault_maps_page_and_sets_accessed);
	tcase_add_test(paging, test_write_fault_marks_dirty_and_only_then_maps_writable);
	tcase_add_test(paging, test_read_of_dirty_page_maps_writable);
	tcase_add_test(paging, test_write_to_read_only_page_is_guest_fault);
	tcase_add_test(paging, test_user_access_to_kernel_page_is_guest_fault);
	tcase_add_test(paging, test_not_present_pte_is_guest_fault_with_p_clear);
	tcase_add_test(paging, test_not_present_pde_is_guest_fault_with_p_clear);
	tcase_add_test(paging, test_directory_rights_limit_the_page);
	tcase_add_test(paging, test_guest_errcode_has_no_instruction_bit_without_nx);
	tcase_add_test(paging, test_global_bit_is_dropped_in_shadow);
	tcase_add_test(paging, test_reserved_bit_fault_kills);
	tcase_add_test(paging, test_mmio_window_frame_maps_one_to_one);
	suite_add_tcase(s, paging);

	tcase_add_checked_fixture(checks, setup, teardown);
	tcase_add_test(checks, test_frame_past_ram_kills);
	tcase_add_test(checks, test_frame_just_past_mmio_window_kills);
	tcase_add_test(checks, test_pat_bit_in_pte_kills);
	tcase_add_test(checks, test_large_page_directory_entry_kills);
	tcase_add_test(checks, test_page_table_outside_ram_kills);
	tcase_add_test(checks, test_not_present_entry_with_bad_frame_is_only_a_guest_fault);
	tcase_add_test(checks, test_new_pgtable_outside_ram_kills);
	tcase_add_test(checks, test_new_pgtable_unaligned_kills);
	tcase_add_test(checks, test_set_pgd_index_out_of_range_kills);
	tcase_add_test(checks, test_set_pmd_from_2level_guest_kills);
	tcase_add_test(checks, test_set_pte_ignores_high_half_for_2level_guest);
	tcase_add_test(checks, test_mmu_create_refuses_bad_configs);
	suite_add_tcase(s, checks);

	tcase_add_checked_fixture(cache, setup, teardown);
	tcase_add_test(cache, test_pml4_511_is_in_every_root);
	tcase_add_test(cache, test_kernel_mapping_is_shared_by_every_root);
	tcase_add_test(cache, test_kernel_set_pte_is_seen_through_every_root);
	tcase_add_test(cache, test_user_mappings_belong_to_one_root);
	tcase_add_test(cache, test_root_eviction_with_more_pgdirs_than_max_roots);
	tcase_add_test(cache, test_least_recently_used_root_is_evicted);
	tcase_add_test(cache, test_pool_exhaustion_drops_everything_and_recovers);
	suite_add_tcase(s, cache);

	tcase_add_checked_fixture(hcalls, setup, teardown);
	tcase_add_test(hcalls, test_set_pte_with_accessed_prefills_read_only);
	tcase_add_test(hcalls, test_set_pte_with_dirty_prefills_writable);
	tcase_add_test(hcalls, test_set_pte_prefill_respects_directory_rights);
	tcase_add_test(hcalls, test_set_pte_without_accessed_drops_entry);
	tcase_add_test(hcalls, test_set_pte_bad_frame_with_accessed_kills);
	tcase_add_test(hcalls, test_user_set_pte_only_touches_the_named_root);
	tcase_add_test(hcalls, test_set_pgd_drops_user_slot_of_named_root_only);
	tcase_add_test(hcalls, test_set_pgd_drops_both_halves_of_a_4mib_slot);
	tcase_add_test(hcalls, test_set_pgd_on_kernel_slot_drops_it_in_every_root);
	tcase_add_test(hcalls, test_set_pgd_on_kernel_slot_of_uncached_pgdir_still_drops_it);
	tcase_add_test(hcalls, test_flush_tlb_user_keeps_kernel_mappings);
	tcase_add_test(hcalls, test_flush_tlb_user_spares_other_roots);
	tcase_add_test(hcalls, test_flush_tlb_all_drops_everything_in_every_root);
	suite_add_tcase(s, hcalls);

	tcase_add_checked_fixture(misc, setup, teardown);
	tcase_add_test(misc, test_guest_to_phys_walks_guest_tables);
	tcase_add_test(misc, test_guest_to_phys_refuses_what_the_guest_forbids);
	tcase_add_test(misc, test_is_mapped_reports_shadow_state);
	tcase_add_test(misc, test_trace_records_faults_and_switches);
	tcase_add_test(misc, test_reset_returns_to_linear_mode);
	suite_add_tcase(s, misc);

	tcase_add_checked_fixture(touch, setup, teardown);
	tcase_add_test(touch, test_touched_lists_new_table_and_entry_once);
	tcase_add_test(touch, test_touched_dropped_entry_asks_for_flush);
	tcase_add_test(touch, test_touched_kernel_table_is_linked_in_every_root);
	tcase_add_test(touch, test_touched_beyond_max_waits_for_the_next_call);
	tcase_add_test(touch, test_reused_table_page_clears_stale_entries_through_the_log);
	tcase_add_test(touch, test_tlb_flush_without_touch_log);
	suite_add_tcase(s, touch);

	tcase_add_checked_fixture(rmap, setup, teardown);
	tcase_add_test(rmap, test_rmap_pte_shared_by_two_pgdirs_is_updated_in_both);
	tcase_add_test(rmap, test_rmap_same_page_table_at_two_addresses);
	tcase_add_test(rmap, test_rmap_page_table_frame_reused_for_another_purpose);
	tcase_add_test(rmap, test_rmap_directory_changed_without_telling_rebuilds_the_region);
	tcase_add_test(rmap, test_rmap_evicting_the_root_in_use);
	tcase_add_test(rmap, test_rmap_consistent_after_every_operation);
	suite_add_tcase(s, rmap);
	tcase_add_checked_fixture(pae_rmap, setup_pae, teardown);
	tcase_add_test(pae_rmap, test_pae_rmap_pte_shared_by_two_middle_directories);
	tcase_add_test(pae_rmap, test_pae_rmap_consistent_after_set_pmd_and_set_pgd);
	suite_add_tcase(s, pae_rmap);
	tcase_add_checked_fixture(pae, setup_pae, teardown);
	tcase_add_test(pae, test_pae_demand_fault_sets_accessed_in_64bit_entry);
	tcase_add_test(pae, test_pae_nx_is_copied_and_fetch_faults_with_instruction_bit);
	tcase_add_test(pae, test_pae_frame_above_4gib_kills);
	tcase_add_test(pae, test_pae_pdpt_entry_with_more_than_present_kills);
	tcase_add_test(pae, test_pae_large_page_in_middle_directory_kills);
	tcase_add_test(pae, test_pae_kernel_mapping_is_shared_by_every_root);
	tcase_add_test(pae, test_pae_set_pmd_drops_that_entry_where_that_pmd_is_used);
	tcase_add_test(pae, test_pae_set_pgd_drops_a_whole_gib);
	tcase_add_test(pae, test_pae_set_pte_prefills_64bit_entry);
	tcase_add_test(pae, test_pae_new_pgtable_needs_32_byte_alignment);
	tcase_add_test(pae, test_pae_set_pmd_index_out_of_range_kills);
	tcase_add_test(pae, test_pae_guest_to_phys);
	suite_add_tcase(s, pae);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mmu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
