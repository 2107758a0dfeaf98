/*
 * hostile: LHCALL_NEW_PGTABLE of a 2-level page directory 2 KiB into a
 * page.  A page directory is a whole page; lguest read whatever the
 * address gave, lgkvm refuses it (as for a misaligned PAE PDPT,
 * pae_new_pgtable_misaligned).
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*NEW_PGTABLE 0x[0-9a-f]*800\\b.*aligned\n");
	hcall_sync(LHCALL_NEW_PGTABLE, virt_to_phys(boot_pgdir) + 0x800, 0, 0, 0);
	kprintf("still alive after NEW_PGTABLE of a misaligned page directory\n");
}
