/*
 * hostile: a guest gate, DPL 3, on vector 0xf0, the vector lgkvm itself
 * injects to pull a vCPU out of user mode (vmm/host_area.h,
 * HOST_KICK_VECTOR).  The guest's IDT is its own: lguest kept back only
 * 2, 8, 15 and 0x1f.  So `int $0xf0`, from user mode or the kernel, must
 * reach the guest's handler as vector 0xf0, and a clock interrupt that
 * arrives while user mode runs (lgkvm's kick) must still be IRQ 0, never
 * the guest's 0xf0.
 */
#include "runtime.h"

#define VEC 0xF0

USER_TEXT uint32_t u_int_f0(void)
{
	asm volatile("int $0xf0" : : : "memory");
	return 0;
}

/* Spin in user mode until the TSC passes lo/hi. */
USER_TEXT uint32_t u_spin(uint32_t lo, uint32_t hi)
{
	uint64_t end = ((uint64_t)hi << 32) | lo;

	while (rdtsc() < end)
		barrier();
	return 0;
}

void guest_main(void)
{
	uint32_t code, n, at, ticks;
	uint64_t end;

	kprintf("expect-survive: ^survived: vector 0xf0 is the guest's, the kick is not\n");
	user_init();
	idt_set_stub(VEC, IDT_TRAP_GATE, 3);

	code = user_call(u_int_f0, 0, 0, 0);
	if (code != (USER_TRAPPED | VEC) || !trap_last.from_user)
		bail_out("user-mode int $0xf0 gave %#x (vector %u)", code, trap_last.vector);
	n = trap_count;
	asm volatile(TRAP_ARM "int $0xf0" TRAP_END : "=&r"(at) : : "memory");
	if (trap_count != n + 1 || trap_last.vector != VEC || trap_last.from_user || trap_last.eip != at + 2)
		bail_out("kernel int $0xf0 gave %u traps, vector %u at %#x", trap_count - n, trap_last.vector,
			 trap_last.eip);

	n = trap_count;
	ticks = irq_count[0];
	irq_enable();
	clock_event(2000000);
	end = rdtsc() + us_to_tsc(50000);
	code = user_call(u_spin, (uint32_t)end, (uint32_t)(end >> 32), 0);
	if (code != 0 || trap_count != n || irq_count[0] != ticks + 1 || !irq_last.from_user)
		bail_out("user spin gave %#x, %u traps (vector %u), %u clock interrupts (from user mode: %u)", code,
			 trap_count - n, trap_last.vector, irq_count[0] - ticks, irq_last.from_user);
	kprintf("survived: vector 0xf0 is the guest's, the kick is not\n");
	power_off();
}
