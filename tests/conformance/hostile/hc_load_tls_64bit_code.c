/*
 * hostile: LHCALL_LOAD_TLS whose middle descriptor (GDT entry 7) is a
 * 64-bit code segment (L set, D clear).  The TLS entries get the same
 * fix-ups as LOAD_GDT_ENTRY (lguest's fixup_gdt_table); in lgkvm's
 * compatibility mode that means clearing L, which leaves 16-bit code.  A
 * far jump there must run a 16-bit `ljmpl` back to the kernel's CS: in
 * 64-bit code 0xea is no instruction (#UD), and 32-bit code would read a
 * 16-bit offset and a bad selector (#GP).
 */
#include "runtime.h"

#define TLS_CODE (GDT_ENTRY_TLS_MIN + 1)
#define DESC_L (1ull << 53)
#define DESC_DB (1ull << 54)

/* 66 ea: ljmpl $SEL_KERNEL_CS, $tls_far_back (16-bit mode, 32-bit operand). */
extern const char tls_far_stub[];
asm(".pushsection .text\n"
    ".balign 16\n"
    "tls_far_stub:\n\t"
    ".byte 0x66, 0xea\n\t"
    ".long tls_far_back\n\t"
    ".word 0x61\n"
    ".popsection");

void guest_main(void)
{
	static uint64_t tls[3];
	static struct __attribute__((packed)) {
		uint32_t offset;
		uint16_t sel;
	} target;
	uint32_t base = (uint32_t)tls_far_stub & ~0xFFFFu, n = trap_count, at;

	kprintf("expect-survive: ^refused: a 64-bit TLS code segment runs as 16-bit code\n");
	tls[1] = (seg_desc(base, 0xF, SEG_TYPE_CODE_RX, 1) | DESC_L) & ~DESC_DB;
	tls_load(tls);
	target.offset = (uint32_t)tls_far_stub - base;
	target.sel = SEG_GDT(TLS_CODE, 1);
	asm volatile(TRAP_ARM "ljmp *(%1)\n"
		     "tls_far_back:" TRAP_END
		     : "=&r"(at)
		     : "r"(&target)
		     : "memory");
	(void)at;
	if (trap_count != n)
		bail_out("the far jump trapped: vector %u error %#x at %#x cs %#x", trap_last.vector, trap_last.error,
			 trap_last.eip, trap_last.cs);
	kprintf("refused: a 64-bit TLS code segment runs as 16-bit code\n");
	power_off();
}
