#include "guest-loader/bzimage.h"

#include <string.h>

#include "guest-loader/boot_file.h"

#define SECTOR_SIZE 512
/* "If setup_sects is 0, the real value is 4." */
#define SETUP_SECTS_DEFAULT 4

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

bool bzimage_probe(const uint8_t *file, size_t size)
{
	return size >= 0x206 && le16(file + 0x1fe) == SETUP_BOOT_FLAG &&
	       le32(file + 0x202) == SETUP_HDRS_MAGIC;
}

/* The header ends at 0x202 plus the jump instruction's offset byte. */
static void header_copy(const uint8_t *file, struct setup_header *hdr)
{
	size_t end = 0x202 + (size_t)file[0x201];

	if (end > SETUP_HDR_END)
		end = SETUP_HDR_END;
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr, file + SETUP_HDR_OFFSET, end - SETUP_HDR_OFFSET);
}

static int payload_locate(const uint8_t *file, struct bzimage *bz,
			  const char *name, uint64_t size, char *err, size_t errlen)
{
	const struct setup_header *h = &bz->hdr;

	if (h->version < BOOT_PROTO_PAYLOAD ||
	    (h->payload_offset == 0 && h->payload_length == 0))
		return 0;
	if ((uint64_t)h->payload_offset + h->payload_length > bz->pm_size) {
		boot_err(err, errlen, "%s: payload (offset 0x%x, %u bytes) runs "
			 "past the end of the file (%llu bytes)", name,
			 h->payload_offset, h->payload_length,
			 (unsigned long long)size);
		return -1;
	}
	bz->has_payload = true;
	bz->payload_offset = bz->pm_offset + h->payload_offset;
	bz->payload_length = h->payload_length;
	bz->payload_fmt = payload_detect(file + bz->payload_offset,
					 bz->payload_length);
	return 0;
}

int bzimage_parse(const uint8_t *file, size_t size, const char *name,
		  struct bzimage *bz, char *err, size_t errlen)
{
	struct setup_header *h = &bz->hdr;
	unsigned sects;

	memset(bz, 0, sizeof(*bz));
	if (!bzimage_probe(file, size)) {
		boot_err(err, errlen, "%s: not a bzImage (bad magic)", name);
		return -1;
	}
	if (size < SETUP_HDR_END) {
		boot_err(err, errlen, "%s: truncated bzImage (%zu bytes, the "
			 "setup header alone needs %zu)", name, size,
			 (size_t)SETUP_HDR_END);
		return -1;
	}
	header_copy(file, h);
	if (h->version < BOOT_PROTO_SUBARCH) {
		boot_err(err, errlen, "%s: boot protocol %u.%02u is too old "
			 "(lguest needs 2.07: hardware_subarch)", name,
			 h->version >> 8, h->version & 0xff);
		return -1;
	}
	if (!(h->loadflags & LOADFLAG_LOADED_HIGH)) {
		boot_err(err, errlen, "%s: a zImage (loaded low), not a bzImage",
			 name);
		return -1;
	}
	if (h->version >= BOOT_PROTO_XLOADFLAGS &&
	    (h->xloadflags & XLOADFLAG_KERNEL_64)) {
		boot_err(err, errlen, "%s: an x86-64 kernel (lguest guests are "
			 "i386)", name);
		return -1;
	}

	sects = h->setup_sects ? h->setup_sects : SETUP_SECTS_DEFAULT;
	bz->pm_offset = (uint64_t)(sects + 1) * SECTOR_SIZE;
	if (bz->pm_offset >= size) {
		boot_err(err, errlen, "%s: truncated bzImage (%zu bytes, no "
			 "protected-mode code after %u setup sectors)", name,
			 size, sects);
		return -1;
	}
	/* syssize counts 16-byte units; the build pads the file to it. */
	if (h->syssize) {
		bz->pm_size = (uint64_t)h->syssize * 16;
		if (bz->pm_offset + bz->pm_size > size) {
			boot_err(err, errlen, "%s: truncated bzImage (header "
				 "says %llu bytes, file has %zu)", name,
				 (unsigned long long)(bz->pm_offset + bz->pm_size),
				 size);
			return -1;
		}
	} else {
		bz->pm_size = size - bz->pm_offset;
	}
	return payload_locate(file, bz, name, size, err, errlen);
}

/* header.S makes init_size at least the decompressed size plus the
 * decompressor's in-place margin, so a real payload always fits. */
uint64_t bzimage_decompress_limit(const struct bzimage *bz, uint64_t ram_size)
{
	uint64_t limit = ram_size;

	if (bz->hdr.version >= BOOT_PROTO_INIT_SIZE && bz->hdr.init_size &&
	    bz->hdr.init_size < limit)
		limit = bz->hdr.init_size;
	return limit;
}

/*
 * Where the kernel's decompressor puts the kernel (compressed/head_32.S):
 * a relocatable kernel aligns its load address up to kernel_alignment but
 * never goes below LOAD_PHYSICAL_ADDR (pref_address); a fixed one uses
 * pref_address.  It then needs init_size bytes from there.
 */
static uint64_t decompressor_end(const struct setup_header *h)
{
	uint64_t start = h->code32_start;
	uint64_t align = h->kernel_alignment;

	if (h->version < BOOT_PROTO_INIT_SIZE)
		return 0; /* no init_size to go by */
	if (h->relocatable_kernel && align && (align & (align - 1)) == 0)
		start = (start + align - 1) & ~(align - 1);
	if (!h->relocatable_kernel || h->pref_address > start)
		start = h->pref_address ? h->pref_address : start;
	return start + h->init_size;
}

int bzimage_load_protected_mode(const struct guest_memory *gm, const uint8_t *file,
				const struct bzimage *bz, uint32_t min_paddr,
				const char *name, uint32_t *start, uint32_t *end,
				uint64_t *reserved_end, char *err, size_t errlen)
{
	uint64_t load = bz->hdr.code32_start;
	uint64_t load_end = load + bz->pm_size;
	uint64_t need = decompressor_end(&bz->hdr);
	uint8_t *dst;

	if (load < min_paddr) {
		boot_err(err, errlen, "%s: code32_start 0x%llx overlaps "
			 "boot_params and the command line", name,
			 (unsigned long long)load);
		return -1;
	}
	dst = gmem_ptr(gm, load, bz->pm_size);
	if (!dst || load_end > UINT32_MAX) {
		boot_err(err, errlen, "%s: protected-mode code (0x%llx-0x%llx) "
			 "lies outside guest RAM (%llu MiB)", name,
			 (unsigned long long)load, (unsigned long long)load_end,
			 (unsigned long long)(gm->size >> 20));
		return -1;
	}
	if (need > gm->size) {
		boot_err(err, errlen, "%s: guest RAM (%llu MiB) is too small: "
			 "the kernel decompresses itself up to 0x%llx", name,
			 (unsigned long long)(gm->size >> 20),
			 (unsigned long long)need);
		return -1;
	}
	memcpy(dst, file + bz->pm_offset, bz->pm_size);
	*start = (uint32_t)load;
	*end = (uint32_t)load_end;
	*reserved_end = need > load_end ? need : load_end;
	return 0;
}
