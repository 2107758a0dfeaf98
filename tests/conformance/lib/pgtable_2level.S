/*
 * The boot page directory of a 2-level guest: RAM mapped at KERNEL_BASE
 * and, for the jump out of linear mode, at 0 too; plus the two kernel
 * windows.  Built by the assembler so the entry code only has to hand it to
 * LHCALL_NEW_PGTABLE.  (pgtable_pae.S is the PAE version.)
 */
#include "layout.h"

	.section .data.pgdir, "aw"
	.balign	4096
	.globl boot_pgdir
boot_pgdir:
	.set	i, 0
	.rept	DIRECT_MAP_PDES
	.long	PHYS(boot_pgtables) + i * 4096 + PDE_TABLE
	.set	i, i + 1
	.endr
	.fill	KERNEL_PDE - DIRECT_MAP_PDES, 4, 0
	.set	i, 0
	.rept	DIRECT_MAP_PDES
	.long	PHYS(boot_pgtables) + i * 4096 + PDE_TABLE
	.set	i, i + 1
	.endr
	.fill	KWIN_PDE - KERNEL_PDE - DIRECT_MAP_PDES, 4, 0
	.long	PHYS(kwin_pgtable) + PDE_TABLE
	.fill	IOWIN_PDE - KWIN_PDE - 1, 4, 0
	.long	PHYS(iowin_pgtable) + PDE_TABLE
	.fill	1024 - IOWIN_PDE - 1, 4, 0

	.globl boot_pgtables
boot_pgtables:
	.set	i, 0
	.rept	DIRECT_MAP_PDES * 1024
	.long	(i << 12) + PTE_KERNEL_RW
	.set	i, i + 1
	.endr

	.section .bss.pgtable, "aw", @nobits
	.balign	4096
	.globl kwin_pgtable, iowin_pgtable
kwin_pgtable:
	.skip	WINDOW_PAGES * 4
iowin_pgtable:
	.skip	WINDOW_PAGES * 4

	.section .note.GNU-stack, "", @progbits
