/* hostile: hypercall number 99, which the ABI does not define. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(unknown|bad) hypercall.*\\b99\\b\n");
	hcall_sync(99, 0, 0, 0, 0);
	kprintf("still alive after hypercall 99\n");
}
