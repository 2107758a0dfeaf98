/*
 * hostile: LHCALL_SET_CLOCKEVENT(0xffffffff), about 4.3 s, the longest
 * delay the 32-bit argument holds (lguest: an hrtimer that far away).  It
 * must not fire early (as a negative or truncated delay would), a shorter
 * event must replace it, and a power-off with it armed again must not wait
 * for it.
 */
#include "runtime.h"

static volatile uint32_t ticks;

static void clock_handler(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	(void)f;
	ticks++;
}

void guest_main(void)
{
	kprintf("expect-survive: ^survived: a 4.3 s clock event neither fired early nor stayed\n");
	irq_set_handler(0, clock_handler);
	irq_enable();
	clock_event(0xFFFFFFFF);
	delay_us(50000);
	if (ticks != 0)
		bail_out("a 0xffffffff ns clock event fired within 50 ms");
	clock_event(2000000);
	if (!WAIT_UNTIL(ticks == 1, 1000000))
		bail_out("a 2 ms clock event replacing it gave %u interrupts in 1 s", ticks);
	delay_us(20000);
	if (ticks != 1)
		bail_out("%u clock interrupts after the replacement", ticks);
	clock_event(0xFFFFFFFF);
	kprintf("survived: a 4.3 s clock event neither fired early nor stayed\n");
	power_off();
}
