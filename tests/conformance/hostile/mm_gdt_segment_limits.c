/*
 * hostile: data segments with limits the Host must pass through untouched:
 * an expand-down segment (valid offsets above its limit only), a
 * byte-granular one-page segment and a 16-bit (B clear) expand-down one.
 * lguest only raised DPL 0 to 1 and set the accessed bit; so does lgkvm.
 * Accesses inside the limits work, those outside are #GP(0), whatever the
 * pages behind them.
 */
#include "runtime.h"

#define GDT_DOWN 20
#define GDT_PAGE 21
#define GDT_DOWN16 22
#define TYPE_DATA_DOWN 0x6 /* data, expand-down, writable */

static uint64_t data_desc(uint32_t base, uint32_t limit, unsigned type, unsigned flags)
{
	uint32_t access = 0x80 | (3 << 5) | 0x10 | type;

	return (uint64_t)(((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | (flags << 20) |
			  (base & 0xFF000000)) << 32 |
	       ((limit & 0xFFFF) | (base << 16));
}

USER_TEXT uint32_t u_gs_read(uint32_t sel, uint32_t off)
{
	uint32_t v;

	asm volatile("movl %1, %%gs\n\tmovl %%gs:(%2), %0" : "=r"(v) : "r"(sel), "r"(off) : "memory");
	return v;
}

static void check_gp(const char *what, uint32_t code)
{
	okf(code == (USER_TRAPPED | 13) && trap_last.error == 0, "%s: #GP(0)", what);
}

void guest_main(void)
{
	uint32_t page = page_alloc_phys();
	uint32_t down = SEG_GDT(GDT_DOWN, 3), one = SEG_GDT(GDT_PAGE, 3), down16 = SEG_GDT(GDT_DOWN16, 3);

	kprintf("expect-survive: ^expand-down, byte-granular and 16-bit limits hold$\n");
	/* QEMU's TCG (the nested-KVM VM's CPU) does not check segment limits. */
	kprintf("tcg-skip: segment limits are not checked by the emulated CPU\n");
	user_init();
	*(uint32_t *)phys_to_virt(page) = 0x11112222;
	*(uint32_t *)phys_to_virt(page + PAGE_SIZE - 4) = 0x33334444;
	pte_set(boot_pgdir, USER_TEST_BASE, page | PTE_PRESENT | PTE_USER | PTE_ACCESSED);
	pte_set(boot_pgdir, USER_TEST_BASE + PAGE_SIZE, page | PTE_PRESENT | PTE_USER | PTE_ACCESSED);

	/* Expand-down, 4 KiB granular, limit 0x0ffff pages: offsets 0x10000000 and up. */
	gdt_load(GDT_DOWN, data_desc(0, 0x0FFFF, TYPE_DATA_DOWN, 0xC));
	is_u32(user_call(u_gs_read, down, USER_TEST_BASE, 0), 0x11112222, "expand-down: an offset above the limit works");
	check_gp("expand-down: an offset at the limit", user_call(u_gs_read, down, USER_TEST_BASE - 4, 0));
	check_gp("expand-down: offset 0", user_call(u_gs_read, down, 0, 0));

	/* Byte-granular, base USER_TEST_BASE, limit 0xfff: one page. */
	gdt_load(GDT_PAGE, data_desc(USER_TEST_BASE, 0xFFF, SEG_TYPE_DATA_RW, 0x4));
	is_u32(user_call(u_gs_read, one, PAGE_SIZE - 4, 0), 0x33334444, "one-page segment: its last word");
	check_gp("one-page segment: a word across the limit", user_call(u_gs_read, one, PAGE_SIZE - 2, 0));
	check_gp("one-page segment: the next page, though mapped", user_call(u_gs_read, one, PAGE_SIZE, 0));

	/* 16-bit expand-down: offsets above the limit, up to 0xffff only. */
	gdt_load(GDT_DOWN16, data_desc(USER_TEST_BASE - 0x8000, 0x7FFF, TYPE_DATA_DOWN, 0x0));
	is_u32(user_call(u_gs_read, down16, 0x8000, 0), 0x11112222, "16-bit expand-down: an offset above the limit");
	check_gp("16-bit expand-down: past 0xffff", user_call(u_gs_read, down16, 0x10000, 0));

	if (!tap_failures())
		kprintf("expand-down, byte-granular and 16-bit limits hold\n");
	power_off();
}
