/*
 * hostile: LHCALL_NEW_PGTABLE of a PAE PDPT at the first address past RAM:
 * 32-byte aligned, one byte too far.  lguest took the address as given and
 * killed the guest at its first read of the PDPT ("bad read address").
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(NEW_PGTABLE|page directory|read address)\n");
	hcall_sync(LHCALL_NEW_PGTABLE, ram_size(), 0, 0, 0);
	kprintf("still alive after NEW_PGTABLE at the end of RAM\n");
}
