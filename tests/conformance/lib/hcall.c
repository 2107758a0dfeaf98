/* Synchronous hypercalls and lguest_data's asynchronous hypercall ring. */
#include "runtime.h"

uint32_t hcall_count;
static unsigned async_next;

uint32_t hcall_sync(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	hcall_count++;
	return hcall(call, a1, a2, a3, a4);
}

unsigned hcall_async_next_slot(void)
{
	return async_next;
}

/*
 * The Host reads a slot only once its status byte is 0, so the arguments
 * are written first.  Interrupts are off meanwhile, as in Linux: a handler
 * queuing a call of its own would race for the same slot.
 */
int hcall_async(uint32_t call, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	uint32_t flags = irq_save();
	unsigned slot = async_next;
	int used = -1;

	if (lguest_data.hcall_status[slot] != 0xFF) {
		hcall_sync(call, a1, a2, a3, a4);
	} else {
		lguest_data.hcalls[slot].arg0 = call;
		lguest_data.hcalls[slot].arg1 = a1;
		lguest_data.hcalls[slot].arg2 = a2;
		lguest_data.hcalls[slot].arg3 = a3;
		lguest_data.hcalls[slot].arg4 = a4;
		barrier();
		lguest_data.hcall_status[slot] = 0;
		async_next = (slot + 1) % LHCALL_RING_SIZE;
		used = (int)slot;
	}
	irq_restore(flags);
	return used;
}
