/*
 * Demand paging: shadow entries are only filled when the vCPU faults on
 * them.  A fault the guest's own tables allow is fixed here and the guest
 * never knows; one they do not allow is the guest's page fault.
 *
 * The accessed and dirty bits are ours to keep: the CPU only sets them in the
 * shadow.  So a page is mapped when first touched (we set ACCESSED in the
 * guest entry) and mapped writable only once the guest entry is DIRTY; a
 * write to a clean page faults here first, and we set DIRTY then.
 */
#include "mmu/mmu_internal.h"

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/trace.h"

uint64_t shadow_pte(const struct shadow_mmu *m, const struct guest_walk *w,
		    uint64_t gpte)
{
	/* The guest's global bit only told us which flush it meant: dropped. */
	uint64_t s = (gpte & m->fmt->frame_mask) | PTE_PRESENT | PTE_ACCESSED |
		     (gpte & (PTE_PWT | PTE_PCD));

	if (guest_pte_user(w, gpte))
		s |= PTE_USER;
	if (guest_pte_writable(w, gpte) && (gpte & PTE_DIRTY))
		s |= PTE_RW | PTE_DIRTY;
	if (guest_pte_nx(m, w, gpte))
		s |= PTE_NX;
	return s;
}

static enum mmu_fault to_guest(struct shadow_mmu *m, uint32_t vaddr,
			       uint32_t errcode, bool present,
			       uint32_t *guest_errcode)
{
	uint32_t gerr = errcode & (PF_WRITE | PF_USER);

	if (present)
		gerr |= PF_PROT;
	/* Without NX in the guest's format the I/D bit does not exist. */
	if (m->fmt->nx_bit)
		gerr |= errcode & PF_INSTR;
	*guest_errcode = gerr;
	m->stats.faults_to_guest++;
	TRACE("mmu", "op=demand vaddr=0x%x err=0x%x result=guest gerr=0x%x", vaddr,
	      errcode, gerr);
	return MMU_GUEST_FAULT;
}

static enum mmu_fault killed(uint32_t vaddr, uint32_t errcode)
{
	TRACE("mmu", "op=demand vaddr=0x%x err=0x%x result=killed", vaddr, errcode);
	return MMU_KILLED;
}

enum mmu_fault mmu_demand_page(struct shadow_mmu *m, uint32_t vaddr,
			       uint32_t errcode, uint32_t *guest_errcode)
{
	bool write = errcode & PF_WRITE, user = errcode & PF_USER,
	     fetch = errcode & PF_INSTR;
	struct guest_walk w;
	uint64_t gpte, spte, *pt;

	*guest_errcode = 0;
	if (errcode & PF_RSVD) {
		/* Only our own entries can carry reserved bits. */
		guest_fault_raise(m->cfg.fault,
				  "reserved bit in a shadow entry for 0x%x (VMM bug)",
				  vaddr);
		return killed(vaddr, errcode);
	}
	if (!guest_walk(m, vaddr, true, &w))
		return killed(vaddr, errcode);
	if (!w.dir_present || !(w.gpte & PTE_PRESENT))
		return to_guest(m, vaddr, errcode, false, guest_errcode);
	gpte = w.gpte;
	/* CR0.WP is set, so the guest kernel cannot write read-only pages
	 * either; user access needs USER at every level. */
	if ((write && !guest_pte_writable(&w, gpte)) ||
	    (user && !guest_pte_user(&w, gpte)) ||
	    (fetch && guest_pte_nx(m, &w, gpte)))
		return to_guest(m, vaddr, errcode, true, guest_errcode);
	if (!guest_check_pte(m, gpte, vaddr, true))
		return killed(vaddr, errcode);

	gpte |= PTE_ACCESSED | (write ? PTE_DIRTY : 0);
	if (gpte != w.gpte && w.gpte_gpa != NO_GPA)
		guest_write_pte(m, w.gpte_gpa, gpte);

	spte = shadow_pte(m, &w, gpte);
	pt = shadow_region_pt(m, vaddr, &w);
	shadow_set(m, &pt[(vaddr >> 12) % SHADOW_ENTRIES], spte);
	m->stats.faults_fixed++;
	TRACE("mmu", "op=demand vaddr=0x%x err=0x%x result=fixed gpte=0x%llx spte=0x%llx",
	      vaddr, errcode, (unsigned long long)gpte,
	      (unsigned long long)spte);
	return MMU_FIXED;
}

bool mmu_is_mapped(const struct shadow_mmu *m, uint32_t vaddr, bool write)
{
	const uint64_t *pt = root_region_pt(m, &m->roots[m->cur],
					    vaddr >> REGION_SHIFT);
	uint64_t spte;

	if (!pt)
		return false;
	spte = pt[(vaddr >> 12) % SHADOW_ENTRIES];
	return (spte & PTE_PRESENT) && (!write || (spte & PTE_RW));
}
