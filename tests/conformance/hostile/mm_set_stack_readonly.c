/*
 * hostile: LHCALL_SET_STACK to a mapped but read-only page, then a system
 * call from user mode.  The frame cannot be written (CR0.WP: ring 1 may
 * not write it either).  lguest's pin_page demanded the page for writing
 * and killed: "bad stack page"; lgkvm kills when the push fails.
 */
#include "runtime.h"

#define STACK_VA (KWIN_BASE + 0x200000)

USER_TEXT uint32_t u_syscall(void)
{
	return user_syscall(SYS_ECHO, 1);
}

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*stack\n");
	user_init();
	pte_set(boot_pgdir, STACK_VA, page_alloc_phys() | PTE_PRESENT | PTE_ACCESSED);
	hcall_sync(LHCALL_SET_STACK, SEL_KERNEL_DS, STACK_VA + PAGE_SIZE, 1, 0);
	user_call(u_syscall, 0, 0, 0);
	kprintf("still alive after a system call onto a read-only kernel stack\n");
}
