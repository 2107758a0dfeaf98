/*
 * hostile: user mode on a 16-bit stack segment (B clear, 64 KiB), with
 * junk in the high half of %esp, making system calls.
 * The frame goes on the SET_STACK stack as usual, and the iret back must
 * land on the 16-bit stack with SP intact: with a 16-bit SS only SP
 * addresses the stack, and an i386 (so lguest's guests) leaves the high
 * half of ESP unreliable after such an iret ("espfix"), so only SP is
 * checked.  Neither the Host's 64-bit iret nor the engine may choke on it.
 */
#include "runtime.h"

#define GDT_STACK16 22
#define STACK16_BASE (USER_STACK_TOP - 0x10000) /* SP 0xf000-0xffff: the user stack page */

USER_DATA volatile uint32_t u_saved_esp, u_sp_after[2], u_result;

USER_TEXT uint32_t u_on_stack16(uint32_t sel)
{
	asm volatile("movl %%esp, u_saved_esp\n\t"
		     "movl %0, %%ss\n\t"
		     "movl $0xDEADFFF0, %%esp\n\t"
		     "pushl $0x1234\n\t"          /* SP 0xffec */
		     "movl %1, %%eax\n\t"
		     "movl $41, %%ebx\n\t"
		     "int $0x80\n\t"
		     "movl %%eax, u_result\n\t"
		     "movl %%esp, u_sp_after\n\t"
		     "int $0x80\n\t"              /* SYS_ECHO again: eax is 42 now, an unknown call */
		     "movl %%esp, u_sp_after + 4\n\t"
		     "movl %2, %%eax\n\t"
		     "movl %%eax, %%ss\n\t"
		     "movl u_saved_esp, %%esp"
		     :
		     : "r"(sel), "i"(SYS_ECHO), "i"(SEL_USER_DS)
		     : "eax", "ebx", "memory");
	return u_result;
}

static uint64_t stack16_desc(void)
{
	uint32_t base = STACK16_BASE, limit = 0xFFFF;
	uint32_t access = 0x80 | (3 << 5) | 0x10 | SEG_TYPE_DATA_RW; /* no G, no B */

	return (uint64_t)(((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | (base & 0xFF000000)) << 32 |
	       ((limit & 0xFFFF) | (base << 16));
}

void guest_main(void)
{
	uint32_t r;

	kprintf("expect-survive: ^16-bit user stack: system calls come back with SP intact$\n");
	user_init();
	gdt_load(GDT_STACK16, stack16_desc());
	r = user_call(u_on_stack16, SEG_GDT(GDT_STACK16, 3), 0, 0);
	is_u32(r, 42, "a system call from a 16-bit stack returns its result");
	is_u32(syscall_last.ss, SEG_GDT(GDT_STACK16, 3), "its frame holds the 16-bit SS");
	is_u32(syscall_last.esp & 0xFFFF, 0xFFEC, "and the user SP");
	is_u32(USER_READ(u_sp_after[0]) & 0xFFFF, 0xFFEC, "back in user mode SP is intact");
	is_u32(USER_READ(u_sp_after[1]) & 0xFFFF, 0xFFEC, "and after a second call too");
	diag("esp after: %#x %#x", USER_READ(u_sp_after[0]), USER_READ(u_sp_after[1]));

	if (!tap_failures())
		kprintf("16-bit user stack: system calls come back with SP intact\n");
	power_off();
}
