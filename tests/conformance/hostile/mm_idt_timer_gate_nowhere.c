/*
 * hostile: the timer's interrupt gate (vector 0x20) points to an unmapped
 * address, and the clock fires with interrupts on.  The Host delivers IRQ
 * 0 as the gate says; the fetch at the handler faults, and what the guest
 * sees is a page fault at the bogus handler, with the interrupt frame
 * below it and interrupts off (the gate was an interrupt gate).  lguest
 * delivered the same way and reflected the fetch's #PF.  The IRQ is not
 * delivered twice.
 */
#include "runtime.h"

#define NOWHERE (KWIN_BASE + 0x300000)

static volatile uint32_t saved_esp, irq_frame[2];

void guest_main(void)
{
	uint32_t irqs = irq_count[0], n = trap_count;

	kprintf("expect-survive: ^timer gate to nowhere: the guest sees #PF at it, once$\n");
	idt_set_gate(FIRST_EXTERNAL_VECTOR, NOWHERE, IDT_INTERRUPT_GATE, 0);
	clock_event(1000);
	/* Interrupts on, ask for what is pending, spin: the #PF handler resumes at 2. */
	asm volatile("movl %%esp, saved_esp\n\t"
		     "movl $2f, trap_resume_eip\n\t"
		     "movl $0x200, lguest_data\n\t"
		     "movl %0, %%eax\n\t"
		     "int $0x1f\n\t"
		     "movl $3000000, %%ecx\n"
		     "1:\tdecl %%ecx\n\t"
		     "jnz 1b\n"
		     "2:\tmovl saved_esp, %%esp\n\t"
		     "movl -8(%%esp), %%eax\n\t"
		     "movl %%eax, irq_frame\n\t"
		     "movl -4(%%esp), %%eax\n\t"
		     "movl %%eax, irq_frame + 4"
		     :
		     : "i"(LHCALL_SEND_INTERRUPTS)
		     : "eax", "ebx", "ecx", "edx", "esi", "memory", "cc");
	trap_resume_eip = 0;

	ok(trap_count == n + 1 && trap_last.vector == 14 && trap_last.eip == NOWHERE && trap_last.cr2 == NOWHERE,
	   "the interrupt's handler fetch faults: #PF with eip = cr2 = the gate's address");
	ok((irq_frame[0] & 0xFFFF) == SEL_KERNEL_CS && (irq_frame[1] & X86_EFLAGS_IF),
	   "below it the interrupt frame: cs 0x61, eflags with IF");
	is_u32(lguest_data.irq_enabled, 0, "the interrupt gate turned interrupts off");
	is_u32(irq_count[0], irqs, "no handler of the guest's saw IRQ 0");

	idt_set_stub(FIRST_EXTERNAL_VECTOR, IDT_INTERRUPT_GATE, 0);
	irq_enable();
	delay_us(20000);
	is_u32(irq_count[0], irqs, "and it is not delivered again");
	irq_disable();

	if (!tap_failures())
		kprintf("timer gate to nowhere: the guest sees #PF at it, once\n");
	power_off();
}
