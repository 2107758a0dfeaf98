/*
 * hostile: SET_PTE floods.  12000 synchronous SET_PTEs rewriting the 1024
 * entries of one page table over and over (shadowed or not, with and
 * without A/D), then 3200 more through the asynchronous ring, then kernel
 * SET_PTEs naming page directories that are not directories at all.  The
 * Host must keep up without running out of anything and, at the end,
 * every address must map exactly what its entry says.  lguest dropped or
 * refilled one shadow entry per call; for a kernel address it updated
 * every cached directory whichever was named.
 */
#include "runtime.h"

#define BASE 0x40000000u
#define SLOTS PTRS_PER_PTE
#define NPAGES 8
#define KVA (KWIN_BASE + 0x100000)

static uint32_t pages[NPAGES];
static uint8_t last[1024];

static pte_t entry(unsigned p, unsigned k)
{
	/* Every third one without A and D: the Host may not map it at once. */
	return pages[p] | PTE_PRESENT | PTE_RW | (k % 3 ? PTE_ACCESSED | PTE_DIRTY : 0);
}

static uint32_t check_all(void)
{
	uint32_t bad = 0;

	for (unsigned s = 0; s < SLOTS; s++)
		bad += mem_read32(BASE + s * PAGE_SIZE) != 0xF00D0000 + last[s];
	return bad;
}

void guest_main(void)
{
	uint32_t bad = 0, junk = page_alloc_phys();

	kprintf("expect-survive: ^SET_PTE floods: every address maps what its entry says$\n");
	for (unsigned p = 0; p < NPAGES; p++) {
		pages[p] = page_alloc_phys();
		*(uint32_t *)phys_to_virt(pages[p]) = 0xF00D0000 + p;
	}
	for (unsigned k = 0; k < 12000; k++) {
		unsigned s = (k * 389) % SLOTS, p = (k * 7 + k / SLOTS) % NPAGES;

		pte_set(boot_pgdir, BASE + s * PAGE_SIZE, entry(p, k));
		last[s] = p;
		if (k % 97 == 0)
			bad += mem_read32(BASE + s * PAGE_SIZE) != 0xF00D0000 + p;
	}
	bad += check_all();
	is_u32(bad, 0, "12000 synchronous SET_PTEs over one page table");

	for (unsigned k = 0; k < 3200; k++) {
		unsigned s = (k * 613) % SLOTS, p = (k * 5 + 3) % NPAGES;

		pte_write(boot_pgdir, BASE + s * PAGE_SIZE, entry(p, k));
		hcall_async(LHCALL_SET_PTE, virt_to_phys(boot_pgdir), BASE + s * PAGE_SIZE, entry(p, k), 0);
		last[s] = p;
	}
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	is_u32(check_all(), 0, "3200 more through the asynchronous ring");

	bad = 0;
	for (unsigned k = 0; k < 2000; k++) {
		unsigned p = k % NPAGES;
		uint32_t named = (k & 1) ? junk : 0xFFFFF000; /* a zeroed page; past RAM */

		pte_write(boot_pgdir, KVA, entry(p, 1));
		hcall_sync(LHCALL_SET_PTE, named, KVA, entry(p, 1), 0);
		if (k % 50 == 0) {
			tlb_flush_all(); /* told the wrong directory: make sure */
			bad += mem_read32(KVA) != 0xF00D0000 + p;
		}
	}
	tlb_flush_all();
	bad += mem_read32(KVA) != 0xF00D0000 + 1999 % NPAGES;
	is_u32(bad, 0, "2000 kernel SET_PTEs naming no real directory: no harm, right after a flush");

	if (!tap_failures())
		kprintf("SET_PTE floods: every address maps what its entry says\n");
	power_off();
}
