/*
 * hostile: junk in the argument registers a hypercall does not use:
 * FLUSH_ASYNC, SEND_INTERRUPTS and HALT take none, SET_CLOCKEVENT and
 * NEW_PGTABLE one.  lguest never looked at them, so a guest may leave
 * anything there; the calls must work as usual.
 */
#include "runtime.h"

#define JUNK 0xDEADBEEFu

static volatile uint32_t ticks;

static void clock_handler(unsigned irq, struct trap_frame *f)
{
	(void)irq;
	(void)f;
	ticks++;
}

void guest_main(void)
{
	kprintf("expect-survive: ^refused: junk in unused hypercall arguments is ignored\n");
	irq_set_handler(0, clock_handler);
	hcall_sync(LHCALL_FLUSH_ASYNC, JUNK, JUNK, JUNK, JUNK);
	hcall_sync(LHCALL_SEND_INTERRUPTS, JUNK, JUNK, JUNK, JUNK);
	hcall_sync(LHCALL_NEW_PGTABLE, virt_to_phys(boot_pgdir), JUNK, JUNK, JUNK);
	/* Like Linux's idle loop: interrupts off, then HALT; the tick wakes it. */
	irq_disable();
	hcall_sync(LHCALL_SET_CLOCKEVENT, 2000000, JUNK, JUNK, JUNK);
	hcall_sync(LHCALL_HALT, JUNK, JUNK, JUNK, JUNK);
	if (!WAIT_UNTIL(ticks == 1, 1000000))
		bail_out("the clock event with junk arguments gave %u interrupts", ticks);
	kprintf("refused: junk in unused hypercall arguments is ignored\n");
	power_off();
}
