/*
 * usermode: CPL 3 entered with iret, system calls through int $0x80 on the
 * kernel stack given by LHCALL_SET_STACK, and traps from user mode with
 * the full frame (esp and ss included).  Also what user mode must not do:
 * hypercalls, port I/O, cli, kernel memory, kernel selectors, int to a
 * gate whose DPL is below 3.
 */
#include "runtime.h"

USER_DATA volatile uint32_t u_esp, u_eip, u_regs[6];

USER_TEXT uint32_t u_get_cs(void)
{
	uint32_t cs = 0;

	asm volatile("movw %%cs, %w0" : "+r"(cs));
	return cs;
}

USER_TEXT uint32_t u_get_ss(void)
{
	uint32_t ss = 0;

	asm volatile("movw %%ss, %w0" : "+r"(ss));
	return ss;
}

USER_TEXT uint32_t u_echo(uint32_t arg)
{
	uint32_t r = SYS_ECHO;

	asm volatile("movl %%esp, u_esp\n\tmovl $1f, u_eip\n\tint $0x80\n1:" : "+a"(r) : "b"(arg) : "memory");
	return r;
}

/* All registers but %eax must survive a system call. */
USER_TEXT uint32_t u_syscall_regs(void)
{
	asm volatile("pushl %%ebp\n\t"
		     "movl $0xA1A1A1A1, %%ebx\n\t"
		     "movl $0xB2B2B2B2, %%ecx\n\t"
		     "movl $0xC3C3C3C3, %%edx\n\t"
		     "movl $0xD4D4D4D4, %%esi\n\t"
		     "movl $0xE5E5E5E5, %%edi\n\t"
		     "movl $0xF6F6F6F6, %%ebp\n\t"
		     "movl %0, %%eax\n\t"
		     "int $0x80\n\t"
		     "movl %%ebx, u_regs\n\t"
		     "movl %%ecx, u_regs + 4\n\t"
		     "movl %%edx, u_regs + 8\n\t"
		     "movl %%esi, u_regs + 12\n\t"
		     "movl %%edi, u_regs + 16\n\t"
		     "movl %%ebp, u_regs + 20\n\t"
		     "popl %%ebp"
		     :
		     : "i"(SYS_ECHO)
		     : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
	return 0;
}

USER_TEXT uint32_t u_read(uint32_t addr)
{
	uint32_t v;

	asm volatile("movl %%esp, u_esp\n\tmovl $1f, u_eip\n1:\tmovl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

USER_TEXT uint32_t u_load_gs(uint32_t sel)
{
	asm volatile("movl $1f, u_eip\n1:\tmovl %0, %%gs" : : "r"(sel) : "memory");
	return 0;
}

USER_TEXT uint32_t u_int3(void)
{
	asm volatile("movl $1f, u_eip\n\tint3\n1:" : : : "memory");
	return 0;
}

USER_TEXT uint32_t u_int40(void)
{
	asm volatile("movl $1f, u_eip\n1:\tint $0x40" : : : "memory");
	return 0;
}

USER_TEXT uint32_t u_ud2(void)
{
	asm volatile("movl $1f, u_eip\n1:\tud2" : : : "memory");
	return 0;
}

USER_TEXT uint32_t u_hypercall(void)
{
	asm volatile("movl $1f, u_eip\n1:\tint $0x1f" : : "a"(LHCALL_FLUSH_ASYNC) : "memory");
	return 0;
}

USER_TEXT uint32_t u_cli(void)
{
	asm volatile("movl $1f, u_eip\n1:\tcli" : : : "memory");
	return 0;
}

USER_TEXT uint32_t u_inb(void)
{
	uint8_t v;

	asm volatile("movl $1f, u_eip\n1:\tinb $0x80, %0" : "=a"(v) : : "memory");
	return v;
}

USER_DATA volatile uint32_t u_ticked;

/* Spin at CPL 3 until the clock handler says so, or the TSC passes the deadline. */
USER_TEXT uint32_t u_spin_until(uint32_t lo, uint32_t hi)
{
	uint64_t end = ((uint64_t)hi << 32) | lo, now;
	uint32_t a, d;

	do {
		asm volatile("rdtsc" : "=a"(a), "=d"(d));
		now = ((uint64_t)d << 32) | a;
	} while (!u_ticked && now < end);
	return 0;
}

static void tick_handler(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	(void)f;
	USER_READ(u_ticked) = 1;
}

static void test_enter_and_exit(void)
{
	is_u32(user_call(u_get_cs, 0, 0, 0), SEL_USER_CS, "iret to CPL 3 runs user code with CS = 0x73");
	is_u32(user_call(u_get_ss, 0, 0, 0), SEL_USER_DS, "and SS = 0x7b");
	is_u32(user_call(u_echo, 41, 0, 0), 42, "a system call from user mode returns its result in %eax");
}

static void test_syscall_frame(void)
{
	uint32_t before = syscall_last.count;
	int good;

	user_call(u_echo, 1, 0, 0);
	good = syscall_last.count == before + 1 && syscall_last.cs == SEL_USER_CS &&
	       syscall_last.ss == SEL_USER_DS && syscall_last.eip == USER_READ(u_eip) &&
	       syscall_last.esp == USER_READ(u_esp);
	if (!ok(good, "int $0x80 frame: user eip after the int, cs 0x73, user esp, ss 0x7b"))
		diag("eip %#x (user %#x) cs %#x esp %#x (user %#x) ss %#x", syscall_last.eip, USER_READ(u_eip),
		     syscall_last.cs, syscall_last.esp, USER_READ(u_esp), syscall_last.ss);
	ok(syscall_last.eflags & X86_EFLAGS_IF, "the frame's eflags has IF (user mode runs with interrupts on)");
	is_u32(syscall_last.frame_top, kernel_stack_current, "the frame is at the top of the SET_STACK stack");

	kernel_stack_set(trap_stack_top(1));
	user_call(u_echo, 1, 0, 0);
	is_u32(syscall_last.frame_top, trap_stack_top(1), "after SET_STACK to another stack, the next frame is there");
	kernel_stack_set(trap_stack_top(0));
	user_call(u_echo, 1, 0, 0);
	is_u32(syscall_last.frame_top, trap_stack_top(0), "and SET_STACK back moves it back");

	user_call(u_syscall_regs, 0, 0, 0);
	ok(USER_READ(u_regs[0]) == 0xA1A1A1A1 && USER_READ(u_regs[1]) == 0xB2B2B2B2 &&
		   USER_READ(u_regs[2]) == 0xC3C3C3C3 && USER_READ(u_regs[3]) == 0xD4D4D4D4 &&
		   USER_READ(u_regs[4]) == 0xE5E5E5E5 && USER_READ(u_regs[5]) == 0xF6F6F6F6,
	   "user registers other than %eax survive a system call");
}

/* Where the kernel stack is not in the shadow page tables yet, or is clean
 * (its PTE has no Dirty bit, so the shadow maps it read-only), the frame
 * still lands there, and the Host marks the page Accessed and Dirty as for
 * any write of the guest's. */
#define FRESH_STACK_VA (USER_TEST_BASE + 0x200000)

static void test_syscall_onto_unmapped_and_clean_stacks(void)
{
	uint32_t pa[2] = { page_alloc_phys(), page_alloc_phys() };
	uint32_t top = FRESH_STACK_VA + 2 * PAGE_SIZE;
	volatile pte_t *pte;

	kernel_stack_set(trap_stack_top(1));
	tlb_flush_all(); /* LHCALL_FLUSH_TLB 1: the kernel stack leaves the shadow */
	user_call(u_echo, 1, 0, 0);
	is_u32(syscall_last.frame_top, trap_stack_top(1),
	       "a system call right after FLUSH_TLB(1) (kernel stack not shadowed) lands on the SET_STACK stack");
	is_u32(syscall_last.eip, USER_READ(u_eip), "with the user eip after the int");

	/* Two kernel-only pages, present and writable but neither Accessed nor Dirty. */
	pte_set(pgdir_current, FRESH_STACK_VA, pa[0] | PTE_PRESENT | PTE_RW);
	pte_set(pgdir_current, FRESH_STACK_VA + PAGE_SIZE, pa[1] | PTE_PRESENT | PTE_RW);
	kernel_stack_set(top);
	is_u32(user_call(u_echo, 9, 0, 0), 10, "a system call onto a stack whose PTEs are clean and not accessed works");
	is_u32(syscall_last.frame_top, top, "its frame is at the top of that stack");
	pte = pte_ptr(pgdir_current, FRESH_STACK_VA + PAGE_SIZE);
	ok(pte && (*pte & (PTE_ACCESSED | PTE_DIRTY)) == (PTE_ACCESSED | PTE_DIRTY),
	   "and the frame's page is now Accessed and Dirty");
	kernel_stack_set(trap_stack_top(0));
}

static void test_syscall_gates(void)
{
	user_call(u_echo, 1, 0, 0);
	is_u32(syscall_last.irq_enabled, 0, "a system call through an interrupt gate runs with irq_enabled = 0");
	idt_set_stub(IA32_SYSCALL_VECTOR, IDT_TRAP_GATE, 3);
	is_u32(user_call(u_echo, 7, 0, 0), 8, "a system call through a trap gate (pre-4.6 Linux) works too");
	is_u32(syscall_last.irq_enabled & X86_EFLAGS_IF, X86_EFLAGS_IF, "and leaves irq_enabled set");
	idt_set_stub(IA32_SYSCALL_VECTOR, IDT_INTERRUPT_GATE, 3);
}

/* A trap at CPL 3: the handler sees the user frame on the SET_STACK stack. */
static void check_user_trap(const char *what, uint32_t code, uint32_t vector, uint32_t error, uint32_t eip)
{
	int good = code == (USER_TRAPPED | vector) && trap_last.from_user && trap_last.error == error &&
		   trap_last.eip == eip && trap_last.cs == SEL_USER_CS && trap_last.ss == SEL_USER_DS &&
		   trap_last.frame_top == kernel_stack_current;

	if (!okf(good, "%s: vector %u, error %#x, user eip/cs/esp/ss, on the SET_STACK stack", what, vector, error))
		diag("code %#x vector %u error %#x eip %#x (expected %#x) cs %#x ss %#x esp %#x frame_top %#x", code,
		     trap_last.vector, trap_last.error, trap_last.eip, eip, trap_last.cs, trap_last.ss, trap_last.esp,
		     trap_last.frame_top);
}

static void test_user_traps(void)
{
	uint32_t code, kaddr = (uint32_t)&lguest_data;

	code = user_call(u_read, kaddr, 0, 0);
	check_user_trap("user read of a kernel page (#PF)", code, 14, PF_USER | PF_PROT, USER_READ(u_eip));
	is_u32(trap_last.cr2, kaddr, "the user #PF sets lguest_data.cr2 to the address");
	is_u32(trap_last.esp, USER_READ(u_esp), "the user #PF frame holds the user %esp");

	code = user_call(u_load_gs, SEL_KERNEL_DS, 0, 0);
	check_user_trap("user load of the kernel DS selector (#GP)", code, 13, SEL_KERNEL_DS & ~3, USER_READ(u_eip));

	code = user_call(u_ud2, 0, 0, 0);
	check_user_trap("user ud2 (#UD)", code, 6, 0, USER_READ(u_eip));

	code = user_call(u_int3, 0, 0, 0);
	check_user_trap("user int3 through a DPL 3 gate (#BP)", code, 3, 0, USER_READ(u_eip));

	idt_set_stub(0x40, IDT_INTERRUPT_GATE, 1);
	code = user_call(u_int40, 0, 0, 0);
	check_user_trap("user int $0x40 through a DPL 1 gate (#GP(0x40 << 3 | 2))", code, 13, (0x40 << 3) | 2,
			USER_READ(u_eip));
	idt_clear(0x40);
}

static void test_user_may_not(void)
{
	uint32_t code;

	code = user_call(u_hypercall, 0, 0, 0);
	check_user_trap("user mode cannot make hypercalls: int $0x1f (#GP(0x1f << 3 | 2))", code, 13,
			(LGUEST_TRAP_ENTRY << 3) | 2, USER_READ(u_eip));
	code = user_call(u_cli, 0, 0, 0);
	check_user_trap("user cli (#GP(0))", code, 13, 0, USER_READ(u_eip));
	code = user_call(u_inb, 0, 0, 0);
	check_user_trap("user port I/O (#GP(0))", code, 13, 0, USER_READ(u_eip));
}

static void test_interrupt_in_user_mode(void)
{
	uint64_t end;
	uint32_t before = irq_count[0];

	irq_set_handler(0, tick_handler);
	clock_event(10000000); /* 10 ms */
	end = rdtsc() + us_to_tsc(2000000);
	user_call(u_spin_until, (uint32_t)end, (uint32_t)(end >> 32), 0);
	irq_set_handler(0, NULL);
	ok(irq_count[0] == before + 1, "a timer interrupt arrives while in user mode");
	ok(irq_last.from_user && irq_last.cs == SEL_USER_CS && irq_last.ss == SEL_USER_DS,
	   "its frame is the user's (cs 0x73, ss 0x7b, esp)");
	is_u32(irq_last.frame_top, kernel_stack_current, "and it is on the SET_STACK stack");
}

void guest_main(void)
{
	diag("conformance guest: usermode");
	user_init();
	irq_enable();
	test_enter_and_exit();
	test_syscall_frame();
	test_syscall_onto_unmapped_and_clean_stacks();
	test_syscall_gates();
	test_user_traps();
	test_user_may_not();
	test_interrupt_in_user_mode();
	tap_done();
}
