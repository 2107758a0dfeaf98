/* Virtual interrupt control, the clock event, HALT, and TSC time. */
#include "runtime.h"

void irq_disable(void)
{
	lguest_data.irq_enabled = 0;
}

/* Like Linux's lg_irq_enable: tell the Host if it has been holding one. */
void irq_enable(void)
{
	lguest_data.irq_enabled = X86_EFLAGS_IF;
	barrier();
	if (lguest_data.irq_pending)
		hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
}

uint32_t irq_save(void)
{
	uint32_t flags = lguest_data.irq_enabled;

	lguest_data.irq_enabled = 0;
	barrier();
	return flags;
}

void irq_restore(uint32_t flags)
{
	lguest_data.irq_enabled = flags;
	barrier();
	if ((flags & X86_EFLAGS_IF) && lguest_data.irq_pending)
		hcall_sync(LHCALL_SEND_INTERRUPTS, 0, 0, 0, 0);
}

void clock_event(uint32_t ns)
{
	hcall_sync(LHCALL_SET_CLOCKEVENT, ns, 0, 0, 0);
}

void halt(void)
{
	hcall_sync(LHCALL_HALT, 0, 0, 0, 0);
}

uint32_t tsc_khz(void)
{
	uint32_t khz = lguest_data.tsc_khz;

	if (khz == 0 || khz == LGUEST_DATA_SENTINEL)
		return 2000000; /* a guess, only to bound waits */
	return khz;
}

uint32_t udiv64(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, q, r;

	if (hi >= d)
		return 0xFFFFFFFFu;
	asm("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	return q;
}

uint64_t us_to_tsc(uint32_t us)
{
	uint64_t n = (uint64_t)us * tsc_khz();
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = hi / 1000, r = hi % 1000, qlo;

	asm("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(1000u));
	return ((uint64_t)qhi << 32) | qlo;
}

uint32_t tsc_to_us(uint64_t cycles)
{
	return udiv64(cycles * 1000, tsc_khz());
}

uint32_t since_us(uint64_t tsc_start)
{
	return tsc_to_us(rdtsc() - tsc_start);
}

void delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		barrier();
}
