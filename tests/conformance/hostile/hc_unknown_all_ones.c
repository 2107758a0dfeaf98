/*
 * hostile: hypercall number 0xffffffff.  Nothing may index a per-call table
 * with it (lgkvm counts calls below 32).  lguest: "Bad hypercall -1".
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(unknown|bad) hypercall.*(4294967295|-1|0xffffffff)\n");
	hcall_sync(0xFFFFFFFF, 0, 0, 0, 0);
	kprintf("still alive after hypercall 0xffffffff\n");
}
