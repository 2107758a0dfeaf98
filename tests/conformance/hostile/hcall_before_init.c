/* hostile: a hypercall before LHCALL_LGUEST_INIT.  lguest: "hypercall %li before INIT". */
#include "runtime.h"

EARLY void early_pre_init(void)
{
	early_puts(EARLY_STR("expect-kill: guest killed: .*hypercall.*before.*init\n"));
	hcall(LHCALL_FLUSH_TLB, 1, 0, 0, 0);
	early_puts(EARLY_STR("still alive after a hypercall before LGUEST_INIT\n"));
}

void guest_main(void)
{
}
