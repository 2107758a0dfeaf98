/*
 * Interrupt control through lguest_data (irq_enabled, irq_pending,
 * blocked_interrupts), the clock event, HALT, and TSC-based waiting.
 */
#ifndef CONF_TIMER_H
#define CONF_TIMER_H

#include <stdint.h>
#include "io.h"

void irq_disable(void);
void irq_enable(void); /* and LHCALL_SEND_INTERRUPTS if one is pending */
uint32_t irq_save(void);
void irq_restore(uint32_t flags);
void clock_event(uint32_t ns); /* LHCALL_SET_CLOCKEVENT */
void halt(void);               /* LHCALL_HALT */

uint32_t tsc_khz(void); /* lguest_data.tsc_khz, or a guess when 0 */
uint64_t us_to_tsc(uint32_t us);
uint32_t tsc_to_us(uint64_t cycles);
uint32_t since_us(uint64_t tsc_start);
void delay_us(uint32_t us);
uint32_t udiv64(uint64_t n, uint32_t d);

/* Spin until cond holds or us microseconds pass; yields cond. */
#define WAIT_UNTIL(cond, us)                                                   \
	({                                                                     \
		uint64_t end__ = rdtsc() + us_to_tsc(us);                      \
		while (!(cond) && rdtsc() < end__)                             \
			barrier();                                             \
		(cond);                                                        \
	})

#endif
