/*
 * hostile: x87 memory operands through a segment whose limit ends where
 * the mapped memory does not.  The limit holds for every instruction: an
 * fld of the word past a one-page segment is #GP(0), though the page
 * behind it is mapped, and so is one at an expand-down segment's offset 0.
 * (lgkvm emulates x87 itself where the execution engine cannot run it, so
 * the limit check is the Host's there.)
 */
#include "runtime.h"

#define GDT_PAGE 21
#define GDT_DOWN 20

static uint64_t data_desc(uint32_t base, uint32_t limit, unsigned type, unsigned flags, unsigned dpl)
{
	uint32_t access = 0x80 | (dpl << 5) | 0x10 | type;

	return (uint64_t)(((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | (flags << 20) |
			  (base & 0xFF000000)) << 32 |
	       ((limit & 0xFFFF) | (base << 16));
}

USER_TEXT uint32_t u_fld_gs(uint32_t sel, uint32_t off)
{
	volatile uint32_t v = 0;

	asm volatile("movl %1, %%gs\n\tflds %%gs:(%2)\n\tfstps %0" : "=m"(v) : "r"(sel), "r"(off) : "memory");
	return v;
}

void guest_main(void)
{
	uint32_t page = page_alloc_phys(), r;

	kprintf("expect-survive: ^x87 operands obey segment limits$\n");
	/* QEMU's TCG (the nested-KVM VM's CPU) does not check segment limits. */
	kprintf("tcg-skip: segment limits are not checked by the emulated CPU\n");
	user_init();
	*(uint32_t *)phys_to_virt(page + PAGE_SIZE - 4) = 0x3F800000; /* 1.0f */
	*(uint32_t *)phys_to_virt(page) = 0x40000000;                  /* 2.0f */
	pte_set(boot_pgdir, USER_TEST_BASE, page | PTE_PRESENT | PTE_USER | PTE_ACCESSED);
	pte_set(boot_pgdir, USER_TEST_BASE + PAGE_SIZE, page | PTE_PRESENT | PTE_USER | PTE_ACCESSED);
	gdt_load(GDT_PAGE, data_desc(USER_TEST_BASE, 0xFFF, SEG_TYPE_DATA_RW, 0x4, 3));
	gdt_load(GDT_DOWN, data_desc(0, 0x0FFFF, 0x6, 0xC, 3));

	is_u32(user_call(u_fld_gs, SEG_GDT(GDT_PAGE, 3), PAGE_SIZE - 4, 0), 0x3F800000,
	       "fld of a one-page segment's last word works");
	r = user_call(u_fld_gs, SEG_GDT(GDT_PAGE, 3), PAGE_SIZE, 0);
	ok(r == (USER_TRAPPED | 13) && trap_last.error == 0, "fld of the word past its limit: #GP(0)");
	diag("past the limit: %#x", r);
	is_u32(user_call(u_fld_gs, SEG_GDT(GDT_DOWN, 3), USER_TEST_BASE, 0), 0x40000000,
	       "fld above an expand-down segment's limit works");
	r = user_call(u_fld_gs, SEG_GDT(GDT_DOWN, 3), USER_TEST_BASE - 4, 0);
	ok(r == (USER_TRAPPED | 13) && trap_last.error == 0, "fld at its limit: #GP(0)");
	diag("at the expand-down limit: %#x", r);

	if (!tap_failures())
		kprintf("x87 operands obey segment limits\n");
	power_off();
}
