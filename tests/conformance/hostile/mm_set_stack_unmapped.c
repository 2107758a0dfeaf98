/*
 * hostile: LHCALL_SET_STACK to a kernel address with nothing mapped, then
 * a system call from user mode, whose frame must go there.  lguest pinned
 * the stack pages at SET_STACK and killed at once ("bad stack page");
 * lgkvm checks when it pushes the frame.  Either way the guest dies.
 */
#include "runtime.h"

#define NOWHERE (KWIN_BASE + 0x300000)

USER_TEXT uint32_t u_syscall(void)
{
	return user_syscall(SYS_ECHO, 1);
}

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*stack\n");
	user_init();
	hcall_sync(LHCALL_SET_STACK, SEL_KERNEL_DS, NOWHERE + PAGE_SIZE, 1, 0);
	user_call(u_syscall, 0, 0, 0);
	kprintf("still alive after a system call onto an unmapped kernel stack\n");
}
