/*
 * hostile: code descriptors with the L bit (64-bit code in long mode).  An
 * i386 CPU has no such bit and lguest's 32-bit Host never looked at it;
 * lgkvm runs the guest in a 64-bit CPU's compatibility mode, where a
 * 64-bit code segment would let the guest address the VMM above 4 GiB.
 * So L must be ignored: with D set the segment runs 32-bit code, with D
 * clear 16-bit code, never 64-bit.  A probe tells them apart: "xor %eax,
 * %eax; 0x48; nop" is dec %eax in 32-bit code, dec %ax in 16-bit code
 * and a REX prefix in 64-bit code.
 */
#include "runtime.h"

#define GDT_L_D 20 /* L and D */
#define GDT_L 21   /* L only */

static uint64_t code_desc(uint32_t base, uint32_t limit, unsigned flags)
{
	uint32_t access = 0x80 | (3 << 5) | 0x10 | SEG_TYPE_CODE_RX; /* P, DPL 3, S, code */

	return (uint64_t)(((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | (flags << 20) |
			  (base & 0xFF000000)) << 32 |
	       ((limit & 0xFFFF) | (base << 16));
}

/* 32-bit probe, ends with a 32-bit far return; 16-bit probe with lretl (0x66 0xcb). */
asm(".pushsection .user.text, \"ax\"\n"
    "probe32:\n\t.byte 0x31, 0xc0, 0x48, 0x90, 0xcb\n"
    "probe16:\n\t.byte 0x31, 0xc0, 0x48, 0x90, 0x66, 0xcb\n"
    ".popsection");
extern const char probe32[], probe16[];

USER_TEXT uint32_t u_far_call(uint32_t sel, uint32_t off, uint32_t eax)
{
	volatile uint32_t target[2] = { off, sel };

	asm volatile("lcall *(%1)" : "+a"(eax) : "r"(target) : "memory");
	return eax;
}

void guest_main(void)
{
	uint32_t r;

	kprintf("expect-survive: ^code descriptors with the L bit never run 64-bit code$\n");
	user_init();
	gdt_load(GDT_L_D, code_desc(0, 0xFFFFF, 0x8 | 0x4 | 0x2)); /* G, D, L */
	gdt_load(GDT_L, code_desc(USER_BASE, 0xFFFF, 0x2));       /* L: byte-granular, 64 KiB */

	r = user_call(u_far_call, SEG_GDT(GDT_L_D, 3), (uint32_t)probe32, 0x12340000);
	is_u32(r, 0xFFFFFFFF, "L and D: the segment runs 32-bit code (0x48 is dec %eax)");
	r = user_call(u_far_call, SEG_GDT(GDT_L, 3), (uint32_t)probe16 - USER_BASE, 0x12340000);
	is_u32(r, 0x1234FFFF, "L without D: the segment runs 16-bit code (0x48 is dec %ax)");

	if (!tap_failures())
		kprintf("code descriptors with the L bit never run 64-bit code\n");
	power_off();
}
