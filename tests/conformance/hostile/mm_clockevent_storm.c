/*
 * hostile: an interrupt storm.  With interrupts on, the IRQ 0 handler
 * re-arms the clock for 1 ns every time, and the main loop also sets a
 * 1 ns clock event (below LG_CLOCK_MIN_DELTA) up to 3000 times.  Interrupts keep coming, but the
 * guest must still make progress between them (the loop runs between
 * deliveries, not only now and then), reach its deadline and
 * power off: no livelock in the Host, no lost guest.  lguest took any
 * delta (hrtimer) and delivered at each entry.
 */
#include "runtime.h"

static volatile uint32_t storming, handled;

static void rearm(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	(void)f;
	handled++;
	if (storming)
		clock_event(1);
}

void guest_main(void)
{
	uint64_t end;
	uint32_t loops = 0, calls = 0;

	kprintf("expect-survive: ^1 ns clock storm: interrupts came and the guest went on$\n");
	irq_set_handler(0, rearm);
	storming = 1;
	irq_enable();
	clock_event(1);
	end = rdtsc() + us_to_tsc(300000);
	while (rdtsc() < end) {
		if (calls < 3000) {
			clock_event(1);
			calls++;
		}
		loops++;
	}
	storming = 0;
	clock_event(0);
	delay_us(10000);
	irq_disable();
	diag("%u interrupts, %u loops, %u SET_CLOCKEVENT(1) from the loop", handled, loops, calls);
	ok(handled >= 20, "the storm delivered interrupts");
	ok(loops >= 10, "and the interrupted loop made progress to its deadline");
	/* Each delivery returns to the loop, which runs before the next one
	 * (an iret the Host emulates must not hand the next interrupt the
	 * very eip it returned to). */
	ok(2 * loops >= handled, "the loop ran between deliveries, not only now and then");
	is_u32(irq_count[0], handled, "every delivery reached the handler");

	if (!tap_failures())
		kprintf("1 ns clock storm: interrupts came and the guest went on\n");
	power_off();
}
