/*
 * The guest's page tables, and the hypercalls that keep the Host's shadow of
 * them in step: NEW_PGTABLE, SET_PTE, SET_PGD, SET_PMD, FLUSH_TLB.
 *
 * A guest image is built for one format, like a Linux kernel:
 * 2-level (non-PAE): a page directory of 1024 32-bit entries, 4 MiB each;
 * PAE (-DGUEST_PAE): a 32-byte page-directory-pointer table of 4 entries
 *   (1 GiB each), page middle directories of 512 entries (2 MiB each) and
 *   page tables of 512 64-bit entries, NX in bit 63.
 * Tests written against pgd_t/pte_t, pte_set() and pde_set() build for both.
 */
#ifndef CONF_MMU_H
#define CONF_MMU_H

#include <stdint.h>
#include "layout.h"

#define PAGE_SIZE 4096u

#ifdef GUEST_PAE
typedef uint64_t pte_t;
typedef uint64_t pmd_t;
typedef uint64_t pgd_t; /* a PDPT entry: pgd_t *pgdir is the PDPT */
#define PGD_INDEX(va) ((uint32_t)(va) >> 30)
#define PMD_INDEX(va) (((uint32_t)(va) >> 21) & 511)
#define PTE_INDEX(va) (((uint32_t)(va) >> 12) & 511)
#define PTRS_PER_PGD 4
#define PTRS_PER_PTE 512
#define PDPT_SIZE 32
#define PGD_PRESENT PTE_PRESENT /* all a PDPT entry carries (head_32.S) */
#define PTE_FRAME_MASK 0x000FFFFFFFFFF000ull
#define PDE_HCALL "SET_PMD" /* how a guest names the entry for a page table */
#define GUEST_FORMAT "PAE"
#else
typedef uint32_t pte_t;
typedef uint32_t pgd_t;
#define PGD_INDEX(va) ((uint32_t)(va) >> 22)
#define PTE_INDEX(va) (((uint32_t)(va) >> 12) & 1023)
#define PTRS_PER_PGD 1024
#define PTRS_PER_PTE 1024
#define PTE_FRAME_MASK 0xFFFFF000u
#define PDE_HCALL "SET_PGD"
#define GUEST_FORMAT "2-level"
#endif
/* The bytes one page table maps. */
#define PAGE_TABLE_SPAN (PTRS_PER_PTE * PAGE_SIZE)

extern pgd_t boot_pgdir[]; /* pgtable_2level.S / pgtable_pae.S */
extern pgd_t *pgdir_current;
extern char __end[], __kernel_start[], __user_start[], __user_end[], __user_phys[];

static inline uint32_t virt_to_phys(const volatile void *p) { return (uint32_t)p - KERNEL_BASE; }
static inline void *phys_to_virt(uint32_t pa) { return (void *)(pa + KERNEL_BASE); }

void mmu_init(void);
uint32_t ram_size(void);
void *page_alloc(void); /* zeroed, from the direct map */
uint32_t page_alloc_phys(void);
uint32_t pages_free(void);

pgd_t *pgdir_create(void); /* kernel part shared with boot_pgdir */
void pgdir_switch(pgd_t *pgdir); /* LHCALL_NEW_PGTABLE */
/* The guest PTE for va; allocates directories in the user part. */
volatile pte_t *pte_ptr(pgd_t *pgdir, uint32_t va);
void pte_write(pgd_t *pgdir, uint32_t va, pte_t pte); /* memory only */
void pte_set(pgd_t *pgdir, uint32_t va, pte_t pte);   /* + LHCALL_SET_PTE */
void pgd_set(pgd_t *pgdir, unsigned index, pgd_t e);  /* + LHCALL_SET_PGD */
/*
 * The entry pointing to va's page table (flags included; 0 for none): a
 * page-directory entry told with SET_PGD (2-level), or a page-middle-
 * directory entry told with SET_PMD (PAE), as Linux's set_pmd() does.
 */
void pde_set(pgd_t *pgdir, uint32_t va, uint32_t entry);
#ifdef GUEST_PAE
/* The middle directory under pgdir[PGD_INDEX(va)], or 0 if none. */
pmd_t *pmd_of(pgd_t *pgdir, uint32_t va);
void pmd_set(pmd_t *pmd, unsigned index, pmd_t e); /* + LHCALL_SET_PMD */
#endif
void tlb_flush_user(void); /* LHCALL_FLUSH_TLB 0 */
void tlb_flush_all(void);  /* LHCALL_FLUSH_TLB 1 */
/* Map a device's physical range into the I/O window; returns its address. */
uint32_t iomap(uint32_t phys, uint32_t len);

/* The identity mapping of low RAM the entry code needed (format file). */
void mmu_drop_identity(void);

#endif
