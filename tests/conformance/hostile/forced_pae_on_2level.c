/*
 * hostile: a 2-level (non-PAE) guest run with `lgkvm run --pae`.  Its page
 * directory, read as a PDPT, has entries with RW, USER, A and D set (and
 * a high half that is the next entry): lgkvm must stop it with status 1
 * and a message naming the bad entry, not crash.  The expectation is
 * printed in linear mode: the guest never gets past its first NEW_PGTABLE.
 * lgkvm-options: --pae
 */
#include "runtime.h"

EARLY void early_pre_init(void)
{
	early_puts(EARLY_STR("expect-kill: guest killed: .*bad page directory pointer entry\n"));
}

void guest_main(void)
{
	kprintf("still alive as a 2-level guest under --pae\n");
}
