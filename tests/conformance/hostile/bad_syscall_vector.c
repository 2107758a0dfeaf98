/*
 * hostile: lguest_data.syscall_vec = 0x30 at LHCALL_LGUEST_INIT.  The Host
 * only supports the Linux system call vector.  lguest: "bad syscall vector".
 */
#include "runtime.h"

EARLY void early_pre_init(void)
{
	volatile struct lguest_data *ld = (volatile struct lguest_data *)PHYS((uint32_t)&lguest_data);

	early_puts(EARLY_STR("expect-kill: guest killed: .*syscall vector\n"));
	ld->syscall_vec = 0x30;
}

void guest_main(void)
{
	kprintf("still alive with system call vector 0x30\n");
}
