/*
 * Loading an lguest guest kernel: a bzImage or a vmlinux ELF, an optional
 * initrd and the command line, plus the boot_params "zero page" at
 * guest-physical 0 that tells the kernel it runs under lguest.
 *
 * Every byte of the kernel and initrd files is untrusted: a bad file gives
 * -1 and a one-line message, never a write outside guest RAM.
 */
#ifndef LGKVM_BOOT_LOADER_H
#define LGKVM_BOOT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_memory.h"

struct boot_config {
	const char *kernel_path; /* bzImage or vmlinux ELF */
	const char *initrd_path; /* NULL: none */
	const char *cmdline;     /* NULL or "": empty */
	/* Load as the lguest Launcher did, for trace comparisons: a bzImage
	 * runs its own decompressor and the initrd goes in as the file is. */
	bool as_launcher;
};

struct boot_result {
	uint32_t entry;           /* guest-physical 32-bit entry point, entered with %esi = 0 */
	bool decompressed_in_vmm; /* bzImage payload decompressed here and loaded as ELF */
	char format[48];          /* e.g. "bzImage (gzip payload)", "bzImage (kernel's own decompressor)", "ELF" */
	uint32_t kernel_start, kernel_end; /* guest-physical range written */
	/* What was placed in guest RAM, as boot_params' ramdisk_image and
	 * ramdisk_size say: the unpacked image when initrd_decompressed. */
	uint32_t initrd_start, initrd_size;
	/* The initrd's gzip/xz/lzma members were decompressed here (the
	 * guest would spend minutes on them in emulation); otherwise the file
	 * went in unchanged.  Verbose output: "initrd: %s, %u -> %u bytes
	 * unpacked by lgkvm", initrd_compression, initrd_file_size,
	 * initrd_size. */
	bool initrd_decompressed;
	char initrd_compression[24]; /* "gzip", "xz", "lzma", "gzip+xz"...; "" */
	uint32_t initrd_file_size;   /* the file's size (0: no initrd) */
	/* 1 PAE kernel, 0 non-PAE, -1 unknown: from ELF symbols such as
	 * initial_pg_pmd (only PAE kernels have it) when a symbol table is
	 * present, else a Xen PAE_MODE note, else startup_32's page-table
	 * loop (see pae_hint.h).  -1 when the kernel decompresses itself. */
	int pae_hint;
	uint16_t boot_protocol;   /* setup header version written to boot_params */
	uint32_t cmdline_addr;    /* guest-physical address of the command line */
};

/* Loads everything into guest RAM (gm) and builds boot_params at guest-physical 0.
 * Returns 0, or -1 with a one-line human message in err (no trailing newline),
 * e.g. "vmlinuz: not a bzImage or ELF kernel (bad magic)". Never crashes on any input. */
int boot_load(const struct guest_memory *gm, const struct boot_config *cfg,
	      struct boot_result *out, char *err, size_t errlen);

#endif
