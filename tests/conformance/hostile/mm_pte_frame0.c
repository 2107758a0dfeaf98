/*
 * hostile: PTEs mapping guest frame 0 (boot_params), for the kernel and
 * for user mode.  Frame 0 is RAM like any other: lguest's check_gpte only
 * refused frames at or past pfn_limit, and a "null" frame is no special
 * case for the Host.  Reads see boot_params' "HdrS" magic, a write lands
 * in frame 0.
 */
#include "runtime.h"

#define KVA 0x40000000u
#define UVA (USER_TEST_BASE + 0x1000)

USER_TEXT uint32_t u_read(uint32_t va)
{
	return *(volatile uint32_t *)va;
}

void guest_main(void)
{
	uint32_t v = 0, old = mem_read32(BOOT_PARAMS + 0xFFC);
	int t;

	kprintf("expect-survive: ^frame 0 mapped by a PTE: boot_params read back$\n");
	user_init();
	pte_set(boot_pgdir, KVA, 0 | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	pte_set(boot_pgdir, UVA, 0 | PTE_PRESENT | PTE_USER);

	t = probe_read32(KVA + BP_HDR_MAGIC, &v);
	ok(!t && v == 0x53726448, "a kernel PTE to frame 0 reads boot_params' \"HdrS\"");
	is_u32(user_call(u_read, UVA + BP_HDR_MAGIC, 0, 0), 0x53726448, "so does a user PTE to frame 0");
	t = probe_write32(KVA + 0xFFC, 0x0F0F0F0F);
	ok(!t && mem_read32(BOOT_PARAMS + 0xFFC) == 0x0F0F0F0F, "a write through it lands in frame 0");
	mem_write32(BOOT_PARAMS + 0xFFC, old);

	if (!tap_failures())
		kprintf("frame 0 mapped by a PTE: boot_params read back\n");
	power_off();
}
