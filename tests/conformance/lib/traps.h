/*
 * Traps, interrupts and system calls as the lguest Host delivers them: IDT
 * entries go to the Host with LHCALL_LOAD_IDT_ENTRY; every vector has a stub
 * (entry.S) that records the frame for the tests.
 */
#ifndef CONF_TRAPS_H
#define CONF_TRAPS_H

#include <stdint.h>
#include "hypercalls/lguest_abi.h"
#include "layout.h"

#define IDT_INTERRUPT_GATE 0xE
#define IDT_TRAP_GATE 0xF

/* What trap_common leaves on the stack; esp/ss only from user mode. */
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;
};

struct trap_record {
	uint32_t vector, error, eip, cs, eflags, esp, ss;
	uint32_t cr2;         /* lguest_data.cr2 when the handler ran */
	uint32_t irq_enabled; /* lguest_data.irq_enabled when the handler ran */
	uint32_t frame_top;   /* stack pointer before the Host pushed the frame */
	uint32_t from_user;
};

extern volatile struct trap_record trap_last; /* last exception */
extern volatile uint32_t trap_count;
extern volatile struct trap_record irq_last; /* last interrupt */
extern volatile uint32_t irq_count[LGUEST_IRQS];

/*
 * Arm before an instruction expected to trap in the kernel: the handler
 * records the trap and resumes at this address.  TRAP_ARM/TRAP_END wrap the
 * instruction in inline asm; output operand %0 receives its address.
 */
extern volatile uint32_t trap_resume_eip;
#define TRAP_ARM "movl $2f, trap_resume_eip\n\tmovl $1f, %0\n1:\t"
#define TRAP_END "\n2:\n\t"

/* A kernel read or write that may fault: returns 1 if it trapped (then
 * trap_last has the details); probe_eip is the accessing instruction. */
extern volatile uint32_t probe_eip;
int probe_read32(uint32_t va, uint32_t *value);
int probe_write32(uint32_t va, uint32_t value);
/* Calls code at va that returns with ret: 1 if the call trapped, else 0 and
 * *result = its %eax.  probe_eip is va, where a fetch fault points. */
int probe_exec(uint32_t va, uint32_t *result);

typedef void (*irq_handler_fn)(unsigned irq, struct trap_frame *f);
/* Returns nonzero when it handled the call (result in f->eax). */
typedef int (*syscall_hook_fn)(struct trap_frame *f);

void trap_init(void);
uint32_t trap_stub_addr(unsigned vector);
extern const char trap_stubs[], trap_stub_alt[];
void idt_set_gate(unsigned vector, uint32_t handler, unsigned type, unsigned dpl);
void idt_set_stub(unsigned vector, unsigned type, unsigned dpl);
void idt_clear(unsigned vector);
void irq_set_handler(unsigned irq, irq_handler_fn fn);
void syscall_set_hook(syscall_hook_fn fn);
void trap_dispatch(struct trap_frame *f);

/* Kernel stacks for traps from user mode (LHCALL_SET_STACK). */
extern uint8_t trap_stack_a[TRAP_STACK_SIZE], trap_stack_b[TRAP_STACK_SIZE];
uint32_t trap_stack_top(int which);
void kernel_stack_set(uint32_t top);
extern uint32_t kernel_stack_current;

/* The return path of entry.S and its no-interrupt iret. */
extern const char lg_iret[], lg_noirq_iret[];

#endif
