/*
 * The boot page tables of a PAE guest, laid out like Linux's head_32.S
 * makes them: a page-directory-pointer table whose entries carry only the
 * present bit, entry 0 (the identity map, for the jump out of linear mode)
 * and entry 3 (the kernel's GiB, shared by every PDPT) pointing to middle
 * directories that map RAM through the same page tables, plus the two
 * kernel windows.  Entries are 64 bits: low half, then high half.
 */
#include "layout.h"

/* A 64-bit entry whose high half is 0 (i386 relocations are 32 bits). */
	.macro	entry64 low:vararg
	.long	\low
	.long	0
	.endm

	.section .data.pgdir, "aw"
	.balign	4096
	.globl boot_pgdir, boot_pmd_kernel
boot_pgdir:
	entry64 PHYS(boot_pmd_low) + PGD_PAE_PRESENT
	entry64 0
	entry64 0
	entry64 PHYS(boot_pmd_kernel) + PGD_PAE_PRESENT
	.balign	4096

boot_pmd_low:
	.set	i, 0
	.rept	DIRECT_MAP_PMDS
	entry64 PHYS(boot_pgtables) + i * 4096 + PDE_TABLE
	.set	i, i + 1
	.endr
	.fill	512 - DIRECT_MAP_PMDS, 8, 0

boot_pmd_kernel:
	.set	i, 0
	.rept	DIRECT_MAP_PMDS
	entry64 PHYS(boot_pgtables) + i * 4096 + PDE_TABLE
	.set	i, i + 1
	.endr
	.fill	KWIN_PMD - DIRECT_MAP_PMDS, 8, 0
	.set	i, 0
	.rept	WINDOW_PMDS
	entry64 PHYS(kwin_pgtable) + i * 4096 + PDE_TABLE
	.set	i, i + 1
	.endr
	.fill	IOWIN_PMD - KWIN_PMD - WINDOW_PMDS, 8, 0
	.set	i, 0
	.rept	WINDOW_PMDS
	entry64 PHYS(iowin_pgtable) + i * 4096 + PDE_TABLE
	.set	i, i + 1
	.endr
	.fill	512 - IOWIN_PMD - WINDOW_PMDS, 8, 0

	.globl boot_pgtables
boot_pgtables:
	.set	i, 0
	.rept	DIRECT_MAP_PMDS * 512
	entry64 (i << 12) + PTE_KERNEL_RW
	.set	i, i + 1
	.endr

	.section .bss.pgtable, "aw", @nobits
	.balign	4096
	.globl kwin_pgtable, iowin_pgtable
kwin_pgtable:
	.skip	WINDOW_PAGES * 8
iowin_pgtable:
	.skip	WINDOW_PAGES * 8

	.section .note.GNU-stack, "", @progbits
