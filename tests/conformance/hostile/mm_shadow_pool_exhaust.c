/*
 * hostile: more shadow page tables than the Host's pool holds.  16 page
 * directories (the pgdir cache's size) each point 672 user slots at one
 * shared page table, and the guest touches both 2 MiB halves of every
 * slot in every directory: 21504 shadow page tables wanted at once, more
 * than lgkvm's 64 MiB pool.  The pool runs dry mid-walk; the Host must
 * drop what it shadows and refill on demand, never kill the guest.  lguest
 * allocated shadow pages from the host kernel and only died when that
 * failed ("out of memory allocating pte page"), which the guest caused no
 * more than here.  Every read must see the shared table's pages, in every
 * pass, and a SET_PTE into the shared table after all that must be seen
 * (in other directories after their FLUSH_TLB, as lguest only updated the
 * directory named).
 */
#include "runtime.h"

#define NDIRS 16
#define FIRST_PDE 96 /* 0x18000000: clear of the image's user pages */
#define LAST_PDE (KERNEL_PDE - 1)
#define HALF (PAGE_TABLE_SPAN / 2)

static pgd_t *dirs[NDIRS];
static pte_t *shared;
static uint32_t page_lo, page_hi, page_new;

static uint32_t read_all(unsigned d, uint32_t want_lo, uint32_t want_hi, unsigned stride)
{
	uint32_t bad = 0;

	for (unsigned i = FIRST_PDE; i <= LAST_PDE; i += stride) {
		bad += mem_read32(i << 22) != want_lo;
		bad += mem_read32((i << 22) + HALF) != want_hi;
	}
	if (bad)
		diag("directory %u: %u reads wrong", d, bad);
	return bad;
}

void guest_main(void)
{
	uint32_t bad = 0;

	kprintf("expect-survive: ^shadow pool ran dry and refilled: every read right$\n");
	page_lo = page_alloc_phys();
	page_hi = page_alloc_phys();
	page_new = page_alloc_phys();
	*(uint32_t *)phys_to_virt(page_lo) = 0x10101010;
	*(uint32_t *)phys_to_virt(page_hi) = 0x20202020;
	*(uint32_t *)phys_to_virt(page_new) = 0x30303030;
	shared = page_alloc();
	shared[0] = page_lo | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
	shared[PTRS_PER_PTE / 2] = page_hi | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
	/* Never shadowed yet: plain memory writes are all the Host needs. */
	for (unsigned d = 0; d < NDIRS; d++) {
		dirs[d] = pgdir_create();
		for (unsigned i = FIRST_PDE; i <= LAST_PDE; i++)
			dirs[d][i] = virt_to_phys(shared) | PDE_TABLE;
	}

	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned d = 0; d < NDIRS; d++) {
			pgdir_switch(dirs[d]);
			bad += read_all(d, 0x10101010, 0x20202020, 1);
		}
	is_u32(bad, 0, "two passes over 16 directories x 1344 regions read the shared table's pages");

	/* SET_PTE names directory 3; the others flush their user part. */
	pgdir_switch(dirs[3]);
	shared[0] = page_new | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
	hcall_sync(LHCALL_SET_PTE, virt_to_phys(dirs[3]), FIRST_PDE << 22, shared[0], 0);
	bad = mem_read32(FIRST_PDE << 22) != 0x30303030;
	for (unsigned d = 0; d < NDIRS; d++) {
		pgdir_switch(dirs[d]);
		tlb_flush_user();
		bad += read_all(d, 0x30303030, 0x20202020, 7);
	}
	is_u32(bad, 0, "then SET_PTE into the shared table is seen everywhere");

	pgdir_switch(boot_pgdir);
	if (!tap_failures())
		kprintf("shadow pool ran dry and refilled: every read right\n");
	power_off();
}
