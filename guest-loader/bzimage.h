/*
 * The bzImage format (Documentation/x86/boot.txt): a boot sector and setup
 * sectors holding the setup header, then the protected-mode code, which is
 * the kernel's decompressor with the compressed vmlinux (the payload) inside.
 */
#ifndef LGKVM_BZIMAGE_H
#define LGKVM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest-loader/boot_params.h"
#include "guest-loader/payload_decompress.h"
#include "vmm/guest_memory.h"

struct bzimage {
	/* The header as the file has it, up to the end its jump byte gives;
	 * later fields are zero. */
	struct setup_header hdr;
	uint64_t pm_offset, pm_size; /* protected-mode code in the file */
	bool has_payload;            /* protocol 2.08+ with a payload */
	uint64_t payload_offset;     /* in the file */
	uint32_t payload_length;
	enum payload_format payload_fmt;
};

/* True when the boot flag and "HdrS" are where a bzImage has them. */
bool bzimage_probe(const uint8_t *file, size_t size);

/* Validates the setup header and locates the protected-mode code and the
 * payload; -1 with a message prefixed by `name` when anything is off. */
int bzimage_parse(const uint8_t *file, size_t size, const char *name,
		  struct bzimage *bz, char *err, size_t errlen);

/* Most bytes the payload may decompress to: the kernel's init_size (its
 * decompressor works inside that much memory) and never more than RAM. */
uint64_t bzimage_decompress_limit(const struct bzimage *bz, uint64_t ram_size);

/*
 * For payloads only the kernel can decompress: loads the protected-mode
 * code at code32_start (the entry point).  *reserved_end is the end of what
 * the decompressor will use (init_size from where it decompresses to), so
 * that the initrd can be kept clear of it.
 */
int bzimage_load_protected_mode(const struct guest_memory *gm, const uint8_t *file,
				const struct bzimage *bz, uint32_t min_paddr,
				const char *name, uint32_t *start, uint32_t *end,
				uint64_t *reserved_end, char *err, size_t errlen);

#endif
