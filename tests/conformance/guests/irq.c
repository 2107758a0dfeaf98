/*
 * irq: virtual interrupts.  LHCALL_SET_CLOCKEVENT fires IRQ 0 once after
 * its delay (0 cancels); irq_enabled = 0 holds interrupts back and makes
 * the Host set irq_pending; SEND_INTERRUPTS delivers them; bits in
 * blocked_interrupts are respected; HALT sleeps until an interrupt; the
 * Host never delivers at lguest_data.noirq_iret; lguest_data.time moves.
 */
#include "runtime.h"

#define MS 1000000u /* nanoseconds */

static volatile uint32_t handler_eip, handler_esp_ok;

static void clock_handler(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	handler_eip = f->eip;
}

static void test_clock_event_fires_once(void)
{
	uint32_t before = irq_count[0], us;
	uint64_t t0;

	irq_enable();
	t0 = rdtsc();
	clock_event(5 * MS);
	WAIT_UNTIL(irq_count[0] != before, 2000000);
	us = since_us(t0);
	is_u32(irq_count[0] - before, 1, "SET_CLOCKEVENT(5 ms) raises IRQ 0");
	if (!ok(us >= 4500, "not before its delay"))
		diag("came after %u us", us);
	diag("IRQ 0 after %u us", us);
	ok(irq_last.vector == FIRST_EXTERNAL_VECTOR && irq_last.cs == SEL_KERNEL_CS && !irq_last.from_user,
	   "IRQ 0 arrives at vector 32 with the kernel's cs");
	ok(irq_last.eflags & X86_EFLAGS_IF, "its frame's eflags has IF");
	is_u32(irq_last.irq_enabled, 0, "its interrupt gate cleared irq_enabled");
	ok(lguest_data.irq_enabled & X86_EFLAGS_IF, "and returning re-enabled interrupts");
	delay_us(20000);
	is_u32(irq_count[0] - before, 1, "the clock event is one-shot: no second IRQ 0");
}

static void test_clock_event_cancel(void)
{
	uint32_t before = irq_count[0], us;
	uint64_t t0;

	irq_enable();
	clock_event(3 * MS);
	clock_event(0);
	delay_us(30000);
	is_u32(irq_count[0] - before, 0, "SET_CLOCKEVENT(0) cancels a pending clock event");

	t0 = rdtsc();
	clock_event(60 * MS);
	clock_event(2 * MS);
	WAIT_UNTIL(irq_count[0] != before, 2000000);
	us = since_us(t0);
	if (!ok(irq_count[0] - before == 1 && us < 50000, "a new SET_CLOCKEVENT replaces the old one (fires at the new time)"))
		diag("%u interrupts, the first after %u us", irq_count[0] - before, us);
	while (since_us(t0) < 150000)
		barrier();
	is_u32(irq_count[0] - before, 1, "and the replaced one never fires");
	clock_event(0);
}

static void test_deferred_and_send(void)
{
	uint32_t before = irq_count[0], after_hcall;

	irq_disable();
	clock_event(1 * MS);
	WAIT_UNTIL(lguest_data.irq_pending != 0, 2000000);
	is_u32(irq_count[0] - before, 0, "with irq_enabled = 0 the clock interrupt is held back");
	is_u32(lguest_data.irq_pending, X86_EFLAGS_IF, "and the Host sets irq_pending to X86_EFLAGS_IF");

	lguest_data.irq_enabled = X86_EFLAGS_IF;
	irq_set_handler(0, clock_handler);
	asm volatile("int $0x1f\n1:\n\tmovl $1b, %0" : "=r"(after_hcall) : "a"(LHCALL_SEND_INTERRUPTS) : "memory");
	irq_set_handler(0, NULL);
	is_u32(irq_count[0] - before, 1, "LHCALL_SEND_INTERRUPTS delivers it");
	is_u32(handler_eip, after_hcall, "during the hypercall: the frame's eip is right after the int $0x1f");
	is_u32(lguest_data.irq_pending, 0, "and irq_pending is 0 again");
}

static void test_blocked(void)
{
	uint32_t before = irq_count[0];

	irq_enable();
	lguest_data.blocked_interrupts = 1; /* IRQ 0 */
	clock_event(1 * MS);
	delay_us(100000);
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	is_u32(irq_count[0] - before, 0, "an IRQ set in blocked_interrupts is not delivered");
	lguest_data.blocked_interrupts = 0;
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	WAIT_UNTIL(irq_count[0] != before, 1000000);
	is_u32(irq_count[0] - before, 1, "unblocked, it is delivered (SEND_INTERRUPTS)");
}

static void test_halt(void)
{
	uint32_t before = irq_count[0], us;
	uint64_t t0;

	/* Like Linux's idle loop: interrupts off, then HALT. */
	irq_disable();
	t0 = rdtsc();
	clock_event(10 * MS);
	halt();
	us = since_us(t0);
	is_u32(irq_count[0] - before, 1, "HALT returns after the timer interrupt was delivered");
	if (!ok(us >= 9000, "HALT slept until the clock event"))
		diag("woke after %u us", us);
	ok(lguest_data.irq_enabled & X86_EFLAGS_IF, "the Host re-enabled interrupts to wake the HALT");
	diag("tsc_khz %u: 10 ms clock event took %u us by the TSC", tsc_khz(), us);
	ok(us < 2000000, "the TSC agrees with tsc_khz (10 ms sleep measured below 2 s)");
}

/*
 * Return through lg_iret with an interrupt pending: the Host must not
 * deliver it at lg_noirq_iret (it would nest a frame on one being popped);
 * the handler's frame must be the one the iret returns to.
 */
static void test_noirq_iret(void)
{
	uint32_t before = irq_count[0], target, esp_before, esp_in_handler;

	irq_disable();
	clock_event(1 * MS);
	WAIT_UNTIL(lguest_data.irq_pending != 0, 2000000);
	irq_set_handler(0, clock_handler);
	asm volatile("movl %%esp, %1\n\t"
		     "pushfl\n\t"
		     "orl %3, (%%esp)\n\t"
		     "pushl %%cs\n\t"
		     "pushl $1f\n\t"
		     "jmp lg_iret\n"
		     "1:\tmovl $1b, %0\n\t"
		     "movl %%esp, %2"
		     : "=r"(target), "=&r"(esp_before), "=r"(esp_in_handler)
		     : "i"(X86_EFLAGS_IF)
		     : "memory", "cc");
	/* Where the Host only looks at exits, deliver it now. */
	if (irq_count[0] == before && lguest_data.irq_pending)
		hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	irq_set_handler(0, NULL);
	is_u32(irq_count[0] - before, 1, "the pending interrupt comes after the iret");
	ok(handler_eip != (uint32_t)lg_noirq_iret, "never at lguest_data.noirq_iret");
	diag("delivered at %#x (iret target %#x, noirq_iret %#x)", handler_eip, target, (uint32_t)lg_noirq_iret);
	is_u32(esp_in_handler, esp_before, "the stack is balanced: no frame was left behind");
}

static void test_time(void)
{
	int32_t s = lguest_data.time.tv_sec, ns = lguest_data.time.tv_nsec;

	ok(s > boot_time.tv_sec || (s == boot_time.tv_sec && ns > boot_time.tv_nsec),
	   "lguest_data.time has moved on since LGUEST_INIT (updated on interrupt delivery)");
	diag("time %d.%09d, at boot %d.%09d", s, ns, boot_time.tv_sec, boot_time.tv_nsec);
}

void guest_main(void)
{
	diag("conformance guest: irq");
	test_clock_event_fires_once();
	test_clock_event_cancel();
	test_deferred_and_send();
	test_blocked();
	test_halt();
	test_noirq_iret();
	test_time();
	tap_done();
}
