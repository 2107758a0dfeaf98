/*
 * hostile: a page directory entry whose page table is the page directory
 * itself (the "recursive" slot).  Under it each directory entry reads as a
 * PTE: SELF_BASE + i * 4 KiB maps the page table of entry i, and entry
 * SELF_PDE maps the directory itself; empty entries fault.  The directory
 * is RAM and its entries carry only _PAGE_TABLE flags, all allowed in a
 * PTE, so lguest took it (check_gpgd, check_gpte): the walk is two levels
 * whatever the entries say, and cannot loop.
 */
#include "runtime.h"

#define SELF_PDE 0x100u /* 0x40000000, user part */
#define SELF_BASE (SELF_PDE << 22)

USER_TEXT uint32_t u_read(uint32_t va)
{
	return *(volatile uint32_t *)va;
}

void guest_main(void)
{
	uint32_t v = 0, dir = virt_to_phys(boot_pgdir);
	int t;

	kprintf("expect-survive: ^recursive page directory entry: tables read back through it$\n");
	user_init();
	pgd_set(boot_pgdir, SELF_PDE, dir | PDE_TABLE);

	t = probe_read32(SELF_BASE + SELF_PDE * PAGE_SIZE + SELF_PDE * 4, &v);
	ok(!t && v == (dir | PDE_TABLE), "the slot's own entry maps the directory: it reads its own entry");
	t = probe_read32(SELF_BASE + KERNEL_PDE * PAGE_SIZE + 5 * 4, &v);
	ok(!t && v == ((pte_t *)phys_to_virt(boot_pgdir[KERNEL_PDE] & PTE_FRAME_MASK))[5],
	   "entry KERNEL_PDE maps the kernel's first page table");
	is_u32(user_call(u_read, SELF_BASE + SELF_PDE * PAGE_SIZE + KWIN_PDE * 4, 0, 0), boot_pgdir[KWIN_PDE],
	       "_PAGE_TABLE has USER: user mode reads the directory through the slot");

	t = probe_read32(SELF_BASE + (SELF_PDE + 1) * PAGE_SIZE, &v);
	ok(t && trap_last.vector == 14 && trap_last.cr2 == SELF_BASE + (SELF_PDE + 1) * PAGE_SIZE,
	   "an empty directory entry is a not-present PTE there: #PF");

	/* A second recursive slot in the same directory: loops stay two levels. */
	pgd_set(boot_pgdir, SELF_PDE + 1, dir | PDE_TABLE);
	t = probe_read32(((SELF_PDE + 1) << 22) + SELF_PDE * PAGE_SIZE + (SELF_PDE + 1) * 4, &v);
	ok(!t && v == (dir | PDE_TABLE), "a second recursive slot sees the first one's entry");

	pgd_set(boot_pgdir, SELF_PDE, 0);
	pgd_set(boot_pgdir, SELF_PDE + 1, 0);
	t = probe_read32(SELF_BASE + SELF_PDE * PAGE_SIZE, &v);
	ok(t && trap_last.vector == 14, "cleared with SET_PGD, the slot faults again");

	if (!tap_failures())
		kprintf("recursive page directory entry: tables read back through it\n");
	power_off();
}
