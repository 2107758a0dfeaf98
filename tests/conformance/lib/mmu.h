/*
 * 2-level (non-PAE) page tables for the guest, and the hypercalls that keep
 * the Host's shadow of them in step: NEW_PGTABLE, SET_PTE, SET_PGD, FLUSH_TLB.
 */
#ifndef CONF_MMU_H
#define CONF_MMU_H

#include <stdint.h>
#include "layout.h"

#define PAGE_SIZE 4096u
#define PDE_INDEX(va) ((uint32_t)(va) >> 22)
#define PTE_INDEX(va) (((uint32_t)(va) >> 12) & 1023)

extern uint32_t boot_pgdir[1024];
extern uint32_t kwin_pgtable[1024], iowin_pgtable[1024];
extern uint32_t *pgdir_current;
extern char __end[], __kernel_start[], __user_start[], __user_end[], __user_phys[];

static inline uint32_t virt_to_phys(const volatile void *p) { return (uint32_t)p - KERNEL_BASE; }
static inline void *phys_to_virt(uint32_t pa) { return (void *)(pa + KERNEL_BASE); }

void mmu_init(void);
uint32_t ram_size(void);
void *page_alloc(void); /* zeroed, from the direct map */
uint32_t page_alloc_phys(void);
uint32_t pages_free(void);

uint32_t *pgdir_create(void); /* kernel half shared with boot_pgdir */
void pgdir_switch(uint32_t *pgdir); /* LHCALL_NEW_PGTABLE */
/* The guest PTE for va; allocates a page table in the user half. */
volatile uint32_t *pte_ptr(uint32_t *pgdir, uint32_t va);
void pte_write(uint32_t *pgdir, uint32_t va, uint32_t pte); /* memory only */
void pte_set(uint32_t *pgdir, uint32_t va, uint32_t pte);   /* + LHCALL_SET_PTE */
void pgd_set(uint32_t *pgdir, unsigned index, uint32_t pde); /* + LHCALL_SET_PGD */
void tlb_flush_user(void); /* LHCALL_FLUSH_TLB 0 */
void tlb_flush_all(void);  /* LHCALL_FLUSH_TLB 1 */
/* Map a device's physical range into the I/O window; returns its address. */
uint32_t iomap(uint32_t phys, uint32_t len);

#endif
