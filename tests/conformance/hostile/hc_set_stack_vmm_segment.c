/*
 * hostile: LHCALL_SET_STACK with selector 0x59: RPL 1, all lguest checked
 * ("bad stack segment"), but slot 11 is lguest's LGUEST_DS and lgkvm's own
 * ring-0 data segment (DPL 0).  The next trap from user mode would have to
 * run the guest's handler with SS = 0x59, which no CPU allows at CPL 1.
 * The Host must refuse the stack (or the delivery) and say why; its own
 * return to the guest must never be what faults on it.
 */
#include "runtime.h"

USER_TEXT uint32_t u_syscall(uint32_t a)
{
	return user_syscall(SYS_ECHO, a);
}

void guest_main(void)
{
	uint32_t r;

	kprintf("expect-kill: guest killed: .*(stack segment|SET_STACK|0x59)\n");
	user_init();
	hcall_sync(LHCALL_SET_STACK, (GDT_ENTRY_LGUEST_DS << 3) | 1, trap_stack_top(0), 2, 0);
	r = user_call(u_syscall, 41, 0, 0);
	kprintf("still alive after SET_STACK with selector 0x59 (system call gave %#x)\n", r);
}
