/* hostile: a present IDT entry of type 5 (a task gate).  lguest: "bad IDT type". */
#include "runtime.h"

void guest_main(void)
{
	uint32_t handler = trap_stub_addr(6);

	kprintf("expect-kill: guest killed: .*IDT type\n");
	hcall_sync(LHCALL_LOAD_IDT_ENTRY, 6, (0x60u << 16) | (handler & 0xFFFF), (handler & 0xFFFF0000) | 0x8500, 0);
	kprintf("still alive after loading a task gate\n");
}
