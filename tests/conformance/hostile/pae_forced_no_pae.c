/*
 * hostile: a PAE guest run with `lgkvm run --no-pae`.  Its PDPT, read as a
 * 2-level page directory, maps nothing where the entry code continues, and
 * the guest has no IDT yet: lgkvm must stop it with status 1, not crash.
 * lgkvm-options: --no-pae
 */
#include "runtime.h"

EARLY void early_pre_init(void)
{
	early_puts(EARLY_STR("expect-kill: guest killed: .*page fault\n"));
}

void guest_main(void)
{
	kprintf("still alive as a PAE guest under --no-pae\n");
}
