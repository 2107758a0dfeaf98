/*
 * hostile: LHCALL_LOAD_TLS with its three descriptors at an odd address
 * that crosses a page boundary (the middle one split 5/3).  The ABI asks
 * nothing of the alignment: lguest copied 24 bytes from guest-physical
 * memory (__lgread).  All three must load and work, at CPL 1.
 */
#include "runtime.h"

static volatile uint32_t words[3] = { 0x7150, 0x7151, 0x7152 };

void guest_main(void)
{
	uint8_t *pages = page_alloc();
	uint8_t *tls;
	uint32_t i, v, at;

	kprintf("expect-survive: ^survived: three TLS descriptors at an odd address across pages work\n");
	if (page_alloc() != pages + PAGE_SIZE)
		bail_out("page_alloc() gave pages that are not adjacent");
	tls = pages + PAGE_SIZE - 13;
	for (i = 0; i < 3; i++) {
		uint64_t d = seg_desc((uint32_t)&words[i], 0xFFFFF, SEG_TYPE_DATA_RW, 1);

		memcpy(tls + i * 8, &d, 8);
	}
	hcall_sync(LHCALL_LOAD_TLS, virt_to_phys(tls), 0, 0, 0);
	for (i = 0; i < 3; i++) {
		v = 0;
		asm volatile(TRAP_ARM "movl %2, %%fs\n\tmovl %%fs:0, %1" TRAP_END
			     : "=&r"(at), "+r"(v)
			     : "r"(SEG_GDT(GDT_ENTRY_TLS_MIN + i, 1))
			     : "memory");
		set_fs(0);
		if (v != 0x7150 + i)
			bail_out("TLS entry %u reads %#x", GDT_ENTRY_TLS_MIN + i, v);
	}
	kprintf("survived: three TLS descriptors at an odd address across pages work\n");
	power_off();
}
