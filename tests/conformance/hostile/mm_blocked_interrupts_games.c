/*
 * hostile: games with lguest_data.blocked_interrupts.  Every IRQ blocked
 * while the timer fires: nothing delivered and, since nothing is
 * deliverable, no irq_pending either (lguest's interrupt_pending() masked
 * first).  Unblocking another line changes nothing; unblocking IRQ 0
 * delivers it at the next exit.  Then a loop flips the mask on and off
 * around 1 ns clock events: every delivery must come while IRQ 0 is
 * unblocked, and the loop must end.
 */
#include "runtime.h"

static volatile uint32_t blocked_hits, flips;

static void check_unblocked(unsigned irq, struct trap_frame *f)
{
	(void)f;
	if (lguest_data.blocked_interrupts & (1u << irq))
		blocked_hits++;
}

void guest_main(void)
{
	uint32_t before;

	kprintf("expect-survive: ^blocked_interrupts games: blocked means not delivered$\n");
	irq_set_handler(0, check_unblocked);
	before = irq_count[0];
	lguest_data.blocked_interrupts = 0xFFFFFFFF;
	irq_enable();
	clock_event(1000);
	delay_us(5000);
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	is_u32(irq_count[0], before, "all blocked: the fired timer is not delivered");
	is_u32(lguest_data.irq_pending, 0, "and irq_pending stays 0 (nothing deliverable)");
	lguest_data.blocked_interrupts = ~(1u << 5);
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	is_u32(irq_count[0], before, "unblocking IRQ 5 does not deliver IRQ 0");
	lguest_data.blocked_interrupts = 0;
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	is_u32(irq_count[0], before + 1, "unblocking IRQ 0 delivers it at the next hypercall");

	before = irq_count[0];
	for (unsigned i = 0; i < 2000; i++) {
		lguest_data.blocked_interrupts = (i & 1) ? 0 : 1;
		clock_event(1);
		flips++;
	}
	lguest_data.blocked_interrupts = 0;
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	delay_us(5000);
	irq_disable();
	diag("%u flips, %u interrupts", flips, irq_count[0] - before);
	ok(irq_count[0] > before && irq_count[0] - before <= 2001, "the flipping loop ended, interrupts came");
	is_u32(blocked_hits, 0, "never while IRQ 0 was blocked");

	if (!tap_failures())
		kprintf("blocked_interrupts games: blocked means not delivered\n");
	power_off();
}
