/*
 * hostile: LHCALL_LOAD_TLS at 0xfffffff0: its three descriptors (24 bytes)
 * wrap past 4 GiB to physical 0.  lguest: "bad read address".
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(TLS|read address)\n");
	hcall_sync(LHCALL_LOAD_TLS, 0xFFFFFFF0, 0, 0, 0);
	kprintf("still alive after LOAD_TLS wrapping past 4 GiB\n");
}
