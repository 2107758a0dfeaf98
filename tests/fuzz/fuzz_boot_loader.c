/*
 * Kernel and initrd loading (guest-loader/): bzImage setup headers and
 * payload decompression (gzip, xz, lzma), vmlinux ELF through libelf, PAE
 * detection, initrd and initramfs unpacking, boot_params.
 *
 * Input: u32 kernel length, the kernel file, then the initrd file (none
 * when empty).  Both go to memfds the loader opens by path, as lgkvm does
 * for its built-in demo guest.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_input.h"
#include "guest-loader/boot_loader.h"

#define RAM_SIZE (32u << 20)

static struct guest_memory mem;

static int file_of(const uint8_t *data, size_t len, char path[64])
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
		abort();
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint32_t klen = fuzz_u32(&in);
	char kpath[64], ipath[64];
	struct boot_config bc = { .cmdline = "console=hvc0" };
	struct boot_result br;
	char err[256];
	int kfd, ifd = -1;

	if (!mem.ram) {
		mem.size = RAM_SIZE;
		mem.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (mem.ram == MAP_FAILED)
			abort();
	}
	if (klen > in.left)
		klen = (uint32_t)in.left;
	kfd = file_of(in.p, klen, kpath);
	bc.kernel_path = kpath;
	if (in.left > klen) {
		ifd = file_of(in.p + klen, in.left - klen, ipath);
		bc.initrd_path = ipath;
	}
	if (boot_load(&mem, &bc, &br, err, sizeof(err)) == 0) {
		/* What the loader reports must lie inside guest RAM. */
		if (br.kernel_end > RAM_SIZE || br.kernel_start > br.kernel_end ||
		    (uint64_t)br.initrd_start + br.initrd_size > RAM_SIZE)
			abort();
	}
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return 0;
}
