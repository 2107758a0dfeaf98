/*
 * The few lguest ABI numbers the assembly files need.  hypercalls/lguest_abi.h
 * is C only; runtime.c checks these copies against it at compile time.
 */
#ifndef CONF_ASM_ABI_H
#define CONF_ASM_ABI_H

#define ASM_LHCALL_LGUEST_INIT 1
#define ASM_LHCALL_NEW_PGTABLE 4
#define ASM_LGUEST_TRAP_ENTRY 0x1f
#define ASM_LGUEST_DATA_IRQ_ENABLED 0 /* offsetof(struct lguest_data, irq_enabled) */
#define ASM_X86_EFLAGS_IF 0x200
#define ASM_SYS_EXIT 1 /* runtime system call: leave user mode */

#endif
