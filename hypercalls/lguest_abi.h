/*
 * The lguest Host/Guest ABI of Linux 4.x, as the 32-bit Guest lays it out.
 *
 * Facts from include/linux/lguest.h, arch/x86/include/asm/lguest_hcall.h and
 * arch/x86/include/asm/lguest.h of Linux 4.10.  Only fixed-width types, so
 * the same header serves the VMM (x86-64) and the conformance guests (i386).
 */
#ifndef LGKVM_LGUEST_ABI_H
#define LGKVM_LGUEST_ABI_H

#include <stdint.h>

/* Hypercall numbers: %eax; arguments in %ebx, %ecx, %edx, %esi. */
#define LHCALL_FLUSH_ASYNC 0
#define LHCALL_LGUEST_INIT 1
#define LHCALL_SHUTDOWN 2
#define LHCALL_NEW_PGTABLE 4
#define LHCALL_FLUSH_TLB 5
#define LHCALL_LOAD_IDT_ENTRY 6
#define LHCALL_SET_STACK 7
#define LHCALL_SET_CLOCKEVENT 9
#define LHCALL_HALT 10
#define LHCALL_SET_PMD 13
#define LHCALL_SET_PTE 14
#define LHCALL_SET_PGD 15
#define LHCALL_LOAD_TLS 16
#define LHCALL_LOAD_GDT_ENTRY 18
#define LHCALL_SEND_INTERRUPTS 19

#define LGUEST_TRAP_ENTRY 0x1F

/* Third argument of LHCALL_SHUTDOWN. */
#define LGUEST_SHUTDOWN_POWEROFF 1
#define LGUEST_SHUTDOWN_RESTART 2

#define LHCALL_RING_SIZE 64
#define LGUEST_IRQS 32
#define LG_CLOCK_MIN_DELTA 100u

/* The Guest runs its kernel at privilege level 1. */
#define GUEST_PL 1

/* Interrupt vectors: IRQ n arrives at vector 32 + n; system calls at 0x80. */
#define FIRST_EXTERNAL_VECTOR 0x20
#define IA32_SYSCALL_VECTOR 0x80

/* i386 GDT layout (arch/x86/include/asm/segment.h). */
#define GDT_ENTRIES 32
#define GDT_ENTRY_TLS_MIN 6
#define GDT_ENTRY_TLS_ENTRIES 3
#define GDT_ENTRY_TLS_MAX (GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1)
#define GDT_ENTRY_LGUEST_CS 10
#define GDT_ENTRY_LGUEST_DS 11
#define GDT_ENTRY_KERNEL_CS 12
#define GDT_ENTRY_KERNEL_DS 13
#define GDT_ENTRY_DEFAULT_USER_CS 14
#define GDT_ENTRY_DEFAULT_USER_DS 15
#define GDT_ENTRY_TSS 16
#define GDT_ENTRY_DOUBLEFAULT_TSS 31
#define GUEST_KERNEL_CS ((GDT_ENTRY_KERNEL_CS * 8) | GUEST_PL)
#define GUEST_KERNEL_DS ((GDT_ENTRY_KERNEL_DS * 8) | GUEST_PL)

#define IDT_ENTRIES 256

/* EFLAGS bits the ABI talks about. */
#define X86_EFLAGS_FIXED 0x00000002u
#define X86_EFLAGS_TF 0x00000100u
#define X86_EFLAGS_IF 0x00000200u
#define X86_EFLAGS_IOPL 0x00003000u
#define X86_EFLAGS_NT 0x00004000u
#define X86_EFLAGS_RF 0x00010000u
#define X86_EFLAGS_VM 0x00020000u
#define X86_EFLAGS_AC 0x00040000u

/* Page-table entry bits (same in 2-level and PAE entries). */
#define PTE_PRESENT 0x001u
#define PTE_RW 0x002u
#define PTE_USER 0x004u
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_ACCESSED 0x020u
#define PTE_DIRTY 0x040u
#define PTE_PSE 0x080u
#define PTE_GLOBAL 0x100u
#define PTE_NX (1ull << 63)

/* Page-fault error code bits. */
#define PF_PROT 0x1u
#define PF_WRITE 0x2u
#define PF_USER 0x4u
#define PF_RSVD 0x8u
#define PF_INSTR 0x10u

struct lguest_hcall_args {
	uint32_t arg0, arg1, arg2, arg3, arg4;
};

struct lguest_timespec {
	int32_t tv_sec;
	int32_t tv_nsec;
};

/*
 * struct lguest_data: the page the Guest registers with LHCALL_LGUEST_INIT
 * (by guest-physical address) and that both sides then read and write.
 */
struct lguest_data {
	uint32_t irq_enabled;          /* Guest: 0x200 enabled, 0 disabled */
	uint32_t blocked_interrupts;   /* Guest: bitmap of masked IRQs */
	uint32_t cr2;                  /* Host: address of the last page fault */
	struct lguest_timespec time;   /* Host: wall-clock time */
	int32_t irq_pending;           /* Host: 0x200 when an IRQ waits */
	uint8_t hcall_status[LHCALL_RING_SIZE]; /* 0xFF done, 0 pending */
	struct lguest_hcall_args hcalls[LHCALL_RING_SIZE];
	uint32_t reserve_mem;          /* Host: top memory the Guest must avoid */
	uint32_t tsc_khz;              /* Host */
	uint32_t noirq_iret;           /* Guest: address of its iret */
	uint32_t kernel_address;       /* Guest: kernel mappings start here */
	uint32_t syscall_vec;          /* Guest: 0x80 */
};

#define LGUEST_DATA_OFFSET(field) __builtin_offsetof(struct lguest_data, field)
_Static_assert(LGUEST_DATA_OFFSET(time) == 12, "lguest_data.time");
_Static_assert(LGUEST_DATA_OFFSET(irq_pending) == 20, "lguest_data.irq_pending");
_Static_assert(LGUEST_DATA_OFFSET(hcall_status) == 24, "lguest_data.hcall_status");
_Static_assert(LGUEST_DATA_OFFSET(hcalls) == 88, "lguest_data.hcalls");
_Static_assert(LGUEST_DATA_OFFSET(reserve_mem) == 1368, "lguest_data.reserve_mem");
_Static_assert(LGUEST_DATA_OFFSET(syscall_vec) == 1384, "lguest_data.syscall_vec");
_Static_assert(sizeof(struct lguest_data) == 1388, "lguest_data size");

#endif
