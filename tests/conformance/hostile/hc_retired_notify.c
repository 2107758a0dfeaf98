/*
 * hostile: hypercall 17, older lguest's LHCALL_NOTIFY (virtio notification
 * by guest-physical address; lguest_launcher.h still mentions it), which
 * Linux 4.10's ABI no longer has: its devices are PCI.  A guest built for
 * the old ABI must be stopped, not half-served.  lguest 4.10: "Bad
 * hypercall 17".
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(unknown|bad) hypercall.*\\b17\\b\n");
	hcall_sync(17, 0x1000, 0, 0, 0);
	kprintf("still alive after hypercall 17\n");
}
