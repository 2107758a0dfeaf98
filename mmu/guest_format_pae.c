/*
 * The guest's PAE tables: a 32-byte page-directory-pointer table of 4
 * entries (1 GiB each), page middle directories of 512 entries (2 MiB each)
 * and page tables of 512 64-bit entries, with NX in bit 63.  They map onto
 * the shadow one to one: PDPT entry = shadow PD, PMD entry = shadow region.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

#define PAE_ADDR_MASK 0x000ffffffffff000ull
/* Bits of a directory entry that are not its address. */
#define PAE_DIR_FLAG_BITS (~PAE_ADDR_MASK)
/* lguest's CHECK_GPGD_MASK with PAE: a PDPT entry is just present (Linux
 * writes nothing else; RW/USER are reserved there). */
#define GPGD_ALLOWED ((uint64_t)PTE_PRESENT)
/* A PMD entry pointing to a page table: _PAGE_TABLE.  No 2 MiB pages. */
#define GPMD_ALLOWED ((uint64_t)(PTE_PRESENT | PTE_RW | PTE_USER | \
				 PTE_ACCESSED | PTE_DIRTY))

static bool dir_entry_ok(struct shadow_mmu *m, uint64_t e, uint64_t allowed,
			 const char *what, uint32_t vaddr, bool kill)
{
	const char *why = NULL;

	if (e & PAE_DIR_FLAG_BITS & ~allowed)
		why = "flags not allowed (large pages, cache and reserved bits are unsupported)";
	else if ((e & PAE_ADDR_MASK) >= m->ram_end)
		why = "table past RAM";
	if (why && kill)
		guest_fault_raise(m->cfg.fault, "bad %s entry 0x%llx for 0x%x: %s",
				  what, (unsigned long long)e, vaddr, why);
	return !why;
}

static bool walk_pae(struct shadow_mmu *m, uint32_t gpgdir, uint32_t vaddr,
		     bool kill, struct guest_walk *w)
{
	uint64_t pgd, pmd, pte, pmd_gpa;

	if (!gmem_read64(m->cfg.mem, (uint64_t)gpgdir + (vaddr >> 30) * 8u,
			 &pgd)) {
		if (kill)
			guest_fault_raise(m->cfg.fault,
					  "page directory pointer table 0x%x is not in guest RAM",
					  gpgdir);
		return false;
	}
	w->pmd_gpa = NO_GPA;
	w->dir_present = pgd & PTE_PRESENT;
	if (!w->dir_present)
		return true;
	if (!dir_entry_ok(m, pgd, GPGD_ALLOWED, "page directory pointer", vaddr,
			  kill))
		return false;
	w->pmd_gpa = pgd & PAE_ADDR_MASK;
	pmd_gpa = (pgd & PAE_ADDR_MASK) + ((vaddr >> 21) & 511u) * 8u;
	if (!gmem_read64(m->cfg.mem, pmd_gpa, &pmd))
		return false; /* cannot happen: a whole RAM page */
	w->dir_present = pmd & PTE_PRESENT;
	if (!w->dir_present)
		return true;
	if (!dir_entry_ok(m, pmd, GPMD_ALLOWED, "page middle directory", vaddr,
			  kill))
		return false;
	w->dir_writable = pmd & PTE_RW;
	w->dir_user = pmd & PTE_USER;
	w->dir_nx = false; /* refused above */
	w->gpte_gpa = (pmd & PAE_ADDR_MASK) + ((vaddr >> 12) & 511u) * 8u;
	if (!gmem_read64(m->cfg.mem, w->gpte_gpa, &pte))
		return false;
	w->gpte = pte;
	return true;
}

const struct guest_format guest_format_pae = {
	.name = "PAE",
	.pte_size = 8,
	.top_entries = 4,
	.top_regions = SHADOW_ENTRIES,
	.slot_shift = 21,
	.pgdir_align = 32,
	.frame_mask = PAE_ADDR_MASK,
	/* PAT; bits 52-62 are the guest's own and never reach the shadow. */
	.pte_bad_bits = PTE_PSE,
	.nx_bit = PTE_NX,
	.has_pmd = true,
	.walk_dirs = walk_pae,
};
