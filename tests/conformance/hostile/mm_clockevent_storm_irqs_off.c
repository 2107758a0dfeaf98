/*
 * hostile: thousands of 1 ns clock events with interrupts off.  Each
 * fires, but IRQ 0 is one pending bit: the Host must only set
 * lguest_data.irq_pending, deliver exactly one IRQ 0 when the guest turns
 * interrupts on and asks (SEND_INTERRUPTS), and then nothing more.  A
 * HALT with interrupts off and the timer pending returns at once with it
 * delivered ("sti; hlt").  lguest: set_bit(0, irqs_pending), and HALT
 * re-enabled interrupts to wake.
 */
#include "runtime.h"

void guest_main(void)
{
	uint32_t before = irq_count[0];
	uint64_t t0;

	kprintf("expect-survive: ^clock storm with interrupts off: one IRQ 0, HALT returns$\n");
	irq_disable();
	for (unsigned i = 0; i < 3000; i++)
		clock_event(1);
	delay_us(2000);
	hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
	is_u32(irq_count[0], before, "3000 clock events with interrupts off: none delivered");
	is_u32(lguest_data.irq_pending, X86_EFLAGS_IF, "irq_pending says one waits");
	irq_enable();
	is_u32(irq_count[0], before + 1, "turned on: exactly one IRQ 0");
	delay_us(20000);
	is_u32(irq_count[0], before + 1, "and no more");

	irq_disable();
	clock_event(1);
	WAIT_UNTIL(lguest_data.irq_pending != 0, 1000000);
	t0 = rdtsc();
	halt();
	ok(irq_count[0] == before + 2 && since_us(t0) < 1000000, "HALT with the timer pending returns with it delivered");
	ok(lguest_data.irq_enabled & X86_EFLAGS_IF, "HALT turned interrupts on");
	irq_disable();

	if (!tap_failures())
		kprintf("clock storm with interrupts off: one IRQ 0, HALT returns\n");
	power_off();
}
