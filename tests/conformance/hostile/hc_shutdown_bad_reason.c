/*
 * hostile: LHCALL_SHUTDOWN with reason 0xdead, neither POWEROFF (1) nor
 * RESTART (2).  lguest ended the guest with "CRASH: <message>" for every
 * reason but RESTART; lgkvm likewise: a power-off whose message is not
 * "Power down" is a crash (exit 1, "guest crashed: <message>").  Neither
 * a reboot nor ignoring the call is right.
 */
#include "runtime.h"

void guest_main(void)
{
	static const char msg[] = "hc_shutdown_bad_reason: reason 0xdead";

	kprintf("expect-kill: guest (crashed|killed): .*reason 0xdead\n");
	hcall_sync(LHCALL_SHUTDOWN, virt_to_phys(msg), 0xDEAD, 0, 0);
	kprintf("still alive after SHUTDOWN with reason 0xdead\n");
}
