/*
 * hostile: system descriptors in the GDT and the TLS slots: a 32-bit call
 * gate to the kernel's code, a TSS and an LDT, all DPL 3.  A call gate is
 * the one descriptor that could lead user mode to a higher privilege.
 * lgkvm never installs them (not present); lguest's fixup set the type's
 * low bit, which turned the call gate into a reserved type.  Either way
 * user mode using them gets #GP or #NP with the selector, and the gate's
 * target never runs.  (kvm_pvm, which emulates compatibility mode, raises
 * #UD for a far call through them: a refusal too, so it is accepted.)
 */
#include "runtime.h"

#define GDT_CALL_GATE 20
#define GDT_TSS 21
#define GDT_LDT 22

static volatile uint32_t target_ran;

static void gate_target(void)
{
	target_ran = 1;
}

static uint64_t call_gate(uint16_t sel, uint32_t off)
{
	uint32_t lo = ((uint32_t)sel << 16) | (off & 0xFFFF);
	uint32_t hi = (off & 0xFFFF0000) | 0x8000 | (3 << 13) | (0xC << 8); /* P, DPL 3, 32-bit call gate */

	return (uint64_t)hi << 32 | lo;
}

static uint64_t system_desc(uint32_t base, uint32_t limit, unsigned type)
{
	uint32_t access = 0x80 | (3 << 5) | type; /* P, DPL 3, S clear */

	return (uint64_t)(((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | (base & 0xFF000000)) << 32 |
	       ((limit & 0xFFFF) | (base << 16));
}

USER_TEXT uint32_t u_far_call(uint32_t sel)
{
	volatile uint32_t target[2] = { 0, sel };

	asm volatile("lcall *(%0)" : : "r"(target) : "memory");
	return 0x600d;
}

USER_TEXT uint32_t u_load_fs(uint32_t sel)
{
	asm volatile("movl %0, %%fs" : : "r"(sel) : "memory");
	return 0x600d;
}

static int refused(uint32_t code, uint32_t sel)
{
	return (code == (USER_TRAPPED | 13) || code == (USER_TRAPPED | 11)) && trap_last.error == (sel & ~3u);
}

static int call_refused(uint32_t code, uint32_t sel)
{
	return refused(code, sel) || code == (USER_TRAPPED | 6);
}

void guest_main(void)
{
	static uint8_t tss[104] __attribute__((aligned(16)));
	static uint64_t tls[3];
	uint32_t sels[3] = { SEG_GDT(GDT_CALL_GATE, 3), SEG_GDT(GDT_TSS, 3), SEG_GDT(GDT_LDT, 3) };
	uint32_t tls_sels[3] = { SEG_GDT(GDT_ENTRY_TLS_MIN, 3), SEG_GDT(GDT_ENTRY_TLS_MIN + 1, 3),
				 SEG_GDT(GDT_ENTRY_TLS_MIN + 2, 3) };
	uint32_t bad = 0;

	kprintf("expect-survive: ^call gates, TSS and LDT descriptors are refused to user mode$\n");
	user_init();
	tls[0] = call_gate(SEL_KERNEL_CS & ~3, (uint32_t)gate_target);
	tls[1] = system_desc((uint32_t)tss, sizeof(tss) - 1, 0x9);
	tls[2] = system_desc((uint32_t)tss, sizeof(tss) - 1, 0x2);
	gdt_load(GDT_CALL_GATE, tls[0]);
	gdt_load(GDT_TSS, tls[1]);
	gdt_load(GDT_LDT, tls[2]);
	tls_load(tls);

	for (unsigned i = 0; i < 3; i++) {
		uint32_t c1 = user_call(u_far_call, sels[i], 0, 0), c2, c3, c4;

		bad += !call_refused(c1, sels[i]);
		c2 = user_call(u_load_fs, sels[i], 0, 0);
		bad += !refused(c2, sels[i]);
		c3 = user_call(u_far_call, tls_sels[i], 0, 0);
		bad += !call_refused(c3, tls_sels[i]);
		c4 = user_call(u_load_fs, tls_sels[i], 0, 0);
		bad += !refused(c4, tls_sels[i]);
		diag("entry %u: lcall %#x, mov fs %#x; TLS: %#x, %#x", i, c1, c2, c3, c4);
	}
	is_u32(bad, 0, "lcall and mov %fs through each, in the GDT and as TLS: refused with a fault");
	is_u32(target_ran, 0, "the call gate's target never ran");

	if (!tap_failures())
		kprintf("call gates, TSS and LDT descriptors are refused to user mode\n");
	power_off();
}
