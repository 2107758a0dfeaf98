/*
 * hostile: conforming code segments, which a caller enters without
 * changing privilege.  A DPL 0 one (raised to DPL 1 by the Host, as
 * lguest's fixup_gdt_table did) and a DPL 3 one: user mode may call both
 * and stays at CPL 3 (CS's RPL), the kernel stays at CPL 1.  A
 * non-conforming DPL 1 segment is a #GP from user mode.  No way up.
 */
#include "runtime.h"

#define GDT_CONF0 20
#define GDT_CONF3 21
#define GDT_PLAIN1 22
#define TYPE_CONFORMING 0xE /* code, conforming, readable */

/* Returns %cs. */
asm(".pushsection .user.text, \"ax\"\n"
    "get_cs:\n\t"
    "xorl %eax, %eax\n\t"
    "movw %cs, %ax\n\t"
    "lret\n"
    ".popsection");
extern const char get_cs[];

USER_TEXT uint32_t u_far_call(uint32_t sel, uint32_t off)
{
	volatile uint32_t target[2] = { off, sel };
	uint32_t eax = 0;

	asm volatile("lcall *(%1)" : "+a"(eax) : "r"(target) : "memory");
	return eax;
}

void guest_main(void)
{
	uint32_t r;

	kprintf("expect-survive: ^conforming code segments keep the caller's privilege$\n");
	user_init();
	gdt_load(GDT_CONF0, seg_desc(0, 0xFFFFF, TYPE_CONFORMING, 0));
	gdt_load(GDT_CONF3, seg_desc(0, 0xFFFFF, TYPE_CONFORMING, 3));
	gdt_load(GDT_PLAIN1, seg_desc(0, 0xFFFFF, SEG_TYPE_CODE_RX, 1));

	is_u32(user_call(u_far_call, SEG_GDT(GDT_CONF0, 3), (uint32_t)get_cs, 0), SEG_GDT(GDT_CONF0, 3),
	       "user call into a DPL 0 conforming segment runs at CPL 3");
	is_u32(user_call(u_far_call, SEG_GDT(GDT_CONF3, 3), (uint32_t)get_cs, 0), SEG_GDT(GDT_CONF3, 3),
	       "user call into a DPL 3 conforming segment runs at CPL 3");
	r = user_call(u_far_call, SEG_GDT(GDT_PLAIN1, 3), (uint32_t)get_cs, 0);
	ok(r == (USER_TRAPPED | 13) && trap_last.error == SEG_GDT(GDT_PLAIN1, 0),
	   "user call into a non-conforming DPL 1 segment: #GP(selector)");
	is_u32(u_far_call(SEG_GDT(GDT_CONF0, 1), (uint32_t)get_cs), SEG_GDT(GDT_CONF0, 1),
	       "kernel call into the DPL 0 conforming segment runs at CPL 1");

	if (!tap_failures())
		kprintf("conforming code segments keep the caller's privilege\n");
	power_off();
}
