/*
 * hostile: after LHCALL_LGUEST_INIT the guest points the kernel PTE of
 * lguest_data's page at another page (a decoy copy).  lguest_data was
 * registered by guest-physical address, and lguest kept using that page
 * (lguest_arch_init_hypercalls: mem_base + the address) whatever the
 * guest's page tables said later; lgkvm must too.  A page fault's cr2 must
 * land in the registered page, seen through a second mapping, and the
 * decoy stay untouched.
 */
#include "runtime.h"

#define ALIAS (KWIN_BASE + 0x20 * PAGE_SIZE)
#define FAULT_VA 0x30000000u

void guest_main(void)
{
	uint32_t ld_va = (uint32_t)&lguest_data, ld_pa = virt_to_phys(&lguest_data), v;
	volatile struct lguest_data *real = (volatile struct lguest_data *)ALIAS;
	uint8_t *decoy = page_alloc();
	pte_t old;

	kprintf("expect-survive: ^survived: the Host kept using lguest_data's physical page\n");
	if (ld_va & (PAGE_SIZE - 1))
		bail_out("lguest_data is not page-aligned");
	pte_set(boot_pgdir, ALIAS, ld_pa | PTE_KERNEL_RW);
	irq_disable(); /* in the registered page: no interrupt meanwhile */
	memcpy(decoy, (const void *)ld_va, PAGE_SIZE);
	((volatile struct lguest_data *)decoy)->cr2 = 0;
	old = *pte_ptr(boot_pgdir, ld_va);
	pte_set(boot_pgdir, ld_va, virt_to_phys(decoy) | PTE_KERNEL_RW);

	probe_read32(FAULT_VA, &v); /* the Host writes cr2 */

	/* Back as it was; what the rest of the page got meanwhile, too. */
	memcpy((uint8_t *)ALIAS + sizeof(struct lguest_data), decoy + sizeof(struct lguest_data),
	       PAGE_SIZE - sizeof(struct lguest_data));
	pte_set(boot_pgdir, ld_va, old);
	if (trap_last.vector != 14)
		bail_out("reading %#x gave vector %u, not a page fault", FAULT_VA, trap_last.vector);
	if (real->cr2 != FAULT_VA)
		bail_out("lguest_data.cr2 in the registered page is %#x, not %#x", real->cr2, FAULT_VA);
	if (((volatile struct lguest_data *)decoy)->cr2 != 0)
		bail_out("the Host wrote cr2 %#x into the page now mapped at lguest_data's address",
			 ((volatile struct lguest_data *)decoy)->cr2);
	kprintf("survived: the Host kept using lguest_data's physical page\n");
	power_off();
}
