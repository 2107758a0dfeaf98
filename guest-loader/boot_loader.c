/*
 * boot_load: the guest's first moments, laid out in RAM.
 *
 *   0x0000  boot_params (the zero page): %esi points here at entry
 *   0x1000  the kernel command line
 *   ...     the kernel: a vmlinux's segments at their physical addresses
 *           (16 MiB for a default i386 build), or a bzImage's
 *           protected-mode code at code32_start (1 MiB) when the kernel
 *           must decompress itself
 *   top     the initrd, page-aligned, ending near the end of RAM;
 *           an initramfs decompressed here when it fits (initrd.h)
 *
 * A bzImage whose payload we can decode (gzip, xz, lzma) is decompressed
 * here and loaded like a vmlinux: the kernel's own decompressor would spend
 * minutes in emulation.  Its setup header still goes into boot_params.
 */
#include "guest-loader/boot_loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-loader/boot_file.h"
#include "guest-loader/boot_params.h"
#include "guest-loader/bzimage.h"
#include "guest-loader/elf_kernel.h"
#include "guest-loader/initrd.h"
#include "guest-loader/payload_decompress.h"

/* Far above any vmlinux, even one with full debug info. */
#define KERNEL_FILE_MAX (1ull << 30)

/* What loading the kernel produced, whatever its format. */
struct kernel_load {
	struct setup_header hdr; /* goes into boot_params */
	uint64_t reserved_end;   /* nothing else may live below this */
	bool own_decompressor;   /* in: a bzImage decompresses itself */
};

static int cmdline_check(const struct setup_header *hdr, size_t len,
			 const char *name, char *err, size_t errlen)
{
	/* Protocol 2.06 added cmdline_size; before it the limit was 255. */
	uint32_t max = hdr->version >= 0x0206 ? hdr->cmdline_size : 255;

	if (max && len > max) {
		boot_err(err, errlen, "%s: command line too long (%zu bytes, the "
			 "kernel takes at most %u)", name, len, max);
		return -1;
	}
	return 0;
}

static void result_set_elf(struct boot_result *out, const struct elf_kernel *ek)
{
	out->entry = ek->entry;
	out->kernel_start = ek->start;
	out->kernel_end = ek->end;
	out->pae_hint = ek->pae_hint;
}

static int load_vmlinux(const struct guest_memory *gm, uint8_t *file, size_t size,
			const char *path, size_t cmdlen, uint32_t min_paddr,
			struct kernel_load *kl, struct boot_result *out,
			char *err, size_t errlen)
{
	struct elf_kernel ek;

	boot_params_synth_header(&kl->hdr, 0);
	if (cmdline_check(&kl->hdr, cmdlen, path, err, errlen) < 0)
		return -1;
	if (elf_kernel_load(gm, file, size, min_paddr, path, &ek, err, errlen) < 0)
		return -1;
	kl->hdr.code32_start = ek.entry;
	result_set_elf(out, &ek);
	kl->reserved_end = ek.end;
	snprintf(out->format, sizeof(out->format), "ELF");
	return 0;
}

/* The payload is a compressed vmlinux: decode it and load that ELF. */
static int load_payload_elf(const struct guest_memory *gm, uint8_t *file,
			    const struct bzimage *bz, const char *path,
			    uint32_t min_paddr, struct kernel_load *kl,
			    struct boot_result *out, char *err, size_t errlen)
{
	uint8_t *elf = file + bz->payload_offset;
	size_t elf_len = bz->payload_length;
	uint8_t *buf = NULL;
	char name[256];
	struct elf_kernel ek;
	int rc;

	if (bz->payload_fmt != PAYLOAD_ELF) {
		if (payload_decompress(bz->payload_fmt, elf, elf_len,
				       bzimage_decompress_limit(bz, gm->size),
				       &buf, &elf_len, path, err, errlen) < 0)
			return -1;
		elf = buf;
	}
	snprintf(name, sizeof(name), "%s: %s payload", path,
		 payload_format_name(bz->payload_fmt));
	if (elf_len < 4 || memcmp(elf, "\x7f" "ELF", 4) != 0) {
		boot_err(err, errlen, "%s is not an ELF image", name);
		free(buf);
		return -1;
	}
	rc = elf_kernel_load(gm, elf, elf_len, min_paddr, name, &ek, err, errlen);
	free(buf);
	if (rc < 0)
		return -1;
	result_set_elf(out, &ek);
	kl->reserved_end = ek.end;
	out->decompressed_in_vmm = true;
	if (bz->payload_fmt == PAYLOAD_ELF)
		snprintf(out->format, sizeof(out->format), "bzImage (ELF payload)");
	else
		snprintf(out->format, sizeof(out->format), "bzImage (%s payload)",
			 payload_format_name(bz->payload_fmt));
	return 0;
}

static int load_bzimage(const struct guest_memory *gm, uint8_t *file, size_t size,
			const char *path, size_t cmdlen, uint32_t min_paddr,
			struct kernel_load *kl, struct boot_result *out,
			char *err, size_t errlen)
{
	struct bzimage bz;

	if (bzimage_parse(file, size, path, &bz, err, errlen) < 0)
		return -1;
	kl->hdr = bz.hdr;
	if (cmdline_check(&kl->hdr, cmdlen, path, err, errlen) < 0)
		return -1;
	if (!kl->own_decompressor && bz.has_payload &&
	    (payload_decodable(bz.payload_fmt) || bz.payload_fmt == PAYLOAD_ELF))
		return load_payload_elf(gm, file, &bz, path, min_paddr, kl, out,
					err, errlen);

	/* bzip2, lzo, lz4, no payload fields, or asked to (as_launcher): the
	 * kernel decompresses itself, entered at code32_start like any 32-bit
	 * boot loader would. */
	if (bzimage_load_protected_mode(gm, file, &bz, min_paddr, path,
					&out->kernel_start, &out->kernel_end,
					&kl->reserved_end, err, errlen) < 0)
		return -1;
	out->entry = bz.hdr.code32_start;
	out->pae_hint = -1;
	snprintf(out->format, sizeof(out->format),
		 "bzImage (kernel's own decompressor)");
	return 0;
}

static int load_kernel(const struct guest_memory *gm, const char *path,
		       size_t cmdlen, uint32_t min_paddr, struct kernel_load *kl,
		       struct boot_result *out, char *err, size_t errlen)
{
	struct boot_file f;
	uint8_t *file = NULL;
	size_t size;
	int rc = -1;

	if (boot_file_open(&f, path, err, errlen) < 0)
		return -1;
	if (boot_file_slurp(&f, KERNEL_FILE_MAX, &file, err, errlen) < 0)
		goto out;
	size = (size_t)f.size;
	if (size == 0) {
		boot_err(err, errlen, "%s: empty file", path);
	} else if (size >= 4 && memcmp(file, "\x7f" "ELF", 4) == 0) {
		rc = load_vmlinux(gm, file, size, path, cmdlen, min_paddr, kl,
				  out, err, errlen);
	} else if (bzimage_probe(file, size)) {
		rc = load_bzimage(gm, file, size, path, cmdlen, min_paddr, kl,
				  out, err, errlen);
	} else if (size < 0x206) {
		boot_err(err, errlen, "%s: not a bzImage or ELF kernel (only %zu "
			 "bytes)", path, size);
	} else {
		boot_err(err, errlen, "%s: not a bzImage or ELF kernel (bad magic)",
			 path);
	}
out:
	free(file);
	boot_file_close(&f);
	return rc;
}

int boot_load(const struct guest_memory *gm, const struct boot_config *cfg,
	      struct boot_result *out, char *err, size_t errlen)
{
	const char *cmdline;
	struct kernel_load kl;
	struct boot_params bp;
	size_t cmdlen;
	uint64_t low_end, reserved;

	if (err && errlen)
		err[0] = '\0';
	if (!out) {
		boot_err(err, errlen, "no boot_result to fill");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->pae_hint = -1;
	if (!gm || !gm->ram || !cfg || !cfg->kernel_path) {
		boot_err(err, errlen, "no guest memory or no kernel to load");
		return -1;
	}
	cmdline = cfg->cmdline ? cfg->cmdline : "";
	cmdlen = strlen(cmdline);
	/* The kernel must not land on the zero page or the command line. */
	low_end = (uint64_t)BOOT_CMDLINE_ADDR + cmdlen + 1;
	if (!gmem_range_ok(gm, 0, low_end) || low_end > UINT32_MAX) {
		boot_err(err, errlen, "guest RAM (%llu bytes) too small for "
			 "boot_params and the command line",
			 (unsigned long long)gm->size);
		return -1;
	}

	memset(&kl, 0, sizeof(kl));
	kl.own_decompressor = cfg->as_launcher;
	if (load_kernel(gm, cfg->kernel_path, cmdlen, (uint32_t)low_end, &kl,
			out, err, errlen) < 0)
		return -1;

	if (cfg->initrd_path) {
		struct initrd_placed rd;

		reserved = kl.reserved_end > low_end ? kl.reserved_end : low_end;
		if (initrd_load(gm, cfg->initrd_path, kl.hdr.initrd_addr_max,
				reserved, !cfg->as_launcher, &rd, err, errlen) < 0)
			return -1;
		out->initrd_start = rd.start;
		out->initrd_size = rd.size;
		out->initrd_file_size = rd.file_size;
		out->initrd_decompressed = rd.unpacked;
		snprintf(out->initrd_compression,
			 sizeof(out->initrd_compression), "%s", rd.compression);
	}

	if (cfg->as_launcher) {
		boot_params_build_launcher(&bp, BOOT_CMDLINE_ADDR, out->initrd_start,
					   out->initrd_size, gm->size);
		out->initrd_size = bp.hdr.ramdisk_size;
	} else {
		boot_params_build(&bp, &kl.hdr, BOOT_CMDLINE_ADDR, out->initrd_start,
				  out->initrd_size, gm->size);
	}
	/* Both fit: low_end was checked against RAM above. */
	gmem_write(gm, 0, &bp, sizeof(bp));
	gmem_write(gm, BOOT_CMDLINE_ADDR, cmdline, cmdlen + 1);
	out->boot_protocol = kl.hdr.version;
	out->cmdline_addr = BOOT_CMDLINE_ADDR;
	return 0;
}
