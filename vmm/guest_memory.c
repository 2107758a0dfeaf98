#include "vmm/guest_memory.h"

#include <string.h>

bool gmem_read(const struct guest_memory *gm, uint64_t gpa, void *dst,
	       uint64_t len)
{
	const void *p = gmem_ptr(gm, gpa, len);
	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

bool gmem_write(const struct guest_memory *gm, uint64_t gpa, const void *src,
		uint64_t len)
{
	void *p = gmem_ptr(gm, gpa, len);
	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}

bool gmem_read32(const struct guest_memory *gm, uint64_t gpa, uint32_t *val)
{
	return gmem_read(gm, gpa, val, sizeof(*val));
}

bool gmem_write32(const struct guest_memory *gm, uint64_t gpa, uint32_t val)
{
	return gmem_write(gm, gpa, &val, sizeof(val));
}

bool gmem_read64(const struct guest_memory *gm, uint64_t gpa, uint64_t *val)
{
	return gmem_read(gm, gpa, val, sizeof(*val));
}

bool gmem_write64(const struct guest_memory *gm, uint64_t gpa, uint64_t val)
{
	return gmem_write(gm, gpa, &val, sizeof(val));
}
