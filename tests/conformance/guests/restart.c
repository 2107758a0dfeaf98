/*
 * restart: LHCALL_SHUTDOWN with LGUEST_SHUTDOWN_RESTART boots the guest
 * again.  The runner waits for the banner twice, then stops lgkvm.
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-restart: ^restart guest: booted$\n");
	kprintf("restart guest: booted\n");
	restart("Restarting system");
}
