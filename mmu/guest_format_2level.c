/*
 * The guest's 2-level (non-PAE) tables: a page directory of 1024 32-bit
 * entries, each mapping 4 MiB through a page table of 1024 32-bit entries.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

/* lguest's CHECK_GPGD_MASK for 2-level tables: _PAGE_TABLE.  Anything else
 * (PSE for a 4 MiB page, PWT/PCD, global, software bits) is refused. */
#define GPDE_ALLOWED (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)

static bool walk_2level(struct shadow_mmu *m, uint32_t gpgdir, uint32_t vaddr,
			bool kill, struct guest_walk *w)
{
	uint64_t pde_gpa = (uint64_t)gpgdir + (vaddr >> 22) * 4u;
	uint32_t pde, pte;
	uint64_t pt;

	if (!gmem_read32(m->cfg.mem, pde_gpa, &pde)) {
		if (kill)
			guest_fault_raise(m->cfg.fault,
					  "page directory 0x%x is not in guest RAM",
					  gpgdir);
		return false;
	}
	w->pmd_gpa = NO_GPA;
	w->dir_present = pde & PTE_PRESENT;
	if (!w->dir_present)
		return true;
	pt = pde & ~MMU_PAGE_MASK;
	if (pde & MMU_PAGE_MASK & ~GPDE_ALLOWED) {
		if (kill)
			guest_fault_raise(m->cfg.fault,
					  "bad page directory entry 0x%x for 0x%x: flags 0x%x not allowed (PSE and cache bits are unsupported)",
					  pde, vaddr, pde & MMU_PAGE_MASK & ~GPDE_ALLOWED);
		return false;
	}
	if (pt >= m->ram_end) {
		if (kill)
			guest_fault_raise(m->cfg.fault,
					  "bad page directory entry 0x%x for 0x%x: page table past RAM",
					  pde, vaddr);
		return false;
	}
	w->dir_writable = pde & PTE_RW;
	w->dir_user = pde & PTE_USER;
	w->dir_nx = false;
	w->gpte_gpa = pt + ((vaddr >> 12) & 1023u) * 4u;
	if (!gmem_read32(m->cfg.mem, w->gpte_gpa, &pte))
		return false; /* cannot happen: pt is a whole RAM page */
	w->gpte = pte;
	return true;
}

const struct guest_format guest_format_2level = {
	.name = "2-level",
	.pte_size = 4,
	.top_entries = 1024,
	.top_regions = 2,
	.slot_shift = 22,
	.pgdir_align = MMU_PAGE_SIZE,
	.frame_mask = 0xfffff000ull,
	/* Bit 7 of a 4 KiB entry is PAT (lguest's guests never get PAT). */
	.pte_bad_bits = PTE_PSE,
	.nx_bit = 0,
	.has_pmd = false,
	.walk_dirs = walk_2level,
};
