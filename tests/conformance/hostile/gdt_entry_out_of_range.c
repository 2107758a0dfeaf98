/* hostile: LHCALL_LOAD_GDT_ENTRY for entry 32 of 32.  lguest: "too many gdt entries". */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*gdt.*\\b32\\b\n");
	gdt_load(32, seg_desc(0, 0xFFFFF, SEG_TYPE_DATA_RW, 3));
	kprintf("still alive after loading GDT entry 32\n");
}
