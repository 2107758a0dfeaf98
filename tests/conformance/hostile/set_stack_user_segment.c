/* hostile: LHCALL_SET_STACK with the user data segment.  lguest: "bad stack segment". */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*stack segment\n");
	hcall_sync(LHCALL_SET_STACK, SEL_USER_DS, trap_stack_top(0), 1, 0);
	kprintf("still alive after SET_STACK with a user segment\n");
}
