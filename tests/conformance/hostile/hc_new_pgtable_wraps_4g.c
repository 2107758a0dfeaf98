/*
 * hostile: LHCALL_NEW_PGTABLE naming the last page below 4 GiB: aligned,
 * but not RAM, and a walk of it reaches 4 GiB.  lguest killed the guest
 * at its first read of it ("bad read address").
 */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(NEW_PGTABLE|page directory|read address)\n");
	hcall_sync(LHCALL_NEW_PGTABLE, 0xFFFFF000, 0, 0, 0);
	kprintf("still alive after NEW_PGTABLE at 0xfffff000\n");
}
