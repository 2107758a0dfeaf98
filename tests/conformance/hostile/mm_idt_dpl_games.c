/*
 * hostile: software interrupts against gates whose DPL forbids them.  An
 * `int n`, int3 or into through a gate with DPL below the caller's CPL is
 * a #GP with error n*8+2 at the instruction, from the kernel (CPL 1) as
 * from user mode, whichever encoding (int3 is 0xcc, `int $3` is 0xcd 03).
 * lguest had the same outcome: direct traps carried the guest's DPL into
 * the real IDT, and other vectors were DPL 0 there.  And a kernel `int
 * $0x80` (a DPL 3 gate) stays on the kernel stack, not SET_STACK's.
 */
#include "runtime.h"

USER_DATA volatile uint32_t u_eip;

USER_TEXT uint32_t u_int3_short(void)
{
	asm volatile("movl $1f, u_eip\n1:\t.byte 0xcc" : : : "memory");
	return 0;
}

USER_TEXT uint32_t u_int3_long(void)
{
	asm volatile("movl $1f, u_eip\n1:\t.byte 0xcd, 0x03" : : : "memory");
	return 0;
}

USER_TEXT uint32_t u_into(uint32_t overflow)
{
	/* 0x7fffffff + 1 overflows: OF set. */
	asm volatile("addl %0, %1\n\tmovl $1f, u_eip\n1:\tinto" : : "r"(overflow), "r"(0x7fffffff) : "memory", "cc");
	return 0x1234;
}

/* Called after user_call(): u_eip is the instruction's address. */
static void check_gp(const char *what, uint32_t code, uint32_t vector)
{
	uint32_t eip = USER_READ(u_eip);

	if (!okf(code == (USER_TRAPPED | 13) && trap_last.error == vector * 8 + 2 && trap_last.eip == eip,
		 "%s: #GP(%#x) at the instruction", what, vector * 8 + 2))
		diag("code %#x error %#x eip %#x (expected %#x)", code, trap_last.error, trap_last.eip, eip);
}

void guest_main(void)
{
	uint32_t n, at, esp, code;

	kprintf("expect-survive: ^software interrupts against low-DPL gates: #GP each time$\n");
	user_init();

	idt_set_stub(0x41, IDT_INTERRUPT_GATE, 0);
	n = trap_count;
	asm volatile(TRAP_ARM "int $0x41" TRAP_END : "=&r"(at) : : "memory");
	ok(trap_count == n + 1 && trap_last.vector == 13 && trap_last.error == (0x41 << 3 | 2) && trap_last.eip == at,
	   "kernel int $0x41 through a DPL 0 gate: #GP(0x20a) at the int");
	idt_clear(0x41);

	idt_set_stub(3, IDT_INTERRUPT_GATE, 0);
	check_gp("user int3 (0xcc) through a DPL 0 gate", user_call(u_int3_short, 0, 0, 0), 3);
	check_gp("user int $3 (0xcd 03) through a DPL 0 gate", user_call(u_int3_long, 0, 0, 0), 3);
	idt_set_stub(3, IDT_INTERRUPT_GATE, 3);
	code = user_call(u_int3_long, 0, 0, 0);
	ok(code == (USER_TRAPPED | 3) && trap_last.eip == USER_READ(u_eip) + 2,
	   "through a DPL 3 gate, int $3 (0xcd 03) is #BP after its two bytes");

	idt_set_stub(4, IDT_INTERRUPT_GATE, 0);
	is_u32(user_call(u_into, 0, 0, 0), 0x1234, "into without overflow does nothing");
	check_gp("user into with overflow through a DPL 0 gate", user_call(u_into, 1, 0, 0), 4);
	idt_set_stub(4, IDT_INTERRUPT_GATE, 3);

	n = syscall_last.count;
	asm volatile("movl %%esp, %0\n\tint $0x80" : "=&r"(esp) : "a"(SYS_ECHO), "b"(1) : "memory");
	ok(syscall_last.count == n + 1 && syscall_last.frame_top == esp && syscall_last.cs == SEL_KERNEL_CS,
	   "kernel int $0x80 (DPL 3 gate): the frame is on the current stack, not SET_STACK's");
	diag("frame top %#x, esp %#x, SET_STACK %#x", syscall_last.frame_top, esp, kernel_stack_current);

	if (!tap_failures())
		kprintf("software interrupts against low-DPL gates: #GP each time\n");
	power_off();
}
