/*
 * hostile: SEND_INTERRUPTS by the thousand: with nothing pending, with the
 * timer pending but interrupts off, with it pending but blocked in
 * lguest_data.blocked_interrupts, and a full asynchronous ring of them.
 * The call only asks the Host to look: it must never deliver what the
 * guest holds back, never hang, and deliver the IRQ once allowed.  In
 * lguest it did nothing itself; the run loop then honoured irq_enabled
 * and blocked_interrupts.
 */
#include "runtime.h"

static void storm(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
}

void guest_main(void)
{
	uint32_t before = irq_count[0];

	kprintf("expect-survive: ^SEND_INTERRUPTS storms: nothing held back is delivered$\n");
	irq_enable();
	storm(3000);
	is_u32(irq_count[0], before, "3000 with nothing pending: nothing delivered");

	irq_disable();
	clock_event(1000);
	WAIT_UNTIL(lguest_data.irq_pending != 0, 1000000);
	storm(2000);
	is_u32(irq_count[0], before, "2000 with the timer pending and interrupts off: not delivered");

	lguest_data.blocked_interrupts = 1u << 0;
	lguest_data.irq_enabled = X86_EFLAGS_IF;
	storm(2000);
	is_u32(irq_count[0], before, "2000 with interrupts on but IRQ 0 blocked: not delivered");

	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		hcall_async(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	is_u32(irq_count[0], before, "a ring full of them: still not delivered");

	lguest_data.blocked_interrupts = 0;
	storm(1);
	is_u32(irq_count[0], before + 1, "unblocked: delivered once");
	storm(1000);
	is_u32(irq_count[0], before + 1, "and only once");
	irq_disable();

	if (!tap_failures())
		kprintf("SEND_INTERRUPTS storms: nothing held back is delivered\n");
	power_off();
}
