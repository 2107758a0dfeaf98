/*
 * hostile: LHCALL_LOAD_GDT_ENTRY that makes entry 12, the kernel's own code
 * segment (__KERNEL_CS), not present, then takes a trap.  lguest copied the
 * entry with its usual fix-ups, so the Guest broke only itself; the Host
 * cannot deliver the trap (the handler runs on CS 0x61), and must say so
 * and stop the guest.  The VMM's own return to the guest must never be
 * what faults on it (hypercalls/interrupts_and_traps.c, iret_selector_ok).
 */
#include "runtime.h"

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*(GDT|code segment|\\bCS\\b|0x61)\n");
	gdt_load(GDT_ENTRY_KERNEL_CS, seg_desc(0, 0xFFFFF, SEG_TYPE_CODE_RX, 1) & ~(1ull << 47));
	probe_read32(0x30000000, &v); /* a page fault: delivered on CS 0x61 */
	kprintf("still alive after a trap with the kernel code segment not present\n");
}
