/*
 * pae_nx: 64-bit PTEs (PAE, lguest built with CONFIG_X86_PAE).
 * LHCALL_SET_PTE carries the entry's high half in arg4.  NX (bit 63)
 * forbids instruction fetches: a fetch from an NX page is a #PF with the
 * I/D bit (0x10) in the error code, data accesses to it still work, and the
 * same page without NX runs.  The Host's A/D updates keep the high half.
 *
 * Bits 52-62: PAE hardware reserves them (a #PF with the RSVD bit); lguest
 * took only bits 12-43 as the frame and never looked at the rest, and
 * lgkvm's MMU (mmu/guest_format_pae.c) likewise leaves them to the guest:
 * the page is mapped and the guest's entry keeps them.  (Linux never sets
 * them in a present PAE entry.)  Bits 32-51 are the frame: see
 * hostile/pae_pte_frame_past_4g.c; the PAT bit: hostile/pae_pte_pat_bit.c.
 */
#include "runtime.h"

#define KVA(n) (KWIN_BASE + (n) * PAGE_SIZE)
#define UVA(n) (USER_TEST_BASE + (n) * PAGE_SIZE)
#define RET_MAGIC 0x4E58u
/* The code's first four bytes read as data: b8 58 4e 00. */
#define CODE_WORD0 (0xB8u | (RET_MAGIC << 8))
#define HIGH(pte) ((uint32_t)((pte) >> 32))
#define SOFT_BITS (0x7FFull << 52) /* bits 52-62 */

static pgd_t *pgdir;

/* A fresh page holding "movl $RET_MAGIC, %eax; ret". */
static uint32_t code_page(void)
{
	uint32_t pa = page_alloc_phys();
	uint8_t *p = phys_to_virt(pa);

	p[0] = 0xB8;
	p[1] = RET_MAGIC & 0xFF;
	p[2] = RET_MAGIC >> 8;
	p[3] = 0;
	p[4] = 0;
	p[5] = 0xC3;
	return pa;
}

static uint32_t page_with(uint32_t value)
{
	uint32_t pa = page_alloc_phys();

	*(uint32_t *)phys_to_virt(pa) = value;
	return pa;
}

static pte_t pte_of(uint32_t va)
{
	return *pte_ptr(pgdir, va);
}

static void check_fetch_fault(const char *what, int trapped, uint32_t va, uint32_t error)
{
	int good = trapped && trap_last.vector == 14 && trap_last.cr2 == va && trap_last.error == error &&
		   trap_last.eip == va && !trap_last.from_user;

	if (!okf(good, "%s: #PF error %#x, cr2 and eip = the fetched address", what, error))
		diag("trapped %d vector %u error %#x cr2 %#x eip %#x (expected %#x)", trapped, trap_last.vector,
		     trap_last.error, trap_last.cr2, trap_last.eip, va);
}

static void check_runs(const char *what, int trapped, uint32_t result)
{
	if (!okf(!trapped && result == RET_MAGIC, "%s", what))
		diag("trapped %d (error %#x) result %#x", trapped, trapped ? trap_last.error : 0, result);
}

/* Kernel pages in the shared kernel window: SET_PTE with A and D set. */
static void test_kernel_nx(void)
{
	uint32_t va = KVA(0), pa = code_page(), r = 0, v = 0;
	int t;

	pte_set(pgdir, va, pa | PTE_KERNEL_RW | PTE_NX);
	t = probe_exec(va, &r);
	check_fetch_fault("kernel fetch from an NX page (SET_PTE high half 0x80000000)", t, va, PF_PROT | PF_INSTR);
	t = probe_read32(va, &v);
	ok(!t && v == CODE_WORD0, "a data read of the NX page works");
	pte_set(pgdir, va, pa | PTE_KERNEL_RW);
	t = probe_exec(va, &r);
	check_runs("SET_PTE of the same page without NX (high half 0): it runs at once", t, r);
	pte_set(pgdir, va, pa | PTE_KERNEL_RW | PTE_NX);
	t = probe_exec(va, &r);
	check_fetch_fault("SET_PTE setting NX again takes effect at once", t, va, PF_PROT | PF_INSTR);

	pte_write(pgdir, va, pa | PTE_KERNEL_RW);
	tlb_flush_all();
	t = probe_exec(va, &r);
	check_runs("FLUSH_TLB(1) picks up NX cleared in a kernel PTE", t, r);
	pte_write(pgdir, va, pa | PTE_KERNEL_RW | PTE_NX);
	tlb_flush_all();
	t = probe_exec(va, &r);
	check_fetch_fault("FLUSH_TLB(1) picks up NX set in a kernel PTE", t, va, PF_PROT | PF_INSTR);
}

/* Demand paging of an NX entry with A and D clear. */
static void test_demand_nx(void)
{
	uint32_t va = KVA(1), pa = code_page(), r = 0, v = 0;
	int t;

	pte_set(pgdir, va, pa | PTE_PRESENT | PTE_RW | PTE_NX);
	t = probe_exec(va, &r);
	check_fetch_fault("demand-paged NX page: the first access, a fetch, faults", t, va, PF_PROT | PF_INSTR);
	ok(pte_of(va) == (pa | PTE_PRESENT | PTE_RW | PTE_NX), "the refused fetch leaves A clear and NX set");
	t = probe_read32(va, &v);
	ok(!t && v == CODE_WORD0, "a read of it works");
	ok(pte_of(va) == (pa | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_NX),
	   "the read sets A in the 64-bit PTE and keeps the high half (NX)");
	probe_write32(va + 8, 1);
	ok(pte_of(va) == (pa | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | PTE_NX),
	   "the first write sets D and keeps the high half");
	t = probe_exec(va, &r);
	check_fetch_fault("and the page still cannot be run", t, va, PF_PROT | PF_INSTR);
}

static void check_user_fetch(const char *what, uint32_t code, uint32_t va, uint32_t error)
{
	int good = code == (USER_TRAPPED | 14) && trap_last.cr2 == va && trap_last.error == error &&
		   trap_last.eip == va && trap_last.cs == SEL_USER_CS;

	if (!okf(good, "%s: #PF error %#x, cr2 and eip = the fetched address", what, error))
		diag("code %#x error %#x cr2 %#x eip %#x cs %#x (expected %#x)", code, trap_last.error,
		     trap_last.cr2, trap_last.eip, trap_last.cs, va);
}

static void test_user_nx(void)
{
	uint32_t va = UVA(0), pa = code_page(), code;

	pte_set(pgdir, va, pa | PTE_PRESENT | PTE_USER | PTE_NX);
	code = user_call((void *)va, 0, 0, 0);
	check_user_fetch("user fetch from an NX user page", code, va, PF_PROT | PF_USER | PF_INSTR);
	is_u32(user_call(u_probe_read, va, 0, 0), CODE_WORD0, "a user read of it works");
	pte_set(pgdir, va, pa | PTE_PRESENT | PTE_USER);
	is_u32(user_call((void *)va, 0, 0, 0), RET_MAGIC, "the same page without NX runs in user mode");
	pte_write(pgdir, va, pa | PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_NX);
	tlb_flush_user();
	code = user_call((void *)va, 0, 0, 0);
	check_user_fetch("FLUSH_TLB(0) picks up NX set in a user PTE", code, va, PF_PROT | PF_USER | PF_INSTR);
	code = user_call((void *)UVA(1), 0, 0, 0);
	check_user_fetch("user fetch from an unmapped address", code, UVA(1), PF_USER | PF_INSTR);
}

static void test_high_bits(void)
{
	uint32_t va = UVA(2), pa = page_with(0x5A5A), v = 0;
	pte_t pte = pa | PTE_PRESENT | PTE_RW | SOFT_BITS;
	int t;

	pte_set(pgdir, va, pte);
	t = probe_read32(va, &v);
	ok(!t && v == 0x5A5A, "a PTE with bits 52-62 set maps its frame (bits 12-51)");
	ok(pte_of(va) == (pte | PTE_ACCESSED), "the read sets A and keeps bits 52-62");
	probe_write32(va, 0x5A5B);
	ok(pte_of(va) == (pte | PTE_ACCESSED | PTE_DIRTY), "the first write sets D and keeps them");
	is_u32(*(uint32_t *)phys_to_virt(pa), 0x5A5B, "and lands in the page");

	va = UVA(3);
	pa = page_with(0x6B6B);
	pte = pa | PTE_KERNEL_RW | SOFT_BITS | PTE_NX;
	pte_set(pgdir, va, pte);
	t = probe_read32(va, &v);
	ok(!t && v == 0x6B6B && pte_of(va) == pte,
	   "SET_PTE with A, D, NX and bits 52-62: mapped at once, the entry left alone");
}

void guest_main(void)
{
	diag("conformance guest: pae_nx");
	user_init();
	pgdir = pgdir_create();
	user_map(pgdir);
	pgdir_switch(pgdir);
	irq_enable();
	test_kernel_nx();
	test_demand_nx();
	test_user_nx();
	test_high_bits();
	pgdir_switch(boot_pgdir);
	tap_done();
}
