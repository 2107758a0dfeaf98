/* hostile: LHCALL_LGUEST_INIT a second time.  lguest: "already have lguest_data". */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*already\n");
	hcall_sync(LHCALL_LGUEST_INIT, virt_to_phys(&lguest_data), 0, 0, 0);
	kprintf("still alive after a second LGUEST_INIT\n");
}
