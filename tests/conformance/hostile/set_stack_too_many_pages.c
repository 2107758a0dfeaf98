/* hostile: LHCALL_SET_STACK with 3 pages (the ABI allows 1 or 2).  lguest: "bad stack pages". */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*stack pages\n");
	hcall_sync(LHCALL_SET_STACK, SEL_KERNEL_DS, trap_stack_top(0), 3, 0);
	kprintf("still alive after SET_STACK with 3 pages\n");
}
