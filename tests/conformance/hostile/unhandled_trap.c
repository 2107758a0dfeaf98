/* hostile: ud2 with no IDT entry for #UD.  lguest: "unhandled trap 6". */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*trap 6\\b\n");
	idt_clear(6);
	asm volatile("ud2");
	kprintf("still alive after a trap with no handler\n");
}
