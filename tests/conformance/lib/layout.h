/*
 * Address-space layout of a conformance guest, shared by C and assembly.
 *
 * The guest is linked like an i386 Linux kernel: loaded at physical 1 MiB,
 * run at KERNEL_BASE + physical once its own page tables are on.  Only the
 * entry code (section .entry.text) runs at its physical address, in the
 * Host's linear mode before the first LHCALL_NEW_PGTABLE.
 */
#ifndef CONF_LAYOUT_H
#define CONF_LAYOUT_H

#define KERNEL_BASE 0xC0000000 /* lguest_data.kernel_address */
#define LOAD_PHYS 0x00100000

/* The boot page tables map this much RAM at KERNEL_BASE (and at 0 until
 * the runtime drops the identity part). */
#define DIRECT_MAP_MB 32

/* Kernel windows of 4 MiB with page tables of their own, shared by every
 * page directory: tests remap pages here (KWIN) and devices' BARs live
 * here (IOWIN). */
#define KWIN_BASE 0xE0000000
#define IOWIN_BASE 0xF0000000
#define WINDOW_PAGES 1024

/* 2-level tables: page-directory slots (4 MiB each). */
#define DIRECT_MAP_PDES (DIRECT_MAP_MB / 4)
#define KERNEL_PDE (KERNEL_BASE >> 22)
#define KWIN_PDE (KWIN_BASE >> 22)
#define IOWIN_PDE (IOWIN_BASE >> 22)

/* PAE tables: the kernel's GiB is PDPT entry 3, one middle directory shared
 * by every PDPT; its entries (2 MiB each) give the page tables. */
#define KERNEL_PGD_PAE (KERNEL_BASE >> 30)
#define DIRECT_MAP_PMDS (DIRECT_MAP_MB / 2)
#define KWIN_PMD ((KWIN_BASE - KERNEL_BASE) >> 21)
#define IOWIN_PMD ((IOWIN_BASE - KERNEL_BASE) >> 21)
#define WINDOW_PMDS (WINDOW_PAGES / 512)
#define PGD_PAE_PRESENT 0x001 /* a PDPT entry carries only P (head_32.S) */

/* User space: the guest image's .user sections and a user stack. */
#define USER_BASE 0x08000000
#define USER_STACK_TOP 0x08800000
#define USER_TEST_BASE 0x10000000 /* free user-range addresses for tests */

/* Selectors: lguest runs the kernel at ring 1 with Linux's GDT layout. */
#define SEL_KERNEL_CS 0x61
#define SEL_KERNEL_DS 0x69
#define SEL_USER_CS 0x73
#define SEL_USER_DS 0x7b

#define PDE_TABLE 0x067     /* _PAGE_TABLE: present, rw, user, accessed, dirty */
#define PTE_KERNEL_RW 0x063 /* present, rw, accessed, dirty */

#define BOOT_STACK_SIZE 16384
#define TRAP_STACK_SIZE 8192 /* two pages: the most LHCALL_SET_STACK allows */

/* Trap stubs are 16 bytes apart; one extra stub reports this vector. */
#define TRAP_STUB_SIZE 16
#define TRAP_ALT_VECTOR 0x106

#define PHYS(x) ((x) - KERNEL_BASE)

#endif
