/*
 * Compressed streams the kernel would otherwise decode itself, slowly, in
 * emulation: a bzImage payload (the kernel's vmlinux ELF, boot.txt
 * payload_offset) and the members of an initramfs (initramfs_unpack.h).
 * The format is told by its magic bytes, as the kernel's
 * decompress_method() tells it; lgkvm decodes gzip (zlib), xz and lzma
 * (liblzma) and leaves the others to the kernel.  This file is the one
 * place that drives zlib and liblzma.
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

/* Decoded output: a malloc'd buffer (the caller frees data) that grows by
 * doubling and never holds more than limit bytes plus one of slack.
 * Start it zeroed with limit set. */
struct payload_out {
	uint8_t *data;
	size_t used, cap;
	uint64_t limit;
};

/* Sizes the first allocation from a size the format records (the kernel
 * build's appended size, gzip's ISIZE); a hint of 0 or past the limit is
 * ignored, and so is running out of memory here. */
void payload_out_reserve(struct payload_out *o, uint64_t hint);

/*
 * Decodes one stream from the start of `in`: a gzip member, an xz stream or
 * an lzma-alone stream, appending its output to o.  *consumed is the input
 * the stream occupied (header to trailer), so the caller can look at what
 * follows it.  -1 with a message prefixed by `name` when the data is
 * corrupt or truncated or the output would pass o->limit; o->data then
 * holds a partial result, still the caller's to free.
 */
int payload_decode_stream(enum payload_format fmt, const uint8_t *in,
			  size_t in_len, struct payload_out *o, size_t *consumed,
			  const char *name, char *err, size_t errlen);

#endif
