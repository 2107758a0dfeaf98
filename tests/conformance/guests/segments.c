/*
 * segments: GDT entries from LHCALL_LOAD_GDT_ENTRY and LHCALL_LOAD_TLS are
 * usable at once, from user mode too; and the Host's fix-up: a descriptor
 * with DPL 0 becomes DPL 1 (the guest kernel's ring), never ring 0.
 */
#include "runtime.h"

#define GDT_TEST_DATA 20
#define GDT_DPL0_DATA 21
#define GDT_DPL0_CODE 22

USER_DATA volatile uint32_t u_words[8] = { 0x11110000, 0x22220000, 0x33330000, 0x44440000,
					   0x55550000, 0x66660000, 0x77770000, 0x88880000 };
USER_DATA volatile uint32_t u_eip;

/* Load a selector into %gs at CPL 3 and read %gs:0. */
USER_TEXT uint32_t u_read_gs0(uint32_t sel)
{
	uint32_t v;

	asm volatile("movl $1f, u_eip\n1:\tmovl %1, %%gs\n\tmovl %%gs:0, %0" : "=r"(v) : "r"(sel) : "memory");
	return v;
}

static uint32_t uaddr(volatile uint32_t *p)
{
	return (uint32_t)p; /* a user virtual address */
}

static void test_gdt_entry_from_user(void)
{
	gdt_load(GDT_TEST_DATA, seg_desc(uaddr(&u_words[1]), 0xFFFFF, SEG_TYPE_DATA_RW, 3));
	is_u32(user_call(u_read_gs0, SEG_GDT(GDT_TEST_DATA, 3), 0, 0), 0x22220000,
	       "LOAD_GDT_ENTRY: a DPL 3 data segment is usable from user mode, with its base");
	gdt_load(GDT_TEST_DATA, seg_desc(uaddr(&u_words[2]), 0xFFFFF, SEG_TYPE_DATA_RW, 3));
	is_u32(user_call(u_read_gs0, SEG_GDT(GDT_TEST_DATA, 3), 0, 0), 0x33330000,
	       "reloading the entry with another base takes effect at once");
}

static void test_tls(void)
{
	static uint64_t tls[3];
	uint32_t a, b, c;

	tls[0] = seg_desc(uaddr(&u_words[3]), 0xFFFFF, SEG_TYPE_DATA_RW, 3);
	tls[1] = seg_desc(uaddr(&u_words[4]), 0xFFFFF, SEG_TYPE_DATA_RW, 3);
	tls[2] = seg_desc(uaddr(&u_words[5]), 0xFFFFF, SEG_TYPE_DATA_RW, 3);
	tls_load(tls);
	a = user_call(u_read_gs0, SEG_GDT(GDT_ENTRY_TLS_MIN, 3), 0, 0);
	b = user_call(u_read_gs0, SEG_GDT(GDT_ENTRY_TLS_MIN + 1, 3), 0, 0);
	c = user_call(u_read_gs0, SEG_GDT(GDT_ENTRY_TLS_MIN + 2, 3), 0, 0);
	if (!ok(a == 0x44440000 && b == 0x55550000 && c == 0x66660000,
		"LOAD_TLS: all three TLS entries (6, 7, 8) are usable from user mode"))
		diag("read %#x %#x %#x", a, b, c);

	tls[1] = seg_desc(uaddr(&u_words[6]), 0xFFFFF, SEG_TYPE_DATA_RW, 3);
	tls_load(tls);
	is_u32(user_call(u_read_gs0, SEG_GDT(GDT_ENTRY_TLS_MIN + 1, 3), 0, 0), 0x77770000,
	       "LOAD_TLS again replaces the entries at once");
}

/* lguest's fixup_gdt_table(): DPL 0 is raised to the guest kernel's DPL 1. */
static void test_dpl0_refused(void)
{
	static uint32_t kernel_word = 0x12345678;
	uint32_t n = trap_count, at, v = 0, code;

	gdt_load(GDT_DPL0_DATA, seg_desc((uint32_t)&kernel_word, 0xFFFFF, SEG_TYPE_DATA_RW, 0));
	asm volatile(TRAP_ARM "movl %2, %%fs\n\tmovl %%fs:0, %1" TRAP_END
		     : "=&r"(at), "+r"(v)
		     : "r"(SEG_GDT(GDT_DPL0_DATA, 1))
		     : "memory");
	set_fs(0);
	ok(trap_count == n && v == 0x12345678, "a DPL 0 data segment became DPL 1: CPL 1 can load and use it");

	code = user_call(u_read_gs0, SEG_GDT(GDT_DPL0_DATA, 3), 0, 0);
	ok(code == (USER_TRAPPED | 13) && trap_last.error == SEG_GDT(GDT_DPL0_DATA, 0) &&
		   trap_last.eip == USER_READ(u_eip),
	   "user mode loading it faults with #GP(selector)");

	/* A ring-0 code segment would fault a far jump from CPL 1. */
	gdt_load(GDT_DPL0_CODE, seg_desc(0, 0xFFFFF, SEG_TYPE_CODE_RX, 0));
	n = trap_count;
	asm volatile(TRAP_ARM "ljmp %1, $3f\n"
		     "3:\tljmp %2, $2f" TRAP_END
		     : "=&r"(at)
		     : "i"(SEG_GDT(GDT_DPL0_CODE, 1)), "i"(SEL_KERNEL_CS)
		     : "memory");
	if (!ok(trap_count == n, "a DPL 0 code segment became DPL 1: a far jump from CPL 1 into it works"))
		diag("trap %u error %#x at %#x", trap_last.vector, trap_last.error, trap_last.eip);
}

/* The Host keeps its own entries: loading them must not break anything. */
static void test_host_entries_kept(void)
{
	uint64_t junk = seg_desc(0, 0xFFFFF, SEG_TYPE_DATA_RW, 3);

	gdt_load(GDT_ENTRY_LGUEST_CS, junk);
	gdt_load(GDT_ENTRY_LGUEST_DS, junk);
	gdt_load(GDT_ENTRY_TSS, junk);
	gdt_load(GDT_ENTRY_DOUBLEFAULT_TSS, junk);
	is_u32(user_call(u_read_gs0, SEG_GDT(GDT_TEST_DATA, 3), 0, 0), 0x33330000,
	       "LOAD_GDT_ENTRY of entries 10, 11, 16, 31 is ignored: user mode and traps still work");
}

void guest_main(void)
{
	diag("conformance guest: segments");
	user_init();
	irq_enable();
	test_gdt_entry_from_user();
	test_tls();
	test_dpl0_refused();
	test_host_entries_kept();
	tap_done();
}
