/* hostile: LHCALL_LOAD_TLS with its three descriptors straddling the end of RAM. */
#include "runtime.h"

void guest_main(void)
{
	kprintf("expect-kill: guest killed: .*(TLS|read address)\n");
	hcall_sync(LHCALL_LOAD_TLS, ram_size() - 8, 0, 0, 0);
	kprintf("still alive after LOAD_TLS past the end of RAM\n");
}
