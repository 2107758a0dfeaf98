/*
 * hostile: more shadow page tables than the Host's pool holds, PAE.  16
 * PDPTs (the pgdir cache's size) point their three user GiBs at one
 * middle directory whose 512 entries all name one page table, and the
 * guest touches every 2 MiB region under every PDPT: 24576 shadow page
 * tables wanted at once, more than lgkvm's 64 MiB pool.  The pool runs dry
 * mid-walk; the Host must drop what it shadows and refill on demand, never
 * kill the guest (lguest only died when the host kernel had no page for
 * it).  Every read must see the shared table's page, in every pass; a
 * SET_PTE into it afterwards must be seen (in other PDPTs after their
 * FLUSH_TLB, as lguest only updated the PDPT named).
 */
#include "runtime.h"

#define NDIRS 16
#define USER_GIBS 3
#define REGION (PAGE_TABLE_SPAN) /* 2 MiB */

static pgd_t *dirs[NDIRS];
static pmd_t *shared_pmd;
static pte_t *shared_pt;

static uint32_t read_all(unsigned d, uint32_t want, unsigned stride)
{
	uint32_t bad = 0;

	for (uint32_t r = 0; r < USER_GIBS * 512; r += stride)
		bad += mem_read32(r * REGION) != want;
	if (bad)
		diag("PDPT %u: %u reads wrong", d, bad);
	return bad;
}

void guest_main(void)
{
	uint32_t bad = 0, page = page_alloc_phys(), page_new = page_alloc_phys();

	kprintf("expect-survive: ^PAE shadow pool ran dry and refilled: every read right$\n");
	*(uint32_t *)phys_to_virt(page) = 0x10101010;
	*(uint32_t *)phys_to_virt(page_new) = 0x30303030;
	shared_pt = page_alloc();
	shared_pt[0] = page | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
	shared_pmd = page_alloc();
	for (unsigned i = 0; i < 512; i++)
		shared_pmd[i] = virt_to_phys(shared_pt) | PDE_TABLE;
	/* Never shadowed yet: plain memory writes are all the Host needs. */
	for (unsigned d = 0; d < NDIRS; d++) {
		dirs[d] = pgdir_create();
		for (unsigned g = 0; g < USER_GIBS; g++)
			dirs[d][g] = virt_to_phys(shared_pmd) | PGD_PRESENT;
	}

	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned d = 0; d < NDIRS; d++) {
			pgdir_switch(dirs[d]);
			bad += read_all(d, 0x10101010, 1);
		}
	is_u32(bad, 0, "two passes over 16 PDPTs x 1536 regions read the shared table's page");

	pgdir_switch(dirs[5]);
	shared_pt[0] = page_new | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
	hcall_sync(LHCALL_SET_PTE, virt_to_phys(dirs[5]), 0x40000000, (uint32_t)shared_pt[0], 0);
	bad = mem_read32(0x40000000) != 0x30303030;
	for (unsigned d = 0; d < NDIRS; d++) {
		pgdir_switch(dirs[d]);
		tlb_flush_user();
		bad += read_all(d, 0x30303030, 7);
	}
	is_u32(bad, 0, "then SET_PTE into the shared table is seen everywhere");

	pgdir_switch(boot_pgdir);
	if (!tap_failures())
		kprintf("PAE shadow pool ran dry and refilled: every read right\n");
	power_off();
}
