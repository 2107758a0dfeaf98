/*
 * hostile: an asynchronous call whose status byte is 0x42, neither 0
 * (pending) nor 0xff (done).  lguest ran every slot whose status is not
 * 0xff (do_async_hcalls) and set it to 0xff; so must lgkvm.
 */
#include "runtime.h"

#define GDT_PROBE 20

static volatile uint32_t word = 0x600D;

void guest_main(void)
{
	uint64_t d = seg_desc((uint32_t)&word, 0xFFFFF, SEG_TYPE_DATA_RW, 1);
	uint32_t v = 0, at;
	int slot;

	kprintf("expect-survive: ^survived: a slot with status 0x42 ran and became 0xff\n");
	slot = hcall_async(LHCALL_LOAD_GDT_ENTRY, GDT_PROBE, (uint32_t)d, (uint32_t)(d >> 32), 0);
	if (slot < 0)
		bail_out("the ring was full");
	lguest_data.hcall_status[slot] = 0x42;
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	if (lguest_data.hcall_status[slot] != 0xFF)
		bail_out("slot %d has status %#x after FLUSH_ASYNC", slot, lguest_data.hcall_status[slot]);
	asm volatile(TRAP_ARM "movl %2, %%fs\n\tmovl %%fs:0, %1" TRAP_END
		     : "=&r"(at), "+r"(v)
		     : "r"(SEG_GDT(GDT_PROBE, 1))
		     : "memory");
	set_fs(0);
	if (v != 0x600D)
		bail_out("the queued LOAD_GDT_ENTRY did not run: %%fs:0 reads %#x", v);
	kprintf("survived: a slot with status 0x42 ran and became 0xff\n");
	power_off();
}
