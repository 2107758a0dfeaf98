/*
 * A bzImage payload: the kernel's vmlinux ELF, compressed.  The format is
 * told by its magic bytes (boot.txt, payload_offset); lgkvm decodes gzip
 * (zlib), xz and lzma (liblzma) itself and leaves the others to the
 * kernel's own decompressor.
 */
#ifndef LGKVM_PAYLOAD_DECOMPRESS_H
#define LGKVM_PAYLOAD_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum payload_format {
	PAYLOAD_UNKNOWN,
	PAYLOAD_ELF, /* not compressed at all */
	PAYLOAD_GZIP,
	PAYLOAD_XZ,
	PAYLOAD_LZMA,
	PAYLOAD_BZIP2,
	PAYLOAD_LZO,
	PAYLOAD_LZ4,
	PAYLOAD_OLD_GZIP, /* 1F 9E: gzip's pack format, which zlib cannot read */
};

enum payload_format payload_detect(const uint8_t *data, size_t len);
const char *payload_format_name(enum payload_format fmt);
/* True for the formats payload_decompress handles. */
bool payload_decodable(enum payload_format fmt);

/*
 * Decompresses a gzip, xz or lzma payload into a fresh malloc'd buffer
 * (caller frees).  Output beyond `limit` bytes is refused, so a
 * decompression bomb costs at most `limit` bytes of VMM memory.  Data after
 * the end of the compressed stream (the kernel appends the decompressed
 * size) is ignored.  -1 with a message prefixed by `name` on any error.
 */
int payload_decompress(enum payload_format fmt, const uint8_t *in, size_t in_len,
		       uint64_t limit, uint8_t **out, size_t *out_len,
		       const char *name, char *err, size_t errlen);

#endif
