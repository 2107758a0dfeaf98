/* Segment descriptors for LHCALL_LOAD_GDT_ENTRY and LHCALL_LOAD_TLS. */
#include "runtime.h"

uint64_t seg_desc(uint32_t base, uint32_t limit_pages, unsigned type, unsigned dpl)
{
	uint32_t lo = (limit_pages & 0xFFFF) | (base << 16);
	uint32_t access = type | 0x10 /* S: code/data */ | (dpl << 5) | 0x80 /* P */;
	uint32_t hi = ((base >> 16) & 0xFF) | (access << 8) | (limit_pages & 0xF0000) | 0x00C00000 /* G, D/B */ |
		      (base & 0xFF000000);

	return ((uint64_t)hi << 32) | lo;
}

void gdt_load(unsigned index, uint64_t desc)
{
	hcall_sync(LHCALL_LOAD_GDT_ENTRY, index, (uint32_t)desc, (uint32_t)(desc >> 32), 0);
}

/* The Host reads the three TLS descriptors from guest-physical memory. */
void tls_load(const uint64_t desc[3])
{
	hcall_sync(LHCALL_LOAD_TLS, virt_to_phys(desc), 0, 0, 0);
}
