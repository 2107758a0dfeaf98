/*
 * Reading the guest's own page tables: the walk from a virtual address to a
 * leaf entry, the checks every entry passes before we trust it, and
 * mmu_guest_to_phys for the VMM's own accesses.
 *
 * A guest format (guest_format_2level.c, guest_format_pae.c) only knows
 * how to read its directory levels; what a leaf means is common.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

enum frame_kind mmu_frame_kind(const struct shadow_mmu *m, uint64_t gpa)
{
	if (gpa < m->ram_end)
		return FRAME_RAM;
	if (gpa >= m->cfg.mmio_base && gpa - m->cfg.mmio_base < m->cfg.mmio_size)
		return FRAME_MMIO;
	return FRAME_BAD;
}

bool guest_walk(struct shadow_mmu *m, uint32_t vaddr, bool kill,
		struct guest_walk *w)
{
	if (m->linear) {
		/* lguest's fake entry: present and writable, neither accessed
		 * nor dirty (page_tables.c), so a read maps the page read-only
		 * and a later write faults again, as under lguest.  There is
		 * no guest entry to mark. */
		w->dir_present = true;
		w->dir_writable = true;
		w->dir_user = true;
		w->dir_nx = false;
		w->gpte = (vaddr & ~MMU_PAGE_MASK) | PTE_PRESENT | PTE_RW;
		w->gpte_gpa = NO_GPA;
		w->pmd_gpa = NO_GPA;
		return true;
	}
	return m->fmt->walk_dirs(m, mmu_current(m)->gpgdir, vaddr, kill, w);
}

bool guest_check_pte(struct shadow_mmu *m, uint64_t gpte, uint32_t vaddr,
		     bool kill)
{
	uint64_t frame = gpte & m->fmt->frame_mask;

	if (gpte & m->fmt->pte_bad_bits) {
		if (kill)
			guest_fault_raise(m->cfg.fault,
					  "bad page table entry 0x%llx for 0x%x: reserved or PAT bits 0x%llx",
					  (unsigned long long)gpte, vaddr,
					  (unsigned long long)(gpte & m->fmt->pte_bad_bits));
		return false;
	}
	if (mmu_frame_kind(m, frame) == FRAME_BAD) {
		if (kill && m->linear)
			guest_fault_raise(m->cfg.fault,
					  "linear-mode access to 0x%x: frame 0x%llx is past RAM",
					  vaddr, (unsigned long long)frame);
		else if (kill)
			guest_fault_raise(m->cfg.fault,
					  "bad page table entry 0x%llx for 0x%x maps frame 0x%llx past RAM",
					  (unsigned long long)gpte, vaddr,
					  (unsigned long long)frame);
		return false;
	}
	return true;
}

void guest_write_pte(struct shadow_mmu *m, uint64_t gpa, uint64_t gpte)
{
	/* The walk read this entry from RAM, so the write cannot fail. */
	if (m->fmt->pte_size == 4)
		gmem_write32(m->cfg.mem, gpa, (uint32_t)gpte);
	else
		gmem_write64(m->cfg.mem, gpa, gpte);
}

bool guest_pte_writable(const struct guest_walk *w, uint64_t gpte)
{
	return w->dir_writable && (gpte & PTE_RW);
}

bool guest_pte_user(const struct guest_walk *w, uint64_t gpte)
{
	return w->dir_user && (gpte & PTE_USER);
}

bool guest_pte_nx(const struct shadow_mmu *m, const struct guest_walk *w,
		  uint64_t gpte)
{
	return m->fmt->nx_bit && (w->dir_nx || (gpte & m->fmt->nx_bit));
}

bool mmu_guest_to_phys(struct shadow_mmu *m, uint32_t vaddr, bool write,
		       bool user, uint64_t *gpa)
{
	struct guest_walk w;
	uint64_t gpte, frame;

	if (!guest_walk(m, vaddr, false, &w) || !w.dir_present ||
	    !(w.gpte & PTE_PRESENT))
		return false;
	gpte = w.gpte;
	if ((write && !guest_pte_writable(&w, gpte)) ||
	    (user && !guest_pte_user(&w, gpte)) ||
	    !guest_check_pte(m, gpte, vaddr, false))
		return false;
	/* The CPU would mark the entry; so do we. */
	gpte |= PTE_ACCESSED | (write ? PTE_DIRTY : 0);
	if (gpte != w.gpte && w.gpte_gpa != NO_GPA)
		guest_write_pte(m, w.gpte_gpa, gpte);
	frame = gpte & m->fmt->frame_mask;
	*gpa = frame | (vaddr & MMU_PAGE_MASK);
	return true;
}
