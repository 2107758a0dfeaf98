/*
 * hostile: FLUSH_TLB storms.  A thousand rounds of rewriting a user PTE
 * and a kernel PTE behind the Host's back, each followed by FLUSH_TLB(0)
 * or FLUSH_TLB(1), then a ring full of queued flushes.  Each flush must
 * make the new entry visible (lguest threw the shadows away: user ones for
 * 0, everything for 1) and the storm must cost the guest nothing else:
 * its code, stack and other mappings fault back in.
 */
#include "runtime.h"

#define UVA (USER_TEST_BASE + 0x3000)
#define KVA (KWIN_BASE + 0x104000)
#define KRW (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)

static uint32_t pages[2];

void guest_main(void)
{
	uint32_t bad = 0;

	kprintf("expect-survive: ^FLUSH_TLB storms: each flush shows the rewritten entries$\n");
	for (unsigned p = 0; p < 2; p++) {
		pages[p] = page_alloc_phys();
		*(uint32_t *)phys_to_virt(pages[p]) = 0xF1A50000 + p;
	}
	pte_set(boot_pgdir, UVA, pages[0] | KRW);
	pte_set(boot_pgdir, KVA, pages[0] | KRW);

	for (unsigned i = 1; i <= 1000; i++) {
		pte_write(boot_pgdir, UVA, pages[i & 1] | KRW);
		tlb_flush_user();
		bad += mem_read32(UVA) != 0xF1A50000 + (i & 1);
		pte_write(boot_pgdir, KVA, pages[~i & 1] | KRW);
		tlb_flush_all();
		bad += mem_read32(KVA) != 0xF1A50000 + (~i & 1);
		bad += mem_read32(UVA) != 0xF1A50000 + (i & 1);
	}
	is_u32(bad, 0, "1000 rounds of rewrite + FLUSH_TLB(0) and (1)");

	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		hcall_async(LHCALL_FLUSH_TLB, i & 1, 0, 0, 0);
	pte_write(boot_pgdir, UVA, pages[1] | KRW);
	pte_write(boot_pgdir, KVA, pages[1] | KRW);
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	ok(mem_read32(UVA) == 0xF1A50001 && mem_read32(KVA) == 0xF1A50001, "a ring full of flushes, then both read the new page");

	if (!tap_failures())
		kprintf("FLUSH_TLB storms: each flush shows the rewritten entries\n");
	power_off();
}
