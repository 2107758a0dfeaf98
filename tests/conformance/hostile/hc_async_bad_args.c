/*
 * hostile: a known hypercall with a bad argument in the asynchronous ring:
 * LOAD_IDT_ENTRY for vector 300.  A queued call is checked like a direct
 * one (lguest ran both through do_hcall): "Setting idt entry 300".
 */
#include "runtime.h"

void guest_main(void)
{
	uint32_t handler = trap_stub_addr(6);

	kprintf("expect-kill: guest killed: .*(idt entry|vector) 300\\b\n");
	if (hcall_async(LHCALL_LOAD_IDT_ENTRY, 300, (SEL_KERNEL_CS << 16) | (handler & 0xFFFF),
			(handler & 0xFFFF0000) | 0x8E00, 0) < 0)
		bail_out("the ring was full");
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	kprintf("still alive after queuing LOAD_IDT_ENTRY for vector 300\n");
}
