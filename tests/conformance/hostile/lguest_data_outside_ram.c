/*
 * hostile: LHCALL_LGUEST_INIT with a struct lguest_data that runs past the
 * end of RAM (it starts 512 bytes before the end).  lguest: "bad guest page".
 */
#include "runtime.h"

EARLY void early_pre_init(void)
{
	early_puts(EARLY_STR("expect-kill: guest killed: .*(lguest_data|guest page)\n"));
	hcall(LHCALL_LGUEST_INIT, early_ram_size() - 512, 0, 0, 0);
	early_puts(EARLY_STR("still alive after LGUEST_INIT past the end of RAM\n"));
}

void guest_main(void)
{
}
