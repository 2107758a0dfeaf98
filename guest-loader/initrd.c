#include "guest-loader/initrd.h"

#include "guest-loader/boot_file.h"

#define INITRD_ALIGN 4096u
/* boot.txt: before protocol 2.03 the limit was this. */
#define INITRD_ADDR_MAX_OLD 0x37ffffffu

int initrd_load(const struct guest_memory *gm, const char *path,
		uint32_t addr_max, uint64_t low_limit, uint32_t *start,
		uint32_t *size, char *err, size_t errlen)
{
	struct boot_file f;
	uint64_t top, at;
	int rc = -1;

	if (boot_file_open(&f, path, err, errlen) < 0)
		return -1;
	if (f.size == 0) {
		boot_err(err, errlen, "%s: initrd is empty", path);
		goto out;
	}
	top = (uint64_t)(addr_max ? addr_max : INITRD_ADDR_MAX_OLD) + 1;
	if (top > gm->size)
		top = gm->size;
	if (f.size > top || ((top - f.size) & ~(uint64_t)(INITRD_ALIGN - 1)) < low_limit) {
		boot_err(err, errlen, "%s: initrd too big (%llu bytes) for guest "
			 "RAM between the kernel's end 0x%llx and 0x%llx", path,
			 (unsigned long long)f.size, (unsigned long long)low_limit,
			 (unsigned long long)top);
		goto out;
	}
	at = (top - f.size) & ~(uint64_t)(INITRD_ALIGN - 1);
	if (boot_file_read_at(&f, 0, gmem_ptr(gm, at, f.size), f.size, err,
			      errlen) < 0)
		goto out;
	*start = (uint32_t)at;
	*size = (uint32_t)f.size;
	rc = 0;
out:
	boot_file_close(&f);
	return rc;
}
