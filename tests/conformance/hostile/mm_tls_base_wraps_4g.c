/*
 * hostile: TLS and GDT data segments whose base plus offset passes 4 GiB.
 * In 32-bit code a linear address wraps at 4 GiB; lgkvm runs the guest in
 * a 64-bit CPU's compatibility mode, with its own memory above 4 GiB, so
 * a segment must never let an access reach past the 32-bit space.  A TLS
 * segment based at 0xf8000000 reads and writes a user variable at offset
 * variable + 0x08000000, and where the wrapped address is unmapped the
 * #PF names that 32-bit address.  The kernel does the same through a GDT
 * entry.  (lguest's 32-bit Host had nothing above 4 GiB to reach.)
 */
#include "runtime.h"

#define GDT_HIGH 20
#define BASE 0xF8000000u
#define WRAP(va) ((va) - BASE) /* the offset that wraps to va */

USER_DATA volatile uint32_t u_word = 0x5EED0001;

USER_TEXT uint32_t u_gs_read(uint32_t sel, uint32_t off)
{
	uint32_t v;

	asm volatile("movl %1, %%gs\n\tmovl %%gs:(%2), %0" : "=r"(v) : "r"(sel), "r"(off) : "memory");
	return v;
}

USER_TEXT uint32_t u_gs_write(uint32_t sel, uint32_t off, uint32_t v)
{
	asm volatile("movl %0, %%gs\n\tmovl %2, %%gs:(%1)" : : "r"(sel), "r"(off), "r"(v) : "memory");
	return 0;
}

void guest_main(void)
{
	static uint64_t tls[3];
	uint32_t sel = SEG_GDT(GDT_ENTRY_TLS_MIN, 3), r, v = 0, n, at;

	kprintf("expect-survive: ^segment base plus offset wraps at 4 GiB, never past it$\n");
	user_init();
	tls[0] = seg_desc(BASE, 0xFFFFF, SEG_TYPE_DATA_RW, 3);
	tls_load(tls);

	is_u32(user_call(u_gs_read, sel, WRAP((uint32_t)&u_word), 0), 0x5EED0001,
	       "TLS base 0xf8000000: a read at the offset that wraps finds the user variable");
	user_call(u_gs_write, sel, WRAP((uint32_t)&u_word), 0x5EED0002);
	is_u32(USER_READ(u_word), 0x5EED0002, "and a write lands in it");
	r = user_call(u_gs_read, sel, WRAP(USER_TEST_BASE), 0);
	ok(r == (USER_TRAPPED | 14) && trap_last.cr2 == USER_TEST_BASE,
	   "where the wrapped address is unmapped: #PF with the 32-bit address");

	gdt_load(GDT_HIGH, seg_desc(BASE, 0xFFFFF, SEG_TYPE_DATA_RW, 1));
	n = trap_count;
	asm volatile("movl %2, %%fs\n\t" TRAP_ARM "movl %%fs:(%3), %1" TRAP_END
		     : "=&r"(at), "+r"(v)
		     : "r"(SEG_GDT(GDT_HIGH, 1)), "r"(WRAP((uint32_t)&lguest_data.kernel_address))
		     : "memory");
	set_fs(0);
	ok(trap_count == n && v == KERNEL_BASE, "the kernel through a GDT entry: reads lguest_data past the wrap");

	if (!tap_failures())
		kprintf("segment base plus offset wraps at 4 GiB, never past it\n");
	power_off();
}
