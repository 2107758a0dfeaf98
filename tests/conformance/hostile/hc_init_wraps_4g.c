/*
 * hostile: LHCALL_LGUEST_INIT with lguest_data at 0xfffffc00: its 1388
 * bytes would wrap past 4 GiB to physical 0.  lguest's lguest_address_ok()
 * refused a range that wraps ("bad guest page"); 32-bit arithmetic would
 * pass it.
 */
#include "runtime.h"

EARLY void early_pre_init(void)
{
	early_puts(EARLY_STR("expect-kill: guest killed: .*(lguest_data|guest page)\n"));
	hcall(LHCALL_LGUEST_INIT, 0xFFFFFC00, 0, 0, 0);
	early_puts(EARLY_STR("still alive after LGUEST_INIT wrapping past 4 GiB\n"));
}

void guest_main(void)
{
}
