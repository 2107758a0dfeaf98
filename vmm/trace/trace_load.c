/*
 * trace_load(): any trace the tools read, plain or compressed, told apart
 * by content (a renamed or piped file still loads).  The file is streamed
 * through the decompressor and cut into lines in one big buffer, so half a
 * million events load without a malloc per line; a line is only limited
 * by TRACE_LINE_MAX, and one longer than that is an error, never cut.
 */
#include "vmm/trace/trace_model.h"
#include "vmm/trace/trace_tools.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_CHUNK (256u * 1024)
#define LINE_BUF_INITIAL (1024u * 1024)
#define TRACE_LINE_MAX (64u * 1024 * 1024)
/* An xz file may ask for any dictionary; a trace never needs more. */
#define XZ_MEMLIMIT (512ull * 1024 * 1024)

enum codec { CODEC_PLAIN, CODEC_GZIP, CODEC_XZ };

struct trace_lines {
	int fd;
	enum codec codec;
	z_stream gz;
	lzma_stream xz;
	bool decoder_ready, decoder_done;
	/* Raw bytes from the file, waiting for the decoder. */
	unsigned char *raw;
	size_t raw_len;
	bool raw_eof;
	/* Decoded bytes: buf[pos, len) is not yet cut into lines. */
	char *buf;
	size_t pos, len, cap;
	bool eof;
	unsigned long lineno;
	char *line;
	size_t line_len;
	bool replay; /* hand out the current line again (format detection peeked) */
	bool failed;
	char why[160];
};

static void lines_fail(struct trace_lines *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void lines_fail(struct trace_lines *in, const char *fmt, ...)
{
	va_list ap;

	if (in->failed)
		return;
	in->failed = true;
	va_start(ap, fmt);
	vsnprintf(in->why, sizeof(in->why), fmt, ap);
	va_end(ap);
}

/* Refills raw[] when the decoder has used it all. */
static bool read_raw(struct trace_lines *in)
{
	ssize_t n;

	do
		n = read(in->fd, in->raw, RAW_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		lines_fail(in, "read error: %s", strerror(errno));
		return false;
	}
	in->raw_len = (size_t)n;
	in->raw_eof = n == 0;
	return true;
}

static size_t decode_gzip(struct trace_lines *in, char *out, size_t room)
{
	z_stream *z = &in->gz;

	z->next_out = (Bytef *)out;
	z->avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
	while (z->avail_out && !in->decoder_done) {
		if (!z->avail_in) {
			if (!read_raw(in))
				break;
			if (in->raw_eof) {
				lines_fail(in, "truncated gzip data");
				break;
			}
			z->next_in = in->raw;
			z->avail_in = (uInt)in->raw_len;
		}
		int rc = inflate(z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			/* gzip allows members one after another (cat a.gz b.gz). */
			if (!z->avail_in && (!read_raw(in) || in->raw_eof)) {
				in->decoder_done = true;
				break;
			}
			if (!z->avail_in) {
				z->next_in = in->raw;
				z->avail_in = (uInt)in->raw_len;
			}
			/* Like gzip(1), ignore what follows that is no member. */
			if (z->next_in[0] != 0x1f) {
				in->decoder_done = true;
				break;
			}
			inflateReset(z);
		} else if (rc != Z_OK && !(rc == Z_BUF_ERROR && !z->avail_in)) {
			lines_fail(in, "corrupt gzip data (%s)", z->msg ? z->msg : "zlib error");
			break;
		}
	}
	return room - z->avail_out;
}

static size_t decode_xz(struct trace_lines *in, char *out, size_t room)
{
	lzma_stream *x = &in->xz;

	x->next_out = (uint8_t *)out;
	x->avail_out = room;
	while (x->avail_out && !in->decoder_done) {
		if (!x->avail_in && !in->raw_eof) {
			if (!read_raw(in))
				break;
			x->next_in = in->raw;
			x->avail_in = in->raw_len;
		}
		lzma_ret rc = lzma_code(x, in->raw_eof ? LZMA_FINISH : LZMA_RUN);
		if (rc == LZMA_STREAM_END) {
			in->decoder_done = true;
		} else if (rc == LZMA_BUF_ERROR && in->raw_eof) {
			lines_fail(in, "truncated xz data");
			break;
		} else if (rc == LZMA_MEMLIMIT_ERROR) {
			lines_fail(in, "xz data needs more than %llu MiB to decode",
				   XZ_MEMLIMIT >> 20);
			break;
		} else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
			lines_fail(in, "corrupt xz data (lzma error %d)", (int)rc);
			break;
		}
	}
	return room - x->avail_out;
}

static size_t decode_plain(struct trace_lines *in, char *out, size_t room)
{
	/* What detection read first, then straight from the file. */
	if (in->raw_len) {
		size_t n = in->raw_len < room ? in->raw_len : room;
		memcpy(out, in->raw, n);
		memmove(in->raw, in->raw + n, in->raw_len - n);
		in->raw_len -= n;
		return n;
	}
	ssize_t n;
	do
		n = read(in->fd, out, room);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		lines_fail(in, "read error: %s", strerror(errno));
		return 0;
	}
	if (n == 0)
		in->decoder_done = true;
	return (size_t)n;
}

/* More decoded bytes after buf[len]; false at the end (or on an error). */
static bool fill(struct trace_lines *in)
{
	if (in->pos) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->cap - in->len < 2) {
		if (in->cap >= TRACE_LINE_MAX) {
			lines_fail(in, "a line longer than %u MiB", TRACE_LINE_MAX >> 20);
			return false;
		}
		char *b = realloc(in->buf, in->cap * 2);
		if (!b) {
			lines_fail(in, "out of memory for a long line");
			return false;
		}
		in->buf = b;
		in->cap *= 2;
	}
	/* Keep one byte for the NUL the last line may need. */
	char *out = in->buf + in->len;
	size_t room = in->cap - in->len - 1, got = 0;
	while (!got && !in->failed && !in->decoder_done) {
		switch (in->codec) {
		case CODEC_GZIP: got = decode_gzip(in, out, room); break;
		case CODEC_XZ: got = decode_xz(in, out, room); break;
		default: got = decode_plain(in, out, room); break;
		}
	}
	in->len += got;
	return got > 0;
}

char *trace_lines_next(struct trace_lines *in, size_t *len)
{
	if (in->replay) {
		in->replay = false;
		*len = in->line_len;
		return in->line;
	}
	if (in->eof)
		return NULL;
	size_t scanned = 0;
	for (;;) {
		char *start = in->buf + in->pos;
		char *nl = memchr(start + scanned, '\n', in->len - in->pos - scanned);
		size_t n;
		if (nl) {
			n = (size_t)(nl - start);
			in->pos += n + 1;
		} else {
			scanned = in->len - in->pos;
			if (fill(in))
				continue;
			if (in->failed || in->len == in->pos) {
				in->eof = true;
				return NULL;
			}
			/* The last line, without a newline. */
			start = in->buf + in->pos;
			n = in->len - in->pos;
			in->pos = in->len;
		}
		start[n] = '\0';
		if (n && start[n - 1] == '\r')
			start[--n] = '\0';
		in->lineno++;
		in->line = start;
		in->line_len = n;
		*len = n;
		return start;
	}
}

unsigned long trace_lines_number(const struct trace_lines *in)
{
	return in->lineno;
}

static bool lines_open(struct trace_lines *in, const char *path)
{
	static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
	static const unsigned char xz_magic[] = { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 };

	memset(in, 0, sizeof(*in));
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0) {
		snprintf(in->why, sizeof(in->why), "%s", strerror(errno));
		return false;
	}
	in->raw = malloc(RAW_CHUNK);
	in->buf = malloc(LINE_BUF_INITIAL);
	in->cap = LINE_BUF_INITIAL;
	if (!in->raw || !in->buf) {
		snprintf(in->why, sizeof(in->why), "out of memory");
		return false;
	}
	/* The magic may come in more than one read (a pipe): fill raw[]
	 * as far as the longest magic before looking. */
	while (in->raw_len < sizeof(xz_magic)) {
		ssize_t n = read(in->fd, in->raw + in->raw_len, RAW_CHUNK - in->raw_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(in->why, sizeof(in->why), "read error: %s", strerror(errno));
			return false;
		}
		if (n == 0)
			break;
		in->raw_len += (size_t)n;
	}
	if (in->raw_len >= sizeof(gzip_magic) && !memcmp(in->raw, gzip_magic, sizeof(gzip_magic))) {
		in->codec = CODEC_GZIP;
		/* 16 + MAX_WBITS: a gzip wrapper, not zlib's. */
		if (inflateInit2(&in->gz, 16 + MAX_WBITS) != Z_OK) {
			snprintf(in->why, sizeof(in->why), "zlib initialisation failed");
			return false;
		}
		in->decoder_ready = true;
		in->gz.next_in = in->raw;
		in->gz.avail_in = (uInt)in->raw_len;
	} else if (in->raw_len >= sizeof(xz_magic) && !memcmp(in->raw, xz_magic, sizeof(xz_magic))) {
		in->codec = CODEC_XZ;
		in->xz = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&in->xz, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
			snprintf(in->why, sizeof(in->why), "liblzma initialisation failed");
			return false;
		}
		in->decoder_ready = true;
		in->xz.next_in = in->raw;
		in->xz.avail_in = in->raw_len;
	}
	return true;
}

static void lines_close(struct trace_lines *in)
{
	if (in->decoder_ready && in->codec == CODEC_GZIP)
		inflateEnd(&in->gz);
	if (in->decoder_ready && in->codec == CODEC_XZ)
		lzma_end(&in->xz);
	if (in->fd >= 0)
		close(in->fd);
	free(in->raw);
	free(in->buf);
}

enum format { FORMAT_UNKNOWN, FORMAT_LGKVM_TEXT, FORMAT_LGKVM_JSON, FORMAT_FTRACE };

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* lgkvm's "SEQ SECONDS KIND" (version 0 has no header to say so). */
static bool looks_like_lgkvm_event(const char *s)
{
	const char *p = skip_digits(s);
	if (p == s || *p++ != ' ')
		return false;
	const char *q = skip_digits(p);
	if (q == p || *q++ != '.')
		return false;
	p = skip_digits(q);
	return p != q && *p == ' ' && p[1] >= 'a' && p[1] <= 'z';
}

/* ftrace's "COMM-PID [CPU] ... TIMESTAMP: EVENT:" or its markers. */
static bool looks_like_ftrace(const char *s)
{
	if (starts_with(s, "CPU:") && strstr(s, "[LOST "))
		return true;
	for (const char *b = strchr(s, '['); b; b = strchr(b + 1, '[')) {
		const char *e = skip_digits(b + 1);
		if (e != b + 1 && *e == ']' && strstr(e, ": "))
			return true;
	}
	return false;
}

/* Reads up to the first line that tells the format; that line is handed
 * out again to the reader.  Blank lines and comments before it are
 * nothing any reader needs. */
static enum format detect_format(struct trace_lines *in)
{
	char *line;
	size_t len;

	while ((line = trace_lines_next(in, &len))) {
		const char *s = line + strspn(line, " \t");
		enum format f = FORMAT_UNKNOWN;
		if (!*s)
			continue;
		if (*s == '{')
			f = FORMAT_LGKVM_JSON;
		else if (starts_with(s, "# lgkvm-trace"))
			f = FORMAT_LGKVM_TEXT;
		else if (starts_with(s, "# tracer:") || starts_with(s, "#####"))
			f = FORMAT_FTRACE;
		else if (*s == '#')
			continue;
		else if (looks_like_lgkvm_event(s))
			f = FORMAT_LGKVM_TEXT;
		else if (looks_like_ftrace(s))
			f = FORMAT_FTRACE;
		in->replay = true;
		return f;
	}
	return FORMAT_UNKNOWN;
}

bool trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	struct trace_lines *in = calloc(1, sizeof(*in));
	char why[200] = "";
	bool ok = false;

	memset(t, 0, sizeof(*t));
	if (!in) {
		snprintf(err, errlen, "%s: out of memory", path);
		return false;
	}
	if (!lines_open(in, path)) {
		snprintf(err, errlen, "%s: %s", path, in->why);
		goto out;
	}
	switch (detect_format(in)) {
	case FORMAT_LGKVM_TEXT:
		t->source = TRACE_SRC_LGKVM_TEXT;
		ok = trace_read_lgkvm_text(in, t, why, sizeof(why));
		break;
	case FORMAT_LGKVM_JSON:
		t->source = TRACE_SRC_LGKVM_JSON;
		ok = trace_read_lgkvm_json(in, t, why, sizeof(why));
		break;
	case FORMAT_FTRACE:
		t->source = TRACE_SRC_FTRACE;
		ok = trace_read_ftrace(in, t, why, sizeof(why));
		break;
	default:
		if (in->failed)
			break;
		if (in->lineno && in->replay)
			snprintf(why, sizeof(why),
				 "line %lu: not a trace (lgkvm text or JSON lines, or ftrace text expected)",
				 in->lineno);
		else
			snprintf(why, sizeof(why), "empty: no header and no events");
		break;
	}
	/* A decoder error ends the lines early: the reader saw a short file. */
	if (in->failed) {
		snprintf(why, sizeof(why), "after line %lu: %s", in->lineno, in->why);
		ok = false;
	}
	if (!ok)
		snprintf(err, errlen, "%s: %s", path, why);
out:
	lines_close(in);
	free(in);
	if (!ok)
		trace_free(t);
	return ok;
}

bool trace_load_for(const char *tool, const char *path, struct trace *t)
{
	char err[512];

	memset(t, 0, sizeof(*t));
	if (trace_load(path, t, err, sizeof(err)))
		return true;
	fprintf(stderr, "lgkvm trace %s: %s\n", tool, err);
	trace_free(t);
	return false;
}
