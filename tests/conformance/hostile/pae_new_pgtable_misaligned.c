/* hostile: LHCALL_NEW_PGTABLE of a PAE PDPT that is not 32-byte aligned. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*NEW_PGTABLE 0x[0-9a-f]*8\\b.*aligned\n");
	hcall_sync(LHCALL_NEW_PGTABLE, virt_to_phys(boot_pgdir) + 8, 0, 0, 0);
	kprintf("still alive after NEW_PGTABLE of a misaligned PDPT\n");
}
