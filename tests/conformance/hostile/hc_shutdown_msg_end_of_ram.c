/*
 * hostile: LHCALL_SHUTDOWN(POWEROFF) whose message fills the last 16 bytes
 * of RAM with no NUL: the string runs off the end of RAM.  lguest read 128
 * bytes and killed the guest ("bad read address"); lgkvm reads what is in
 * RAM and reports the crash with those 16 characters.  Either way the guest
 * ends with status 1, and nothing past RAM is read.
 */
#include "runtime.h"

void guest_main(void)
{
	uint32_t end = ram_size();
	char *msg = phys_to_virt(end - 16);

	kprintf("expect-kill: guest (crashed: X{16}$|killed: .*(SHUTDOWN|read address))\n");
	if (end > (DIRECT_MAP_MB << 20))
		bail_out("RAM ends past the direct map");
	memset(msg, 'X', 16);
	hcall_sync(LHCALL_SHUTDOWN, end - 16, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	kprintf("still alive after SHUTDOWN with a message running off RAM\n");
}
