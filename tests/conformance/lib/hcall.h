/* lguest hypercalls: int $0x1f, call in %eax, arguments in %ebx, %ecx, %edx, %esi. */
#ifndef CONF_HCALL_H
#define CONF_HCALL_H

#include <stdint.h>
#include "hypercalls/lguest_abi.h"

extern uint32_t hcall_count; /* synchronous hypercalls made by the runtime */

static inline __attribute__((always_inline)) uint32_t
hcall(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	asm volatile("int $0x1f" : "+a"(call) : "b"(a1), "c"(a2), "d"(a3), "S"(a4) : "memory");
	return call;
}

/* Counting wrapper for everything outside the entry code. */
uint32_t hcall_sync(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4);

/*
 * Queue a call in lguest_data's ring (hcalls[] + hcall_status[]): the Host
 * runs queued calls, in order, at the next synchronous hypercall.  Falls
 * back to a synchronous call when the next slot is still busy, as Linux does.
 * Returns the slot used, or -1 for the synchronous fallback.
 */
int hcall_async(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4);
unsigned hcall_async_next_slot(void);

#endif
