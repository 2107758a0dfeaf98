/*
 * hostile: LHCALL_SET_CLOCKEVENT(1), a clock event 1 ns away, re-armed
 * from its own handler 200 times: an interrupt storm.  Linux's guest never
 * asks below LG_CLOCK_MIN_DELTA (100 ns), but lguest armed its hrtimer for
 * any nonzero delta (guest_set_clockevent).  The Host must deliver each
 * event exactly once and neither hang nor keep firing after the last.
 */
#include "runtime.h"

#define STORM 200

static volatile uint32_t ticks;

static void clock_handler(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	(void)f;
	if (++ticks < STORM)
		clock_event(1);
}

void guest_main(void)
{
	uint32_t got;

	kprintf("expect-survive: ^survived: 200 clock events of 1 ns, each once\n");
	irq_set_handler(0, clock_handler);
	irq_enable();
	clock_event(1);
	if (!WAIT_UNTIL(ticks >= STORM, 5000000))
		bail_out("only %u of %u 1 ns clock events arrived in 5 s", ticks, STORM);
	delay_us(20000);
	got = ticks;
	if (got != STORM)
		bail_out("%u clock interrupts for %u clock events", got, STORM);
	kprintf("survived: 200 clock events of 1 ns, each once\n");
	power_off();
}
