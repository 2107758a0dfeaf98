/*
 * Shadow page tables: the 4-level tables the vCPU really walks, kept in step
 * with the guest's own i386 tables with lguest's semantics.
 *
 * The low 4 GiB of every shadow root (PML4[0]) reflects the guest's tables,
 * filled lazily on page faults; PML4[511] is the VMM's own mapping.  Until the
 * guest's first NEW_PGTABLE the guest runs in "linear mode": virtual ==
 * physical.  Guest mappings at or above lguest_data.kernel_address are the
 * same in every root, so their shadow page tables are shared by all roots.
 *
 * The guest's tables are 2-level (non-PAE) or PAE (3-level, 64-bit entries,
 * NX), as configured.  Every guest entry is checked before it is mapped:
 * frames must be guest RAM or the MMIO window, page-table pages must be RAM;
 * anything else kills the guest through cfg->fault.  Shadow table pages come
 * from a fixed pool; when it runs dry every shadow mapping is dropped and
 * refilled on demand.
 */
#ifndef LGKVM_SHADOW_MMU_H
#define LGKVM_SHADOW_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

/* Default size of the pgdir cache (lguest kept 4). */
#define MMU_DEFAULT_ROOTS 8
#define MMU_MAX_ROOTS 64
/* Pool pages each cached root owns for good: PML4, PDPT and 4 PDs. */
#define MMU_PAGES_PER_ROOT 6
/* Page-table pages the pool must hold beyond the roots: enough for the
 * pages one instruction can touch, so a refill after exhaustion finishes. */
#define MMU_MIN_PT_PAGES 16

struct mmu_config {
	const struct guest_memory *mem;   /* guest RAM: frames below mem->size are mappable */
	struct guest_fault *fault;        /* bad guest entries are raised here */
	uint64_t mmio_base, mmio_size;    /* guest-physical device window: mapped 1:1, never RAM */
	void *pool;                       /* shadow table pages (4 KiB each) ... */
	uint64_t pool_gpa;                /* ... at this GPA (page aligned, outside RAM and MMIO) */
	uint32_t pool_pages;              /* >= max_roots * MMU_PAGES_PER_ROOT + MMU_MIN_PT_PAGES */
	uint64_t host_pml4e;              /* value for PML4[511] of every root */
	unsigned max_roots;               /* pgdir cache size; 0 means MMU_DEFAULT_ROOTS */
	bool pae;                         /* guest uses PAE tables (then set EFER.NXE: NX is copied) */
	bool touch_log;                   /* log shadow writes for mmu_take_touched */
};

struct shadow_mmu;

/* NULL when the configuration is unusable (see mmu_config); the pool is not
 * owned: the caller frees it after mmu_destroy. */
struct shadow_mmu *mmu_create(const struct mmu_config *cfg);
void mmu_destroy(struct shadow_mmu *m);
/* Back to linear mode with every mapping dropped and kernel_address 0 (guest
 * restart).  Statistics are kept. */
void mmu_reset(struct shadow_mmu *m);
/* GPA of the current root's PML4: load it into CR3. */
uint64_t mmu_cr3(const struct shadow_mmu *m);
/* lguest_data.kernel_address (from LGUEST_INIT): mappings at or above it
 * (rounded down to a guest page-directory slot) are shared by all roots.
 * Until it is set it is 0, as in lguest: every mapping counts as kernel. */
void mmu_set_kernel_address(struct shadow_mmu *m, uint32_t kernel_address);

/* The guest's page-table format.  mmu_set_guest_format works only before
 * the first NEW_PGTABLE (false afterwards); mmu_guess_pae says whether the
 * table at gpgdir looks like a PAE page-directory-pointer table. */
bool mmu_guess_pae(const struct shadow_mmu *m, uint32_t gpgdir);
bool mmu_set_guest_format(struct shadow_mmu *m, bool pae);
bool mmu_is_pae(const struct shadow_mmu *m);

/* The page-table hypercalls. */
void mmu_new_pgtable(struct shadow_mmu *m, uint32_t gpgdir);      /* LHCALL_NEW_PGTABLE */
void mmu_flush_tlb(struct shadow_mmu *m, bool include_kernel);    /* LHCALL_FLUSH_TLB */
void mmu_set_pte(struct shadow_mmu *m, uint32_t gpgdir, uint32_t vaddr,
		 uint64_t gpte);                                  /* LHCALL_SET_PTE */
void mmu_set_pgd(struct shadow_mmu *m, uint32_t gpgdir, uint32_t idx); /* LHCALL_SET_PGD */
void mmu_set_pmd(struct shadow_mmu *m, uint32_t gpmd_page, uint32_t idx); /* LHCALL_SET_PMD */

enum mmu_fault { MMU_FIXED, MMU_GUEST_FAULT, MMU_KILLED };
/* Hardware #PF in guest space (errcode from the CPU).  MMU_GUEST_FAULT: deliver
 * #PF to the guest with *guest_errcode, computed from the guest's tables
 * (P bit = the guest PTE was present, W/U from the access).  MMU_KILLED: a bad
 * guest entry was raised on cfg->fault.  Calling it with PF_WRITE for an
 * address that did not fault pre-maps it (lguest's pin_page). */
enum mmu_fault mmu_demand_page(struct shadow_mmu *m, uint32_t vaddr,
			       uint32_t errcode, uint32_t *guest_errcode);

/* True when the current root already maps vaddr (writably, if write). */
bool mmu_is_mapped(const struct shadow_mmu *m, uint32_t vaddr, bool write);

/* Guest-virtual to guest-physical through the guest's tables (or linear mode),
 * for the VMM's own accesses (reading an instruction, pushing a trap frame).
 * False when not mapped or not permitted for that access, or when the frame is
 * neither RAM nor MMIO.  Sets ACCESSED (and DIRTY for a write) in the guest
 * PTE as the CPU would; never kills the guest. */
bool mmu_guest_to_phys(struct shadow_mmu *m, uint32_t vaddr, bool write,
		       bool user, uint64_t *gpa);

/* True (once) when a shadow entry was removed or lost rights since the last
 * call (or mmu_take_touched): the vCPU's TLB may hold it, so reload CR3 before
 * the next entry.  Root switches are not reported: loading the new CR3
 * flushes anyway. */
bool mmu_take_tlb_flush(struct shadow_mmu *m);

/*
 * Needs cfg.touch_log; call before each return to the guest.  The VMM writes
 * shadow entries through its own mapping, which an engine that shadows page
 * tables in software (kvm_pvm, KVM without EPT/NPT) never sees: the vCPU must
 * rewrite each changed entry itself, then reload CR3.  This hands out up to
 * max addresses of entries changed since the last call (oldest first, each
 * once, as gpa + va_offset) and sets *flush to 1 when an entry lost rights or
 * vanished (the TLB may hold it); *flush is left alone otherwise.  Entries
 * beyond max stay for the next call: mmu_touched_pending() says how many.
 */
size_t mmu_take_touched(struct shadow_mmu *m, uint64_t *va, size_t max,
			uint64_t va_offset, uint64_t *flush);
size_t mmu_touched_pending(const struct shadow_mmu *m);

struct mmu_stats {
	uint64_t faults_fixed, faults_to_guest, root_switches, root_evictions,
		pool_exhausted;
	uint64_t rmap_updates;  /* shadow entries SET_PTE reached through the rmap */
};

/* Checks the shadow tables and the reverse map against each other: every
 * shadow page table is owned where it is installed, listed in the reverse
 * map under the guest page table it came from, and nothing else is listed.
 * With strict, also that every present shadow entry is exactly what the
 * guest's tables give now (which holds when the guest has announced every
 * change with a hypercall, as in unit tests).  False, with the first
 * problem in why, when something is off. */
bool mmu_check(struct shadow_mmu *m, bool strict, char *why, size_t len);
void mmu_get_stats(const struct shadow_mmu *m, struct mmu_stats *st);

#endif
