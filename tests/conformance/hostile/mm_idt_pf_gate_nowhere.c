/*
 * hostile: the page-fault gate itself points to an unmapped address, and
 * the guest faults.  Each delivery's fetch faults again, so #PF frames
 * pile up on the kernel stack (hardware would do the same: a fault at the
 * handler's first instruction is a new fault, not a double fault).  The
 * guest runs on a one-page stack with nothing mapped below it: after 256
 * frames the Host cannot push the next one and must kill the guest, not
 * loop or crash.  lguest pushed with guest_pa(), which killed on the
 * unmapped page: "Bad address".
 */
#include "runtime.h"

#define NOWHERE (KWIN_BASE + 0x300000)
#define STACK_VA (KWIN_BASE + 0x200000) /* one page, none below it */

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(stack|push|bad address)\n");
	pte_set(boot_pgdir, STACK_VA, page_alloc_phys() | PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);
	idt_set_gate(14, NOWHERE, IDT_INTERRUPT_GATE, 0);
	asm volatile("movl %0, %%esp\n\t"
		     "movl (%1), %%eax"
		     :
		     : "r"(STACK_VA + PAGE_SIZE), "r"(NOWHERE)
		     : "eax", "memory");
	kprintf("still alive after page faults with an unmapped #PF handler\n");
}
