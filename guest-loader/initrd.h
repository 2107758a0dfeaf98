/*
 * The initial ramdisk: read straight into guest RAM, page-aligned at the
 * top of RAM (or below the kernel's initrd_addr_max), as lguest's Launcher
 * placed it, and never over the kernel.
 *
 * An initramfs whose members are gzip, xz or lzma is placed decompressed
 * (initramfs_unpack.h) when that fits: the kernel takes it just as well,
 * and would spend minutes gunzipping it in emulation.  Otherwise the file
 * goes in unchanged and the kernel deals with it as it always would.
 */
#ifndef LGKVM_INITRD_H
#define LGKVM_INITRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_memory.h"

struct initrd_placed {
	uint32_t start, size;  /* in guest RAM: ramdisk_image, ramdisk_size */
	uint32_t file_size;    /* the file's size, == size unless unpacked */
	bool unpacked;         /* compressed members decompressed here */
	char compression[24];  /* what was decompressed: "gzip", "gzip+xz"; "" */
};

/* addr_max: the highest byte the initrd may occupy (setup header);
 * low_limit: the first byte above everything the kernel needs;
 * unpack: false keeps the file as it is even when unpacking would fit.
 * -1 with a message when the file cannot be read or does not fit. */
int initrd_load(const struct guest_memory *gm, const char *path,
		uint32_t addr_max, uint64_t low_limit, bool unpack,
		struct initrd_placed *out, char *err, size_t errlen);

#endif
