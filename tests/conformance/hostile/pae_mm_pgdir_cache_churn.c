/*
 * hostile: NEW_PGTABLE storms over 40 PAE PDPTs, all 32-byte slots of one
 * page (as Linux's pgd cache packs them), more than the Host's pgdir cache
 * (16 roots in lgkvm, 4 in lguest).  Cycling through all 40 evicts on
 * every switch, a pseudo-random order mixes hits and evictions.  Each PDPT
 * has its own middle directory mapping one user address to its own page:
 * after every switch that address must show that PDPT's page, never a
 * neighbour's in the same page.
 */
#include "runtime.h"

#define NDIRS 40
#define UVA (USER_TEST_BASE + 0x5000)

static pgd_t *dirs[NDIRS];
static uint32_t pages[NDIRS], writes[NDIRS];

static uint32_t visit(unsigned d)
{
	uint32_t v, bad;

	pgdir_switch(dirs[d]);
	v = mem_read32(UVA);
	bad = v != (0xD2000000 | d << 16 | writes[d]);
	writes[d] = (writes[d] + 1) & 0xFFFF;
	mem_write32(UVA, 0xD2000000 | d << 16 | writes[d]);
	return bad;
}

void guest_main(void)
{
	uint32_t bad = 0, seed = 4321;

	kprintf("expect-survive: ^NEW_PGTABLE storms over 40 PAE PDPTs in one page: each sees its own page$\n");
	for (unsigned d = 0; d < NDIRS; d++) {
		dirs[d] = pgdir_create();
		pages[d] = page_alloc_phys();
		*(uint32_t *)phys_to_virt(pages[d]) = 0xD2000000 | d << 16;
		pte_set(dirs[d], UVA, pages[d] | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	}
	ok(((uint32_t)dirs[0] & ~(PAGE_SIZE - 1)) == ((uint32_t)dirs[NDIRS - 1] & ~(PAGE_SIZE - 1)),
	   "the 40 PDPTs share one page");

	for (unsigned round = 0; round < 10; round++)
		for (unsigned d = 0; d < NDIRS; d++)
			bad += visit(d);
	is_u32(bad, 0, "10 cycles over 40 PDPTs (an eviction at every switch)");

	bad = 0;
	for (unsigned i = 0; i < 2000; i++) {
		seed = seed * 1103515245 + 12345;
		bad += visit((seed >> 16) % ((seed & 0x80000000) ? NDIRS : 12));
	}
	is_u32(bad, 0, "2000 switches in a pseudo-random order");

	bad = 0;
	for (unsigned d = 0; d < NDIRS; d++)
		bad += *(uint32_t *)phys_to_virt(pages[d]) != (0xD2000000 | d << 16 | writes[d]);
	is_u32(bad, 0, "every write went to its PDPT's page");

	pgdir_switch(boot_pgdir);
	if (!tap_failures())
		kprintf("NEW_PGTABLE storms over 40 PAE PDPTs in one page: each sees its own page\n");
	power_off();
}
