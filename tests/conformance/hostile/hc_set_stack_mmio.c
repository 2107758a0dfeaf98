/*
 * hostile: LHCALL_SET_STACK to the top of a page mapping the virtio
 * console's BAR 0, then a system call from user mode: the trap frame would
 * be written into device registers.  lguest pinned stack pages at
 * SET_STACK and refused one outside RAM ("bad stack page"); lgkvm must
 * not write a frame there either (the trampoline's reflection of user
 * traps included, on engines that have it) and stops the guest.
 */
#include "runtime.h"

USER_TEXT uint32_t u_syscall(uint32_t a)
{
	return user_syscall(SYS_ECHO, a);
}

void guest_main(void)
{
	uint32_t bar = pci_read32(PCI_CONSOLE_DEV, 0x10) & ~0xFu, va, r;

	kprintf("expect-kill: guest killed: .*(stack|trap frame)\n");
	if (!bar || (bar & (PAGE_SIZE - 1)))
		bail_out("odd BAR 0 %#x", bar);
	user_init();
	va = iomap(bar, PAGE_SIZE);
	(void)mmio_read32(va); /* the Host maps the page, as for a stack in use */
	hcall_sync(LHCALL_SET_STACK, SEL_KERNEL_DS, va + PAGE_SIZE, 1, 0);
	r = user_call(u_syscall, 41, 0, 0);
	kprintf("still alive after a system call with its kernel stack in a BAR (%#x)\n", r);
}
