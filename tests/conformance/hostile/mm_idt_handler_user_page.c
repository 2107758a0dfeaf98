/*
 * hostile: the breakpoint gate (DPL 3, as Linux has it) with its handler
 * in a user page.  The Host always runs a handler with the kernel's code
 * segment at privilege 1 (lguest replaced the gate's selector with
 * __KERNEL_CS|GUEST_PL), so a handler in user memory runs as kernel code:
 * after an int3 in the kernel and one in user mode alike, the handler sees
 * CS 0x61, and the user's frame is on the SET_STACK stack.  No i386
 * guest-visible rule keeps ring 1 from fetching a user page (lgkvm runs
 * without SMEP).
 */
#include "runtime.h"

#define VEC 3

USER_DATA volatile uint32_t u_cs, u_frame_cs, u_frame_esp;

/* Record our CS and the interrupted CS (and esp, if from user), return 0x600d. */
asm(".pushsection .user.text, \"ax\"\n"
    "u_gate_handler:\n\t"
    "movl %cs, %eax\n\t"
    "movl %eax, u_cs\n\t"
    "movl 4(%esp), %eax\n\t"
    "movl %eax, u_frame_cs\n\t"
    "movl 12(%esp), %eax\n\t"
    "movl %eax, u_frame_esp\n\t"
    "movl $0x600d, %eax\n\t"
    "iret\n"
    ".popsection");
extern const char u_gate_handler[];

USER_TEXT uint32_t u_int3(void)
{
	uint32_t r = 0;

	asm volatile("int3" : "+a"(r) : : "memory");
	return r;
}

void guest_main(void)
{
	uint32_t r = 0;

	kprintf("expect-survive: ^gate handlers in user pages run at CPL 1$\n");
	user_init();
	idt_set_gate(VEC, (uint32_t)u_gate_handler, IDT_INTERRUPT_GATE, 3);

	asm volatile("int3" : "+a"(r) : : "memory");
	ok(r == 0x600d && USER_READ(u_cs) == SEL_KERNEL_CS && USER_READ(u_frame_cs) == SEL_KERNEL_CS,
	   "kernel int3: the user-page handler runs with CS 0x61 and returns");

	r = user_call(u_int3, 0, 0, 0);
	ok(r == 0x600d && USER_READ(u_cs) == SEL_KERNEL_CS && USER_READ(u_frame_cs) == SEL_USER_CS &&
		   USER_READ(u_frame_esp) < USER_STACK_TOP && USER_READ(u_frame_esp) >= USER_STACK_TOP - PAGE_SIZE,
	   "user int3: still CS 0x61, with the user's cs and esp in the frame");
	diag("cs %#x frame cs %#x esp %#x result %#x", USER_READ(u_cs), USER_READ(u_frame_cs),
	     USER_READ(u_frame_esp), r);

	idt_set_stub(VEC, IDT_INTERRUPT_GATE, 3);
	if (!tap_failures())
		kprintf("gate handlers in user pages run at CPL 1\n");
	power_off();
}
