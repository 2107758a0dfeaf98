/*
 * hostile: LHCALL_NEW_PGTABLE of a PAE PDPT at 0xffffffe0: its 32 bytes end
 * exactly at 4 GiB (0 in 32-bit arithmetic).  Not RAM; lguest killed the
 * guest at its first read of it ("bad read address").
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(NEW_PGTABLE|page directory|read address)\n");
	hcall_sync(LHCALL_NEW_PGTABLE, 0xFFFFFFE0, 0, 0, 0);
	kprintf("still alive after NEW_PGTABLE at 0xffffffe0\n");
}
