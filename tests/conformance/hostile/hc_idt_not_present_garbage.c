/*
 * hostile: LHCALL_LOAD_IDT_ENTRY of a not-present entry full of junk:
 * type 5 (a task gate, fatal when present: idt_bad_type), DPL 3, selector
 * 0xffff, handler 0xdeadbeef.  lguest zeroed a not-present entry without
 * looking further (set_trap); so must lgkvm.  The guest goes on, and the
 * vector has no handler any more: `int $0x40` at CPL 1 is #GP(0x40 << 3 | 2).
 */
#include "runtime.h"

#define VEC 0x40

void guest_main(void)
{
	uint32_t n, at;

	kprintf("expect-survive: ^refused: the junk entry cleared vector 0x40\n");
	idt_set_stub(VEC, IDT_TRAP_GATE, 1); /* a handler to be cleared */
	hcall_sync(LHCALL_LOAD_IDT_ENTRY, VEC, 0xFFFFBEEF, 0xDEAD0000 | (3u << 13) | (5u << 8), 0);
	n = trap_count;
	asm volatile(TRAP_ARM "int $0x40" TRAP_END : "=&r"(at) : : "memory");
	if (trap_count != n + 1 || trap_last.vector != 13 || trap_last.error != ((VEC << 3) | 2) ||
	    trap_last.eip != at)
		bail_out("int $0x40 gave %u traps, vector %u error %#x at %#x", trap_count - n, trap_last.vector,
			 trap_last.error, trap_last.eip);
	kprintf("refused: the junk entry cleared vector 0x40 (int $0x40: #GP %#x)\n", trap_last.error);
	power_off();
}
