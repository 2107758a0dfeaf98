/*
 * hostile: an interrupt storm while the guest runs user code.  The IRQ 0
 * handler re-arms a 1 ns clock every time, so interrupts arrive from user
 * mode again and again (onto the SET_STACK stack); the user loop must
 * still make progress, reach its TSC deadline and return, and the storm
 * must stop when the handler stops re-arming.
 */
#include "runtime.h"

static volatile uint32_t storming, from_user;

/* Count loops at CPL 3 until the TSC passes the deadline. */
USER_TEXT uint32_t u_spin(uint32_t lo, uint32_t hi)
{
	uint64_t end = ((uint64_t)hi << 32) | lo, now;
	uint32_t a, d, loops = 0;

	do {
		asm volatile("rdtsc" : "=a"(a), "=d"(d));
		now = ((uint64_t)d << 32) | a;
		loops++;
	} while (now < end);
	return loops;
}

static void rearm(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	if ((f->cs & 3) == 3)
		from_user++;
	if (storming)
		clock_event(1);
}

void guest_main(void)
{
	uint32_t before = irq_count[0], r;
	uint64_t end;

	kprintf("expect-survive: ^interrupt storm in user mode: the user loop finished$\n");
	user_init();
	irq_set_handler(0, rearm);
	storming = 1;
	irq_enable();
	clock_event(1);
	end = rdtsc() + us_to_tsc(200000);
	r = user_call(u_spin, (uint32_t)end, (uint32_t)(end >> 32), 0);
	storming = 0;
	clock_event(0);
	delay_us(10000);
	irq_disable();
	diag("%u interrupts, %u from user mode, %u user loops", irq_count[0] - before, from_user, r);
	ok(r >= 10 && !(r & USER_TRAPPED), "the user loop made progress and returned at its deadline");
	ok(from_user >= 5, "interrupts kept arriving from user mode");

	if (!tap_failures())
		kprintf("interrupt storm in user mode: the user loop finished\n");
	power_off();
}
