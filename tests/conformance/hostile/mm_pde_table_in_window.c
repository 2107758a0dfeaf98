/*
 * hostile: a page directory entry whose page table is the frame just past
 * RAM, in the device window.  Device frames may be mapped as pages, but
 * the Host reads page tables from RAM only: lguest's check_gpgd refused
 * any table at or past pfn_limit, "bad page directory entry".
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page directory entry\n");
	pgd_set(boot_pgdir, PGD_INDEX(VA), ram_size() | PDE_TABLE);
	probe_read32(VA, &v);
	kprintf("still alive after using a page table in the device window\n");
}
