/*
 * hostile: LHCALL_LOAD_GDT_ENTRY replacing the guest kernel's own code
 * segment (entry 12, __KERNEL_CS) with a data segment, then a trap.  The
 * Host lets the guest own that entry, as lguest did, but entering the #UD
 * handler (and returning to the guest at all) means loading CS 0x61 from
 * it, which a CPU refuses.  lguest: "the worst that can happen is a
 * General Protection Fault in the Switcher ... Then we kill the Guest".
 * The Host must kill the guest with a reason, not fault in its own ring 0.
 */
#include "runtime.h"

void guest_main(void)
{
	uint32_t at;

	kprintf("expect-kill: guest killed: .*(segment|GDT)\n");
	gdt_load(GDT_ENTRY_KERNEL_CS, seg_desc(0, 0xFFFFF, SEG_TYPE_DATA_RW, 1));
	asm volatile(TRAP_ARM "ud2" TRAP_END : "=&r"(at) : : "memory");
	kprintf("still alive with a data segment as __KERNEL_CS\n");
}
