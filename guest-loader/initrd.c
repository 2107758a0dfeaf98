#include "guest-loader/initrd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-loader/boot_file.h"
#include "guest-loader/initramfs_unpack.h"

#define INITRD_ALIGN 4096ull
/* boot.txt: before protocol 2.03 the limit was this. */
#define INITRD_ADDR_MAX_OLD 0x37ffffffu

/* Page-aligned and ending at or below top: the highest place for n bytes. */
static uint64_t initrd_place(uint64_t top, uint64_t n)
{
	return (top - n) & ~(INITRD_ALIGN - 1);
}

int initrd_load(const struct guest_memory *gm, const char *path,
		uint32_t addr_max, uint64_t low_limit, bool unpack,
		struct initrd_placed *out, char *err, size_t errlen)
{
	struct initramfs_unpacked u;
	struct boot_file f;
	uint64_t top, lowest, room, at;
	uint8_t *file;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (boot_file_open(&f, path, err, errlen) < 0)
		return -1;
	if (f.size == 0) {
		boot_err(err, errlen, "%s: initrd is empty", path);
		goto out;
	}
	top = (uint64_t)(addr_max ? addr_max : INITRD_ADDR_MAX_OLD) + 1;
	if (top > gm->size)
		top = gm->size;
	/* Whatever goes in, compressed or not, fits in [lowest, top). */
	lowest = (low_limit + INITRD_ALIGN - 1) & ~(INITRD_ALIGN - 1);
	room = top > lowest ? top - lowest : 0;
	if (room > UINT32_MAX)
		room = UINT32_MAX; /* ramdisk_size is 32 bits */
	if (f.size > room) {
		boot_err(err, errlen, "%s: initrd too big (%llu bytes) for guest "
			 "RAM between the kernel's end 0x%llx and 0x%llx", path,
			 (unsigned long long)f.size, (unsigned long long)low_limit,
			 (unsigned long long)top);
		goto out;
	}
	at = initrd_place(top, f.size);
	file = gmem_ptr(gm, at, f.size);
	if (boot_file_read_at(&f, 0, file, f.size, err, errlen) < 0)
		goto out;
	out->start = (uint32_t)at;
	out->size = out->file_size = (uint32_t)f.size;
	rc = 0;

	/* The file is in place; replace it with its unpacked form only if
	 * that fits too.  Nothing here can fail the boot. */
	if (!unpack || !initramfs_unpack(file, f.size, room, &u))
		goto out;
	memset(file, 0, f.size); /* no stale compressed bytes left behind */
	at = initrd_place(top, u.size);
	memcpy(gmem_ptr(gm, at, u.size), u.data, u.size);
	out->start = (uint32_t)at;
	out->size = (uint32_t)u.size;
	out->unpacked = true;
	snprintf(out->compression, sizeof(out->compression), "%s", u.compression);
	free(u.data);
out:
	boot_file_close(&f);
	return rc;
}
