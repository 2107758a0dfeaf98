/* hostile: an undefined hypercall queued in the asynchronous ring. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(unknown|bad) hypercall.*\\b99\\b\n");
	hcall_async(99, 0, 0, 0, 0);
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	kprintf("still alive after queuing hypercall 99\n");
}
