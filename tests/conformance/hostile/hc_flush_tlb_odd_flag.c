/*
 * hostile: LHCALL_FLUSH_TLB with arg1 = 0x80000000.  lguest flushed
 * everything, kernel mappings included, for any nonzero argument
 * (`if (args->arg1)`), and only user mappings for 0.  A Host that tested
 * bit 0 would keep a stale kernel mapping here.  The guest changes a
 * kernel PTE in memory only, flushes with the odd flag and must see the
 * new page.
 */
#include "runtime.h"

#define KVA (KWIN_BASE + 0x10 * PAGE_SIZE)

void guest_main(void)
{
	volatile uint32_t *a = page_alloc(), *b = page_alloc();
	uint32_t v;

	kprintf("expect-survive: ^survived: FLUSH_TLB\\(0x80000000\\) flushed the kernel mappings\n");
	*a = 0xAAAA;
	*b = 0xBBBB;
	pte_set(boot_pgdir, KVA, virt_to_phys(a) | PTE_KERNEL_RW);
	if (probe_read32(KVA, &v) || v != 0xAAAA)
		bail_out("the kernel window page reads %#x", v);
	pte_write(boot_pgdir, KVA, virt_to_phys(b) | PTE_KERNEL_RW); /* no SET_PTE */
	hcall_sync(LHCALL_FLUSH_TLB, 0x80000000, 0, 0, 0);
	if (probe_read32(KVA, &v) || v != 0xBBBB)
		bail_out("after FLUSH_TLB(0x80000000) the kernel mapping still reads %#x (expected 0xbbbb)", v);
	kprintf("survived: FLUSH_TLB(0x80000000) flushed the kernel mappings\n");
	power_off();
}
