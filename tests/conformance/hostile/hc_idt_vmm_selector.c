/*
 * hostile: LHCALL_LOAD_IDT_ENTRY of an interrupt gate whose selector is
 * 0x50: lguest's LGUEST_CS slot, lgkvm's own 64-bit ring-0 code.  lguest
 * kept only the handler, DPL and type and put __KERNEL_CS in itself
 * (set_trap); lgkvm refuses any selector but the kernel's code segment
 * (hypercalls/segments.c): "bad IDT selector".  Stricter than lguest, as
 * for a misaligned PDPT, and no guest could mean it.
 */
#include "runtime.h"

void guest_main(void)
{
	uint32_t handler = trap_stub_addr(6);

	kprintf("expect-kill: guest killed: .*IDT selector.*0x50\n");
	hcall_sync(LHCALL_LOAD_IDT_ENTRY, 6, (0x50u << 16) | (handler & 0xFFFF), (handler & 0xFFFF0000) | 0x8E00, 0);
	asm volatile("ud2"); /* had the gate been taken, the handler would run here */
	kprintf("still alive after a gate into selector 0x50\n");
}
