/*
 * hostile: a PDPT entry whose middle directory is at 4 GiB plus 2 MiB,
 * where lgkvm's shadow page-table pool starts.  Middle directories come
 * from guest RAM only: lguest's check_gpgd, "bad page directory entry".
 */
#include "runtime.h"

#define VA 0x40000000u

void guest_main(void)
{
	uint32_t v;

	kprintf("expect-kill: guest killed: .*bad page directory pointer entry.*past RAM\n");
	pgd_set(boot_pgdir, PGD_INDEX(VA), 0x100200000ull | PGD_PRESENT);
	probe_read32(VA, &v);
	kprintf("still alive after using a middle directory at 4 GiB + 2 MiB\n");
}
