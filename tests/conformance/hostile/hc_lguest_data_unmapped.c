/*
 * hostile: after LHCALL_LGUEST_INIT the guest unmaps lguest_data's page
 * from its own page tables.  lguest_data is known by guest-physical
 * address (lguest kept mem_base + that address), so the Host must go on
 * using it: a call queued in the ring, through another mapping of the
 * same page, runs at the next hypercall and its slot is marked done.
 * Meanwhile the guest takes no trap: its handlers use lguest_data.
 */
#include "runtime.h"

#define ALIAS (KWIN_BASE + 0x20 * PAGE_SIZE)
#define GDT_PROBE 20

static volatile uint32_t word;

void guest_main(void)
{
	uint32_t ld_va = (uint32_t)&lguest_data, ld_pa = virt_to_phys(&lguest_data), v = 0, at;
	volatile struct lguest_data *real = (volatile struct lguest_data *)ALIAS;
	uint64_t d = seg_desc((uint32_t)&word, 0xFFFFF, SEG_TYPE_DATA_RW, 1);
	unsigned slot = hcall_async_next_slot();
	uint8_t status;
	pte_t old;

	kprintf("expect-survive: ^survived: the Host ran the ring in lguest_data's unmapped page\n");
	if (ld_va & (PAGE_SIZE - 1))
		bail_out("lguest_data is not page-aligned");
	word = 0x600D;
	pte_set(boot_pgdir, ALIAS, ld_pa | PTE_KERNEL_RW);
	irq_disable();
	if (real->hcall_status[slot] != 0xFF)
		bail_out("ring slot %u is busy", slot);
	old = *pte_ptr(boot_pgdir, ld_va);
	pte_set(boot_pgdir, ld_va, 0);

	/* Queued as hcall_async() would, but through the alias. */
	real->hcalls[slot].arg0 = LHCALL_LOAD_GDT_ENTRY;
	real->hcalls[slot].arg1 = GDT_PROBE;
	real->hcalls[slot].arg2 = (uint32_t)d;
	real->hcalls[slot].arg3 = (uint32_t)(d >> 32);
	real->hcalls[slot].arg4 = 0;
	barrier();
	real->hcall_status[slot] = 0;
	hcall_sync(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	status = real->hcall_status[slot];
	pte_set(boot_pgdir, ld_va, old);
	/* The runtime's ring cursor did not move: nothing queues after this. */

	asm volatile(TRAP_ARM "movl %2, %%fs\n\tmovl %%fs:0, %1" TRAP_END
		     : "=&r"(at), "+r"(v)
		     : "r"(SEG_GDT(GDT_PROBE, 1))
		     : "memory");
	set_fs(0);
	if (status != 0xFF)
		bail_out("the queued slot %u has status %#x", slot, status);
	if (v != 0x600D)
		bail_out("the queued LOAD_GDT_ENTRY did not run: %%fs:0 reads %#x", v);
	kprintf("survived: the Host ran the ring in lguest_data's unmapped page\n");
	power_off();
}
