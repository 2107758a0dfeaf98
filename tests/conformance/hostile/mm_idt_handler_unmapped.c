/*
 * hostile: the #UD gate points to an unmapped kernel address.  The Host
 * delivers #UD as the gate says (it cannot know), the fetch at the handler
 * faults, and the guest's page-fault handler sees a #PF whose eip and cr2
 * are the bogus handler, with the #UD frame already pushed below.  lguest
 * did the same: deliver_trap() pushed the frame and set eip, and the
 * fetch's #PF went to the guest (demand_page found nothing to map).
 */
#include "runtime.h"

#define NOWHERE (KWIN_BASE + 0x300000) /* a kernel window page never mapped */

static volatile uint32_t saved_esp, ud_frame[2];

void guest_main(void)
{
	uint32_t at;

	kprintf("expect-survive: ^#UD gate to an unmapped handler: the guest sees #PF at it$\n");
	idt_set_gate(6, NOWHERE, IDT_INTERRUPT_GATE, 0);
	asm volatile("movl %%esp, saved_esp\n\t"
		     "movl $2f, trap_resume_eip\n\t"
		     "movl $1f, %0\n"
		     "1:\tud2\n"
		     "2:\tmovl saved_esp, %%esp\n\t"
		     "movl -12(%%esp), %%eax\n\t" /* the #UD frame, before a call reuses the stack */
		     "movl %%eax, ud_frame\n\t"
		     "movl -8(%%esp), %%eax\n\t"
		     "movl %%eax, ud_frame + 4"
		     : "=&r"(at)
		     :
		     : "eax", "memory");
	idt_set_stub(6, IDT_INTERRUPT_GATE, 0);

	ok(trap_last.vector == 14 && trap_last.eip == NOWHERE && trap_last.cr2 == NOWHERE &&
		   trap_last.cs == SEL_KERNEL_CS && trap_last.error == 0,
	   "#PF (not present, kernel read) with eip = cr2 = the handler address");
	ok(trap_last.frame_top == saved_esp - 12, "pushed right below the #UD frame");
	ok(ud_frame[0] == at && (ud_frame[1] & 0xFFFF) == SEL_KERNEL_CS, "which holds the ud2's eip and cs");
	diag("#PF eip %#x cr2 %#x error %#x", trap_last.eip, trap_last.cr2, trap_last.error);

	if (!tap_failures())
		kprintf("#UD gate to an unmapped handler: the guest sees #PF at it\n");
	power_off();
}
