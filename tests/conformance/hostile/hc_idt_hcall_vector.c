/*
 * hostile: LHCALL_LOAD_IDT_ENTRY for vector 0x1f, the hypercall vector,
 * as a DPL 3 gate: the guest opens it to user mode.  lguest ignored entries
 * for 2, 8, 15 and 0x1f (load_guest_idt_entry); so does lgkvm.  A
 * user-mode `int $0x1f` must stay a #GP(0x1f << 3 | 2): neither the
 * guest's stub as vector 0x1f nor a hypercall (here a SHUTDOWN).
 */
#include "runtime.h"

USER_DATA char u_msg[] = "user mode shut the guest down";

USER_TEXT uint32_t u_shutdown(uint32_t msg_pa)
{
	uint32_t call = LHCALL_SHUTDOWN;

	asm volatile("int $0x1f" : "+a"(call) : "b"(msg_pa), "c"(LGUEST_SHUTDOWN_POWEROFF) : "memory");
	return call;
}

void guest_main(void)
{
	uint32_t msg_pa = (uint32_t)__user_phys + ((uint32_t)u_msg - USER_BASE), code;

	kprintf("expect-survive: ^refused: int \\$0x1f from user mode is still a #GP\n");
	user_init();
	idt_set_stub(LGUEST_TRAP_ENTRY, IDT_TRAP_GATE, 3);
	code = user_call(u_shutdown, msg_pa, 0, 0);
	if (code != (USER_TRAPPED | 13) || trap_last.error != ((LGUEST_TRAP_ENTRY << 3) | 2))
		bail_out("user-mode int $0x1f gave %#x (vector %u, error %#x)", code, trap_last.vector,
			 trap_last.error);
	kprintf("refused: int $0x1f from user mode is still a #GP (error %#x)\n", trap_last.error);
	power_off();
}
