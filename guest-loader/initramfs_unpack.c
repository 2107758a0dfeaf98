/*
 * Walking an initramfs the way the kernel's unpack_to_rootfs() walks it:
 *
 *   - a zero byte is skipped;
 *   - a '0' at a 4-byte-aligned offset starts an uncompressed newc cpio
 *     entry: header, name, body, then zeros up to an aligned offset;
 *   - anything else must be a compressed member, told by its magic.
 *
 * Members are decoded by payload_decode_stream (the one place that drives
 * zlib and liblzma), each from where the previous one ended, so a file of
 * several gzip members comes out whole.  Uncompressed entries are copied
 * as they are.
 */
#include "guest-loader/initramfs_unpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-loader/payload_decompress.h"

#define CPIO_HEADER_LEN 110
#define CPIO_FIELD_LEN 8
#define CPIO_FILESIZE 6
#define CPIO_NAMESIZE 11

/* Field i of a newc header, read as the kernel's simple_strtoul(.., 16)
 * reads it: an optional 0x, then hex digits up to the first other
 * character. */
static uint32_t cpio_field(const uint8_t *hdr, int i)
{
	const uint8_t *p = hdr + 6 + i * CPIO_FIELD_LEN;
	const uint8_t *end = p + CPIO_FIELD_LEN;
	uint32_t v = 0;

	if (p[0] == '0' && (p[1] | 0x20) == 'x')
		p += 2;
	for (; p < end; p++) {
		uint8_t c = *p, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (uint8_t)((c | 0x20) - 'a' + 10);
		else
			break;
		v = v << 4 | d;
	}
	return v;
}

/*
 * The end of the uncompressed cpio entry at in[pos] (pos 4-byte aligned)
 * and of the zeros after it, or the end of the input if the entry runs
 * past it (the kernel takes what there is).  The kernel's parser goes back
 * to its outer loop after every entry, so entries, not archives, are the
 * unit here, and a trailer is nothing special.  False where that parser
 * fails: no newc magic, or padding that leaves what follows unaligned.
 */
static bool cpio_entry_end(const uint8_t *in, size_t len, size_t pos,
			   size_t *end)
{
	const uint8_t *hdr = in + pos;
	uint32_t name_len, name_span;
	uint64_t next;

	if (len - pos < CPIO_HEADER_LEN) {
		*end = len;
		return true;
	}
	if (memcmp(hdr, "070701", 6) != 0)
		return false;
	/* The kernel's N_ALIGN, computed in 32 bits as i386 computes it:
	 * header and name together end 4-byte aligned. */
	name_len = cpio_field(hdr, CPIO_NAMESIZE);
	name_span = ((name_len + 1) & ~3u) + 2;
	next = (uint64_t)pos + CPIO_HEADER_LEN + name_span +
	       cpio_field(hdr, CPIO_FILESIZE);
	next = (next + 3) & ~(uint64_t)3;
	if (next >= len) {
		*end = len;
		return true;
	}
	/* Then the kernel eats zeros and wants whatever comes next at an
	 * aligned offset ("broken padding"). */
	pos = (size_t)next;
	while (pos < len && in[pos] == 0)
		pos++;
	if (pos < len && (pos & 3))
		return false;
	*end = pos;
	return true;
}

/* Room for n more bytes within the limit, growing geometrically so that
 * many small cpio entries do not cost a copy each. */
static bool out_room(struct payload_out *o, size_t n)
{
	if (n > o->limit - o->used)
		return false;
	if (o->cap - o->used < n) {
		payload_out_reserve(o, n > o->used ? n : o->used);
		if (o->cap - o->used < n)
			payload_out_reserve(o, n); /* doubling would pass the limit */
	}
	return o->cap - o->used >= n;
}

/* Zero padding up to a multiple of 4, so that each member's output and
 * each cpio entry starts aligned as the kernel wants its headers; the
 * kernel eats zeros between entries. */
static bool out_align(struct payload_out *o)
{
	size_t pad = (4 - (o->used & 3)) & 3;

	if (pad == 0)
		return true;
	if (!out_room(o, pad))
		return false;
	memset(o->data + o->used, 0, pad);
	o->used += pad;
	return true;
}

static bool out_append(struct payload_out *o, const uint8_t *src, size_t n)
{
	if (!out_align(o) || !out_room(o, n))
		return false;
	memcpy(o->data + o->used, src, n);
	o->used += n;
	return true;
}

/* "gzip", then "gzip+xz" when an xz member follows; each name once. */
static void note_format(char *names, size_t cap, enum payload_format fmt)
{
	const char *name = payload_format_name(fmt);
	size_t n = strlen(names), l = strlen(name);

	for (const char *p = names; (p = strstr(p, name)); p += l)
		if ((p == names || p[-1] == '+') && (p[l] == '\0' || p[l] == '+'))
			return;
	snprintf(names + n, cap - n, "%s%s", n ? "+" : "", name);
}

/* Advances *pos over zeros and uncompressed cpio entries, to the next
 * thing that must be a compressed member (or the end).  False where the
 * kernel's parser would fail inside an entry. */
static bool skip_uncompressed(const uint8_t *in, size_t len, size_t *pos)
{
	while (*pos < len) {
		if (in[*pos] == 0)
			(*pos)++;
		else if (in[*pos] == '0' && (*pos & 3) == 0) {
			if (!cpio_entry_end(in, len, *pos, pos))
				return false;
		} else
			return true;
	}
	return true;
}

bool initramfs_unpack(const uint8_t *in, size_t len, uint64_t limit,
		      struct initramfs_unpacked *out)
{
	struct payload_out o = { .limit = limit };
	size_t pos = 0, from, used;
	char err[256];

	memset(out, 0, sizeof(*out));
	/* Nothing compressed (an uncompressed cpio or ramdisk image, or
	 * junk): the file goes in as it is, having cost only this scan. */
	if (!skip_uncompressed(in, len, &pos) || pos == len)
		return false;
	/* One gzip member ends with its size (mod 4 GiB): a first guess. */
	if (pos == 0 && len >= 18 && in[0] == 0x1f && in[1] == 0x8b)
		payload_out_reserve(&o, (uint64_t)in[len - 4] |
				    (uint64_t)in[len - 3] << 8 |
				    (uint64_t)in[len - 2] << 16 |
				    (uint64_t)in[len - 1] << 24);
	/* Uncompressed entries in front (CPU microcode, say) stay as they
	 * are, at the offsets they had. */
	if (pos > 0 && !out_append(&o, in, pos))
		goto keep;
	while (pos < len) {
		enum payload_format fmt = payload_detect(in + pos, len - pos);

		if (!payload_decodable(fmt) || !out_align(&o))
			goto keep;
		if (payload_decode_stream(fmt, in + pos, len - pos, &o, &used,
					  "initrd", err, sizeof(err)) < 0 ||
		    used == 0)
			goto keep;
		note_format(out->compression, sizeof(out->compression), fmt);
		pos += used;
		/* Zeros after a member are dropped; uncompressed entries
		 * after it are copied from the first, which is aligned. */
		while (pos < len && in[pos] == 0)
			pos++;
		from = pos;
		if (!skip_uncompressed(in, len, &pos))
			goto keep;
		if (pos > from && !out_append(&o, in + from, pos - from))
			goto keep;
	}
	/* An empty ramdisk_size would mean no initrd at all. */
	if (o.used == 0)
		goto keep;
	out->data = o.data;
	out->size = o.used;
	return true;
keep:
	free(o.data);
	memset(out, 0, sizeof(*out));
	return false;
}
