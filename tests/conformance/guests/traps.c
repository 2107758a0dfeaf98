/*
 * traps: exceptions in the guest kernel reach the handlers registered with
 * LHCALL_LOAD_IDT_ENTRY, with the frame the hardware would push (eip,
 * cs, eflags; the error code for #GP), and lguest's rules for gates:
 * an interrupt gate clears lguest_data.irq_enabled, a trap gate does not,
 * and the pushed eflags.IF says whether virtual interrupts were on.
 */
#include "runtime.h"

/* One ok() for a whole frame; on failure a diagnostic shows the frame. */
static void check_trap(const char *what, uint32_t count_before, uint32_t vector, uint32_t error, uint32_t eip)
{
	int good = trap_count == count_before + 1 && trap_last.vector == vector && trap_last.error == error &&
		   trap_last.eip == eip && trap_last.cs == SEL_KERNEL_CS && !trap_last.from_user;

	if (!okf(good, "%s: handler gets vector %u, error %#x, its eip, cs 0x61", what, vector, error))
		diag("traps %u -> %u: vector %u error %#x eip %#x (expected %#x) cs %#x", count_before, trap_count,
		     trap_last.vector, trap_last.error, trap_last.eip, eip, trap_last.cs);
}

static uint32_t do_ud2(void)
{
	uint32_t at;

	asm volatile(TRAP_ARM "ud2" TRAP_END : "=&r"(at) : : "memory");
	return at;
}

static void test_divide_error(void)
{
	uint32_t n = trap_count, at, eax = 1, edx = 0;

	asm volatile(TRAP_ARM "divl %3" TRAP_END : "=&r"(at), "+a"(eax), "+d"(edx) : "r"(0u) : "memory", "cc");
	check_trap("divide by zero (#DE)", n, 0, 0, at);
}

static void test_invalid_opcode(void)
{
	uint32_t n = trap_count, at = do_ud2();

	check_trap("ud2 (#UD)", n, 6, 0, at);
}

static void test_breakpoint(void)
{
	uint32_t n = trap_count, at;

	asm volatile(TRAP_ARM "int3" TRAP_END : "=&r"(at) : : "memory");
	/* int3 is a trap: the frame points after it. */
	check_trap("int3 (#BP, a trap)", n, 3, 0, at + 1);
}

static void test_general_protection(void)
{
	uint32_t n = trap_count, at;

	/* Selector 4 names the LDT, and lguest guests have none. */
	asm volatile(TRAP_ARM "movl %1, %%fs" TRAP_END : "=&r"(at) : "r"(4u) : "memory");
	check_trap("loading an LDT selector (#GP with the selector)", n, 13, 4, at);

	n = trap_count;
	asm volatile(TRAP_ARM "movl %%cr0, %%eax" TRAP_END : "=&r"(at) : : "eax", "memory");
	check_trap("reading %cr0 at CPL 1 (#GP(0), not an I/O instruction)", n, 13, 0, at);
}

static void test_frame_stack(void)
{
	uint32_t at, esp;

	asm volatile("movl %%esp, %1\n\t" TRAP_ARM "ud2" TRAP_END : "=&r"(at), "=&r"(esp) : : "memory");
	is_u32(trap_last.frame_top, esp, "a kernel-mode trap pushes its frame on the current stack, right below %esp");
}

/* lguest: the pushed eflags.IF copies irq_enabled; type 0xE clears it. */
static void test_gates_and_irq_enabled(void)
{
	irq_enable();
	do_ud2();
	ok(trap_last.eflags & X86_EFLAGS_IF, "with irq_enabled set, the trap frame's eflags has IF");
	is_u32(trap_last.irq_enabled, 0, "an interrupt gate clears lguest_data.irq_enabled");
	ok(lguest_data.irq_enabled & X86_EFLAGS_IF, "iret through the frame re-enables interrupts");

	idt_set_stub(6, IDT_TRAP_GATE, 0);
	do_ud2();
	is_u32(trap_last.irq_enabled & X86_EFLAGS_IF, X86_EFLAGS_IF, "a trap gate leaves lguest_data.irq_enabled set");
	idt_set_stub(6, IDT_INTERRUPT_GATE, 0);

	irq_disable();
	do_ud2();
	ok(!(trap_last.eflags & X86_EFLAGS_IF), "with irq_enabled clear, the trap frame's eflags has no IF");
	is_u32(lguest_data.irq_enabled, 0, "and interrupts stay off after the iret");
	irq_enable();
}

static void test_idt_reload(void)
{
	uint32_t n = trap_count;

	idt_set_gate(6, (uint32_t)trap_stub_alt, IDT_INTERRUPT_GATE, 0);
	do_ud2();
	is_u32(trap_last.vector, TRAP_ALT_VECTOR, "a reloaded IDT entry takes effect at the next trap");
	idt_set_stub(6, IDT_INTERRUPT_GATE, 0);
	do_ud2();
	ok(trap_last.vector == 6 && trap_count == n + 2, "and reloading the old entry restores it");
}

static void test_kernel_syscall(void)
{
	uint32_t before = syscall_last.count, r = SYS_ECHO;

	asm volatile("int $0x80" : "+a"(r) : "b"(41u) : "memory");
	ok(syscall_last.count == before + 1 && syscall_last.cs == SEL_KERNEL_CS,
	   "int $0x80 from the kernel reaches the system call gate");
	is_u32(r, 42, "and its handler's %eax comes back");
}

void guest_main(void)
{
	diag("conformance guest: traps");
	test_divide_error();
	test_invalid_opcode();
	test_breakpoint();
	test_general_protection();
	test_frame_stack();
	test_gates_and_irq_enabled();
	test_idt_reload();
	test_kernel_syscall();
	tap_done();
}
