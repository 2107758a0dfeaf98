#include "vmm/trace.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

FILE *trace_file;
/* Until the header is out (the engine is known only once /dev/kvm is
 * open, after the devices are made), events wait in memory. */
static FILE *trace_out;
static char *early_buf;
static size_t early_len;
static uint64_t trace_seq;
static uint64_t trace_start_ns;
static bool trace_json, trace_header_done;
static char trace_options[1024];

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

uint64_t trace_now_ns(void)
{
	return monotonic_ns() - trace_start_ns;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool trace_open(const char *path, int argc, char **argv)
{
	size_t used = 0;

	trace_out = fopen(path, "w");
	if (!trace_out)
		return false;
	trace_file = open_memstream(&early_buf, &early_len);
	if (!trace_file) {
		fclose(trace_out);
		trace_out = NULL;
		return false;
	}
	trace_json = ends_with(path, ".jsonl") || ends_with(path, ".json");
	trace_start_ns = monotonic_ns();
	/* The options as given, for the header: whoever compares two traces
	 * wants to know how each was made. */
	for (int i = 1; i < argc && used + 1 < sizeof(trace_options); i++) {
		int n = snprintf(trace_options + used, sizeof(trace_options) - used,
				 "%s%s", i > 1 ? " " : "", argv[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return true;
}

/* A header value in the text form: quoted, with quotes and backslashes
 * escaped and control characters dropped. */
static void put_quoted(const char *key, const char *value)
{
	fprintf(trace_file, " %s=\"", key);
	for (const char *p = value ? value : ""; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', trace_file);
		if ((unsigned char)*p >= 0x20)
			fputc(*p, trace_file);
	}
	fputc('"', trace_file);
}

void trace_header(const char *kernel, const char *initrd, uint64_t mem_mib,
		  const char *cmdline, const char *engine)
{
	if (!trace_file || trace_header_done)
		return;
	trace_header_done = true;
	/* From now on straight to the file, after the header, the events
	 * that waited. */
	fclose(trace_file);
	trace_file = trace_out;
	if (trace_json) {
		json_object *h = json_object_new_object();
		json_object_object_add(h, "format", json_object_new_string("lgkvm-trace"));
		json_object_object_add(h, "version", json_object_new_int(TRACE_FORMAT_VERSION));
		json_object_object_add(h, "kernel", json_object_new_string(kernel ? kernel : "demo"));
		json_object_object_add(h, "initrd", json_object_new_string(initrd ? initrd : ""));
		json_object_object_add(h, "mem_mib", json_object_new_int64((int64_t)mem_mib));
		json_object_object_add(h, "cmdline", json_object_new_string(cmdline ? cmdline : ""));
		json_object_object_add(h, "engine", json_object_new_string(engine ? engine : ""));
		json_object_object_add(h, "options", json_object_new_string(trace_options));
		fprintf(trace_file, "%s\n",
			json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
		json_object_put(h);
	} else {
		fprintf(trace_file, "# lgkvm-trace %d", TRACE_FORMAT_VERSION);
		put_quoted("kernel", kernel ? kernel : "demo");
		put_quoted("initrd", initrd);
		fprintf(trace_file, " mem_mib=%" PRIu64, mem_mib);
		put_quoted("cmdline", cmdline);
		put_quoted("engine", engine);
		put_quoted("options", trace_options);
		fputc('\n', trace_file);
	}
	if (early_len)
		fwrite(early_buf, 1, early_len, trace_file);
	free(early_buf);
	early_buf = NULL;
	early_len = 0;
}

void trace_close(void)
{
	/* A run that never got to the header (no /dev/kvm, bad input)
	 * still leaves a readable trace. */
	if (trace_file && !trace_header_done)
		trace_header(NULL, NULL, 0, NULL, NULL);
	if (trace_file)
		fclose(trace_file);
	trace_file = trace_out = NULL;
}

/* A value of the text form as JSON: numbers (decimal or 0x hex) as
 * numbers, anything else as a string. */
static json_object *json_value(const char *v, size_t len)
{
	char buf[256], *end;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	if (len >= 2 && buf[0] == '"' && buf[len - 1] == '"') {
		buf[len - 1] = '\0';
		return json_object_new_string(buf + 1);
	}
	if (len && (isdigit((unsigned char)buf[0]) || buf[0] == '-')) {
		errno = 0;
		long long n = strtoll(buf, &end, 0);
		if (!*end && !errno)
			return json_object_new_int64(n);
		unsigned long long u = strtoull(buf, &end, 0);
		if (!*end && !errno)
			return json_object_new_uint64(u);
	}
	return json_object_new_string(buf);
}

/* The details "k=v k=v word ..." as members of o; words go to "text". */
static void json_details(json_object *o, const char *d)
{
	char text[512];
	size_t tlen = 0;

	text[0] = '\0';
	while (*d) {
		while (*d == ' ')
			d++;
		if (!*d)
			break;
		const char *start = d, *eq = NULL;
		bool quoted = false;
		for (; *d && (quoted || *d != ' '); d++) {
			if (*d == '"')
				quoted = !quoted;
			else if (*d == '=' && !eq && !quoted)
				eq = d;
		}
		if (eq && eq > start) {
			char key[64];
			size_t klen = (size_t)(eq - start);
			if (klen >= sizeof(key))
				klen = sizeof(key) - 1;
			memcpy(key, start, klen);
			key[klen] = '\0';
			json_object_object_add(o, key, json_value(eq + 1, (size_t)(d - eq - 1)));
		} else {
			int n = snprintf(text + tlen, sizeof(text) - tlen, "%s%.*s",
					 tlen ? " " : "", (int)(d - start), start);
			if (n > 0 && (size_t)n < sizeof(text) - tlen)
				tlen += (size_t)n;
		}
	}
	if (tlen)
		json_object_object_add(o, "text", json_object_new_string(text));
}

static void write_event(uint64_t t_ns, const char *kind, const char *fmt, va_list ap)
{
	char details[1024];

	vsnprintf(details, sizeof(details), fmt, ap);
	if (trace_json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "seq", json_object_new_uint64(trace_seq++));
		json_object_object_add(o, "t_ns", json_object_new_uint64(t_ns));
		json_object_object_add(o, "kind", json_object_new_string(kind));
		json_details(o, details);
		fprintf(trace_file, "%s\n",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return;
	}
	fprintf(trace_file, "%" PRIu64 " %" PRIu64 ".%09" PRIu64 " %s %s\n",
		trace_seq++, t_ns / 1000000000u, t_ns % 1000000000u, kind, details);
}

void trace_event(const char *kind, const char *fmt, ...)
{
	va_list ap;

	if (!trace_file)
		return;
	va_start(ap, fmt);
	write_event(trace_now_ns(), kind, fmt, ap);
	va_end(ap);
}

void trace_event_at(uint64_t t_ns, const char *kind, const char *fmt, ...)
{
	va_list ap;

	if (!trace_file)
		return;
	va_start(ap, fmt);
	write_event(t_ns, kind, fmt, ap);
	va_end(ap);
}
