/* lguest_data, the boot records and the high-half start of every guest. */
#include "runtime.h"
#include "asm_abi.h"

_Static_assert(ASM_LHCALL_LGUEST_INIT == LHCALL_LGUEST_INIT, "asm_abi.h");
_Static_assert(ASM_LHCALL_NEW_PGTABLE == LHCALL_NEW_PGTABLE, "asm_abi.h");
_Static_assert(ASM_LGUEST_TRAP_ENTRY == LGUEST_TRAP_ENTRY, "asm_abi.h");
_Static_assert(ASM_LGUEST_DATA_IRQ_ENABLED == LGUEST_DATA_OFFSET(irq_enabled), "asm_abi.h");
_Static_assert(ASM_X86_EFLAGS_IF == X86_EFLAGS_IF, "asm_abi.h");
_Static_assert(ASM_SYS_EXIT == SYS_EXIT, "asm_abi.h");
_Static_assert(sizeof(struct trap_frame) == 19 * 4, "trap_frame matches trap_common");

/*
 * Like Linux's, our lguest_data starts with interrupts off, an empty
 * hypercall ring, and tells the Host where the kernel and the no-interrupt
 * iret are.  The two fields only the Host writes start as sentinels.
 */
volatile struct lguest_data lguest_data __attribute__((section(".data.lguest"), aligned(4096))) = {
	.irq_enabled = 0,
	.hcall_status = { [0 ... LHCALL_RING_SIZE - 1] = 0xFF },
	.reserve_mem = LGUEST_DATA_SENTINEL,
	.tsc_khz = LGUEST_DATA_SENTINEL,
	.noirq_iret = (uint32_t)lg_noirq_iret,
	.kernel_address = KERNEL_BASE,
	.syscall_vec = IA32_SYSCALL_VECTOR,
};

struct boot_entry_state boot_entry_state = { 0xFFFFFFFF, 0, 0, 0, 0, 0, 0 };
struct linear_probe linear_probe = { 0xFFFFFFFF, 0, 0, 0, 0 };
struct lguest_timespec boot_time;

void runtime_start(void)
{
	boot_time.tv_sec = lguest_data.time.tv_sec;
	boot_time.tv_nsec = lguest_data.time.tv_nsec;
	console_init();
	trap_init();
	mmu_init();
	guest_main();
	power_off();
}

/*
 * Linux powers off with SHUTDOWN(POWEROFF, "Power down") and panics with
 * SHUTDOWN(POWEROFF, <the panic message>): the message tells them apart.
 */
void power_off(void)
{
	static const char why[] = "Power down";

	hcall_sync(LHCALL_SHUTDOWN, virt_to_phys(why), LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	for (;;)
		hcall_sync(LHCALL_HALT, 0, 0, 0, 0);
}

void panic(const char *why)
{
	hcall_sync(LHCALL_SHUTDOWN, virt_to_phys(why), LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	for (;;)
		hcall_sync(LHCALL_HALT, 0, 0, 0, 0);
}

void restart(const char *why)
{
	hcall_sync(LHCALL_SHUTDOWN, virt_to_phys(why), LGUEST_SHUTDOWN_RESTART, 0, 0);
	for (;;)
		hcall_sync(LHCALL_HALT, 0, 0, 0, 0);
}
