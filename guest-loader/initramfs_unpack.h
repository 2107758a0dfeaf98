/*
 * The initramfs buffer format (Documentation/early-userspace/
 * buffer-format.txt): newc cpio archives and compressed members back to
 * back, with zero padding between them.  The kernel's unpacker
 * (init/initramfs.c) takes the members uncompressed just as well, and in
 * emulation its gunzip alone spends over a minute on a 1 MiB busybox
 * initramfs, so lgkvm decompresses the gzip, xz and lzma members here.
 *
 * Anything this cannot follow is left to the kernel: the caller then loads
 * the initrd as it is, so a guest never fails to boot because of this.
 */
#ifndef LGKVM_INITRAMFS_UNPACK_H
#define LGKVM_INITRAMFS_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct initramfs_unpacked {
	uint8_t *data;         /* malloc'd; the caller frees it */
	size_t size;
	char compression[24];  /* the members' formats: "gzip", "xz", "gzip+xz" */
};

/*
 * Rewrites `in` with every gzip, xz and lzma member decompressed in place
 * and the uncompressed cpio entries around them copied unchanged.  Zero
 * padding after a member is dropped, and each member's output starts
 * 4-byte aligned, as it did for the kernel's parser inside the member.
 * A gzip'd ramdisk image (one member) comes out as the raw image, which
 * the kernel loads as well.  True with the result in *out; false (out
 * zeroed) when the initrd should go to the guest as it is: nothing
 * compressed in it (an uncompressed cpio or ramdisk image), something it
 * cannot follow (junk, a bzip2/lzo/lz4 member, a broken cpio header),
 * corrupt or truncated data, or more than `limit` bytes unpacked.
 */
bool initramfs_unpack(const uint8_t *in, size_t len, uint64_t limit,
		      struct initramfs_unpacked *out);

#endif
