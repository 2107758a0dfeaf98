/* hostile: LHCALL_SHUTDOWN whose message pointer is past the end of RAM. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(SHUTDOWN|read address)\n");
	hcall_sync(LHCALL_SHUTDOWN, 0x40000000, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	kprintf("still alive after SHUTDOWN with a message outside RAM\n");
}
