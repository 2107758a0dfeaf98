#include "guest-loader/payload_decompress.h"

#include <limits.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "guest-loader/boot_file.h"

/* xz and lzma decoders size their dictionary from the stream header; a
 * kernel uses at most 32 MiB, so this refuses headers that ask for absurd
 * amounts of decoder memory. */
#define PAYLOAD_DECODER_MEMLIMIT (256ull << 20)
#define PAYLOAD_INITIAL_OUT (4ull << 20)

static bool starts_with(const uint8_t *data, size_t len, const char *magic,
			size_t mlen)
{
	return len >= mlen && memcmp(data, magic, mlen) == 0;
}

enum payload_format payload_detect(const uint8_t *data, size_t len)
{
	if (starts_with(data, len, "\x7f" "ELF", 4))
		return PAYLOAD_ELF;
	if (starts_with(data, len, "\x1f\x8b", 2))
		return PAYLOAD_GZIP;
	if (starts_with(data, len, "\x1f\x9e", 2))
		return PAYLOAD_OLD_GZIP;
	if (starts_with(data, len, "\xfd" "7zXZ\0", 6))
		return PAYLOAD_XZ;
	/* lzma "alone": properties byte 0x5D (lc=3 lp=0 pb=2), then a
	 * little-endian dictionary size whose low byte is 0. */
	if (starts_with(data, len, "\x5d\x00\x00", 3))
		return PAYLOAD_LZMA;
	if (starts_with(data, len, "BZh", 3))
		return PAYLOAD_BZIP2;
	if (starts_with(data, len, "\x89LZO", 4))
		return PAYLOAD_LZO;
	if (starts_with(data, len, "\x02\x21\x4c\x18", 4))
		return PAYLOAD_LZ4;
	return PAYLOAD_UNKNOWN;
}

const char *payload_format_name(enum payload_format fmt)
{
	switch (fmt) {
	case PAYLOAD_ELF: return "uncompressed ELF";
	case PAYLOAD_GZIP: return "gzip";
	case PAYLOAD_XZ: return "xz";
	case PAYLOAD_LZMA: return "lzma";
	case PAYLOAD_BZIP2: return "bzip2";
	case PAYLOAD_LZO: return "lzo";
	case PAYLOAD_LZ4: return "lz4";
	case PAYLOAD_OLD_GZIP: return "old gzip";
	case PAYLOAD_UNKNOWN: break;
	}
	return "unknown";
}

bool payload_decodable(enum payload_format fmt)
{
	return fmt == PAYLOAD_GZIP || fmt == PAYLOAD_XZ || fmt == PAYLOAD_LZMA;
}

static void report_too_big(const char *name, const char *fmt_name,
			   uint64_t limit, char *err, size_t errlen)
{
	boot_err(err, errlen, "%s: %s payload decompresses to more than %llu "
		 "bytes (the limit from init_size and guest RAM)", name,
		 fmt_name, (unsigned long long)limit);
}

/* One byte of slack past the limit: a stream may fill the buffer exactly
 * and still need a call to see its end; producing limit + 1 bytes is the
 * error. */
static uint64_t out_cap_max(const struct payload_out *o)
{
	return o->limit >= SIZE_MAX - 1 ? SIZE_MAX - 1 : o->limit + 1;
}

void payload_out_reserve(struct payload_out *o, uint64_t hint)
{
	uint64_t max = out_cap_max(o), want;
	uint8_t *n;

	/* +1: room for the slack byte, so a stream of exactly `hint`
	 * bytes ends without a second allocation. */
	if (hint == 0 || hint >= max || o->used > max - 1 - hint)
		return;
	want = o->used + hint + 1;
	if (want <= o->cap)
		return;
	n = realloc(o->data, (size_t)want);
	if (n) {
		o->data = n;
		o->cap = (size_t)want;
	}
}

/* 0: grown; -1: at the limit already, or out of memory (err says which). */
static int out_grow(struct payload_out *o, const char *name, const char *fmt_name,
		    char *err, size_t errlen)
{
	uint64_t ncap, max = out_cap_max(o);
	uint8_t *n;

	if (o->cap >= max) {
		report_too_big(name, fmt_name, o->limit, err, errlen);
		return -1;
	}
	ncap = o->cap ? (uint64_t)o->cap * 2 : PAYLOAD_INITIAL_OUT;
	if (ncap > max)
		ncap = max;
	n = realloc(o->data, (size_t)ncap);
	if (!n) {
		boot_err(err, errlen, "%s: out of memory decompressing payload "
			 "(%llu bytes)", name, (unsigned long long)ncap);
		return -1;
	}
	o->data = n;
	o->cap = (size_t)ncap;
	return 0;
}

static uInt clamp_uint(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

static int gzip_decode(const uint8_t *in, size_t in_len, struct payload_out *o,
		       size_t *consumed, const char *name, char *err,
		       size_t errlen)
{
	z_stream zs;
	int ret, rc = -1;

	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: a gzip wrapper, not zlib's own. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		boot_err(err, errlen, "%s: cannot start zlib", name);
		return -1;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = clamp_uint(in_len);
	for (;;) {
		if (o->used == o->cap && out_grow(o, name, "gzip", err, errlen) < 0)
			goto out;
		zs.next_out = o->data + o->used;
		zs.avail_out = clamp_uint(o->cap - o->used);
		uInt before = zs.avail_out;
		ret = inflate(&zs, Z_NO_FLUSH);
		o->used += before - zs.avail_out;
		if (ret == Z_STREAM_END) {
			*consumed = zs.total_in;
			break;
		}
		if (ret == Z_OK)
			continue;
		if (ret == Z_BUF_ERROR && zs.avail_out == 0)
			continue; /* needs more room: grow */
		if (ret == Z_BUF_ERROR) {
			boot_err(err, errlen, "%s: gzip payload is truncated", name);
			goto out;
		}
		boot_err(err, errlen, "%s: gzip payload is corrupt (%s)", name,
			 zs.msg ? zs.msg : "zlib error");
		goto out;
	}
	rc = 0;
out:
	inflateEnd(&zs);
	return rc;
}

static const char *lzma_ret_text(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR: return "not in the expected format";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_DATA_ERROR: return "corrupt data";
	case LZMA_BUF_ERROR: return "truncated";
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "needs too much decoder memory";
	case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check";
	default: return "liblzma error";
	}
}

static int lzma_family_decode(enum payload_format fmt, const uint8_t *in,
			      size_t in_len, struct payload_out *o,
			      size_t *consumed, const char *name, char *err,
			      size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	const char *fname = payload_format_name(fmt);
	lzma_ret ret;
	int rc = -1;

	/* No LZMA_CONCATENATED: decoding stops at the end of this stream,
	 * before the size the kernel build appends or an initramfs's next
	 * member, as the kernel's own unxz and unlzma stop. */
	if (fmt == PAYLOAD_XZ)
		ret = lzma_stream_decoder(&s, PAYLOAD_DECODER_MEMLIMIT, 0);
	else
		ret = lzma_alone_decoder(&s, PAYLOAD_DECODER_MEMLIMIT);
	if (ret != LZMA_OK) {
		boot_err(err, errlen, "%s: cannot start liblzma (%s)", name,
			 lzma_ret_text(ret));
		return -1;
	}
	s.next_in = in;
	s.avail_in = in_len;
	for (;;) {
		if (o->used == o->cap && out_grow(o, name, fname, err, errlen) < 0)
			goto out;
		s.next_out = o->data + o->used;
		s.avail_out = o->cap - o->used;
		size_t before = s.avail_out;
		ret = lzma_code(&s, LZMA_FINISH);
		o->used += before - s.avail_out;
		if (ret == LZMA_STREAM_END) {
			*consumed = (size_t)s.total_in;
			break;
		}
		/* liblzma says LZMA_BUF_ERROR after a second call without
		 * progress: out of room (grow) or out of input (truncated). */
		if (ret == LZMA_OK)
			continue;
		if (ret == LZMA_BUF_ERROR && s.avail_out == 0)
			continue;
		if (ret == LZMA_BUF_ERROR) {
			boot_err(err, errlen, "%s: %s payload is truncated", name,
				 fname);
			goto out;
		}
		boot_err(err, errlen, "%s: %s payload is corrupt (%s)", name,
			 fname, lzma_ret_text(ret));
		goto out;
	}
	rc = 0;
out:
	lzma_end(&s);
	return rc;
}

int payload_decode_stream(enum payload_format fmt, const uint8_t *in,
			  size_t in_len, struct payload_out *o, size_t *consumed,
			  const char *name, char *err, size_t errlen)
{
	size_t start = o->used;
	int rc;

	*consumed = 0;
	switch (fmt) {
	case PAYLOAD_GZIP:
		rc = gzip_decode(in, in_len, o, consumed, name, err, errlen);
		break;
	case PAYLOAD_XZ:
	case PAYLOAD_LZMA:
		rc = lzma_family_decode(fmt, in, in_len, o, consumed, name, err,
					errlen);
		break;
	default:
		boot_err(err, errlen, "%s: cannot decompress a %s payload", name,
			 payload_format_name(fmt));
		return -1;
	}
	if (rc == 0 && o->used > o->limit) {
		report_too_big(name, payload_format_name(fmt), o->limit, err,
			       errlen);
		rc = -1;
	}
	if (rc < 0)
		o->used = start;
	return rc;
}

int payload_decompress(enum payload_format fmt, const uint8_t *in, size_t in_len,
		       uint64_t limit, uint8_t **out, size_t *out_len,
		       const char *name, char *err, size_t errlen)
{
	struct payload_out o = { .limit = limit };
	size_t consumed;

	*out = NULL;
	*out_len = 0;
	if (limit == 0) {
		boot_err(err, errlen, "%s: no room to decompress the payload", name);
		return -1;
	}
	/* The kernel build appends the decompressed size (gzip's trailer
	 * already ends with it): a hint for the first allocation only. */
	if (in_len >= 4) {
		uint32_t hint;
		memcpy(&hint, in + in_len - 4, 4);
		payload_out_reserve(&o, hint);
	}
	/* What follows the stream (that appended size) is not ours to read. */
	if (payload_decode_stream(fmt, in, in_len, &o, &consumed, name, err,
				  errlen) < 0) {
		free(o.data);
		return -1;
	}
	*out = o.data;
	*out_len = o.used;
	return 0;
}
