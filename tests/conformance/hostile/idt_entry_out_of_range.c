/* hostile: LHCALL_LOAD_IDT_ENTRY for vector 256.  lguest: "Setting idt entry 256". */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(idt entry|vector) 256\n");
	idt_set_stub(256, IDT_INTERRUPT_GATE, 0);
	kprintf("still alive after loading IDT entry 256\n");
}
