/*
 * lgkvm's own traces (vmm/trace/FORMAT.md): text version 1, text version 0
 * (no header; the kinds and keys of the first --trace), and JSON lines.
 * Text and JSON both become a list of key/value fields first, so one
 * function per version turns fields into an event whatever the syntax.
 */
#include "vmm/trace/trace_model.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LGKVM_VERSION_MAX 1
#define MAX_FIELDS 32

struct field {
	const char *key;
	const char *text; /* the value as written; NULL for a JSON non-string */
	uint64_t num;     /* JSON integers, already converted */
	bool is_num, negative;
};

struct fields {
	struct field f[MAX_FIELDS];
	size_t n;
	const char *words[4]; /* v0: the first words without '=' ("softint", "hw") */
	size_t nwords;
};

static bool fail(char *err, size_t errlen, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool fail(char *err, size_t errlen, unsigned long line, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "line %lu: %s", line, why);
	return false;
}

static const struct field *find(const struct fields *fs, const char *key)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].key, key) == 0)
			return &fs->f[i];
	return NULL;
}

static bool has_word(const struct fields *fs, const char *w)
{
	for (size_t i = 0; i < fs->nwords; i++)
		if (strcmp(fs->words[i], w) == 0)
			return true;
	return false;
}

enum { NUM_ABSENT, NUM_OK, NUM_BAD };

/* A field as a number; 32-bit ones may be written negative (halted=-1). */
static int field_num(const struct field *f, uint64_t *out, bool wide)
{
	uint64_t v;
	bool negative;

	if (!f)
		return NUM_ABSENT;
	if (f->is_num) {
		v = f->num;
		negative = f->negative;
	} else if (f->text) {
		negative = f->text[0] == '-';
		if (!trace_parse_u64(f->text + negative, &v))
			return NUM_BAD;
	} else {
		return NUM_BAD;
	}
	if (wide) {
		if (negative)
			return NUM_BAD;
	} else if (negative ? v > 0x80000000u : v > UINT32_MAX) {
		return NUM_BAD;
	}
	*out = negative ? (uint64_t)(uint32_t)(0u - (uint32_t)v) : v;
	return NUM_OK;
}

/* Reads key into e->v[slot] (or e->nr when slot < 0); required keys
 * must be there. */
static bool get_u32(const struct fields *fs, const char *key, struct trace_ev *e, int slot,
		    bool required, char *why, size_t whylen)
{
	uint64_t v;

	switch (field_num(find(fs, key), &v, false)) {
	case NUM_OK:
		if (slot < 0) {
			e->nr = (uint32_t)v;
		} else {
			e->v[slot] = (uint32_t)v;
			e->present |= (uint8_t)(1u << slot);
		}
		return true;
	case NUM_ABSENT:
		if (!required)
			return true;
		snprintf(why, whylen, "%s without %s", trace_kind_name(e->kind), key);
		return false;
	default:
		snprintf(why, whylen, "%s: %s is not a 32-bit number", trace_kind_name(e->kind), key);
		return false;
	}
}

static bool get_u64(const struct fields *fs, const char *key, uint64_t *out, char *why,
		    size_t whylen)
{
	if (field_num(find(fs, key), out, true) == NUM_BAD) {
		snprintf(why, whylen, "%s is not a number", key);
		return false;
	}
	return true;
}

static const char *field_text(const struct fields *fs, const char *key)
{
	const struct field *f = find(fs, key);
	return f ? f->text : NULL;
}

/* Version 1 (text and JSON): FORMAT.md's keys per kind. */
static bool event_v1(const char *kind, const struct fields *fs, struct trace_ev *e, char *why,
		     size_t whylen)
{
	int k = trace_kind_from_name(kind);
	const char *s;

	/* A kind this reader does not know is lgkvm's own detail: kept. */
	e->kind = k < 0 || k == TK_LOST ? TK_OTHER : (uint16_t)k;
	switch (e->kind) {
	case TK_HCALL:
		if (!get_u32(fs, "nr", e, -1, true, why, whylen) ||
		    !get_u32(fs, "a1", e, TF_A1, false, why, whylen) ||
		    !get_u32(fs, "a2", e, TF_A2, false, why, whylen) ||
		    !get_u32(fs, "a3", e, TF_A3, false, why, whylen) ||
		    !get_u32(fs, "a4", e, TF_A4, false, why, whylen))
			return false;
		s = field_text(fs, "src");
		if (find(fs, "src") && (!s || (strcmp(s, "sync") && strcmp(s, "async")))) {
			snprintf(why, whylen, "hcall: src must be sync or async");
			return false;
		}
		if (s && !strcmp(s, "async"))
			e->flags |= TRACE_EV_ASYNC;
		return true;
	case TK_TRAP:
		return get_u32(fs, "nr", e, -1, true, why, whylen) &&
		       get_u32(fs, "err", e, TF_ERR, false, why, whylen) &&
		       get_u32(fs, "eip", e, TF_EIP, false, why, whylen) &&
		       get_u32(fs, "eax", e, TF_EAX, false, why, whylen) &&
		       get_u32(fs, "cr2", e, TF_CR2, false, why, whylen);
	case TK_DELIVER:
		return get_u32(fs, "nr", e, -1, true, why, whylen) &&
		       get_u32(fs, "err", e, TF_ERR, false, why, whylen) &&
		       get_u32(fs, "eip", e, TF_EIP, false, why, whylen);
	case TK_IRQ_PENDING:
		return get_u32(fs, "nr", e, -1, true, why, whylen) &&
		       get_u32(fs, "more", e, TF_MORE, false, why, whylen) &&
		       get_u32(fs, "halted", e, TF_HALTED, false, why, whylen) &&
		       get_u32(fs, "irqen", e, TF_IRQEN, false, why, whylen) &&
		       get_u32(fs, "eip", e, TF_IRQ_EIP, false, why, whylen);
	case TK_IRQ:
		return get_u32(fs, "nr", e, -1, true, why, whylen) &&
		       get_u32(fs, "eip", e, TF_IRQ_EIP, false, why, whylen);
	case TK_SET_IRQ:
	case TK_HOST_IRQ:
		return get_u32(fs, "nr", e, -1, true, why, whylen);
	case TK_PF:
		if (!get_u32(fs, "vaddr", e, TF_VADDR, true, why, whylen) ||
		    !get_u32(fs, "err", e, TF_PF_ERR, false, why, whylen) ||
		    !get_u32(fs, "eip", e, TF_PF_EIP, false, why, whylen))
			return false;
		e->outcome = PF_UNKNOWN;
		if (find(fs, "result")) {
			int o = trace_pf_outcome_from_name(field_text(fs, "result"));
			if (o < 0) {
				snprintf(why, whylen, "pf: unknown result");
				return false;
			}
			e->outcome = (uint8_t)o;
		}
		return true;
	case TK_EXIT: {
		const struct field *c = find(fs, "cause");
		uint64_t n;
		int cause = c && c->text ? trace_exit_cause_from_name(c->text) : -1;
		if (cause < 0 && field_num(c, &n, false) == NUM_OK && n < EXIT_CAUSES)
			cause = (int)n;
		if (cause < 0) {
			snprintf(why, whylen, "exit without a known cause");
			return false;
		}
		e->nr = (uint32_t)cause;
		return get_u64(fs, "guest_ns", &e->guest_ns, why, whylen) &&
		       get_u64(fs, "host_ns", &e->host_ns, why, whylen) &&
		       get_u64(fs, "idle_ns", &e->idle_ns, why, whylen);
	}
	default:
		return true;
	}
}

/* v0's "args=a,b,c,d" (LGUEST_INIT wrote one value). */
static bool v0_args(const char *args, struct trace_ev *e)
{
	char buf[96];
	char *save = NULL;
	int slot = 0;

	if (strlen(args) >= sizeof(buf))
		return false;
	strcpy(buf, args);
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		if (slot == 4 || !trace_parse_u64(p, &v) || v > UINT32_MAX)
			return false;
		e->v[slot] = (uint32_t)v;
		e->present |= (uint8_t)(1u << slot);
		slot++;
	}
	return true;
}

/* Version 0: what the first --trace wrote.  Its "trap" lines were traps
 * reflected into the guest (deliveries), except "trap hw" (a trap that
 * reached the VMM); "pf" had no eip; "exit" the KVM exit reason. */
static bool event_v0(const char *kind, const struct fields *fs, struct trace_ev *e, char *why,
		     size_t whylen)
{
	e->kind = TK_OTHER;
	if (!strcmp(kind, "hcall")) {
		e->kind = TK_HCALL;
		if (!get_u32(fs, "nr", e, -1, true, why, whylen))
			return false;
		const char *args = field_text(fs, "args");
		if (args && !v0_args(args, e)) {
			snprintf(why, whylen, "hcall: args is not up to 4 numbers");
			return false;
		}
	} else if (!strcmp(kind, "trap") && find(fs, "vector") && !has_word(fs, "refused")) {
		e->kind = has_word(fs, "hw") ? TK_TRAP : TK_DELIVER;
		return get_u32(fs, "vector", e, -1, true, why, whylen) &&
		       get_u32(fs, "err", e, TF_ERR, false, why, whylen) &&
		       get_u32(fs, "eip", e, TF_EIP, false, why, whylen);
	} else if (!strcmp(kind, "irq")) {
		e->kind = TK_IRQ;
		return get_u32(fs, "irq", e, -1, true, why, whylen) &&
		       get_u32(fs, "eip", e, TF_IRQ_EIP, false, why, whylen);
	} else if (!strcmp(kind, "pf") && find(fs, "vaddr")) {
		e->kind = TK_PF;
		if (!get_u32(fs, "vaddr", e, TF_VADDR, true, why, whylen) ||
		    !get_u32(fs, "err", e, TF_PF_ERR, false, why, whylen))
			return false;
		int o = trace_pf_outcome_from_name(field_text(fs, "result"));
		e->outcome = o < 0 ? PF_UNKNOWN : (uint8_t)o;
	} else if (!strcmp(kind, "exit")) {
		uint64_t reason;
		e->kind = TK_EXIT;
		/* KVM_EXIT_IO 2, KVM_EXIT_MMIO 6, -1 a kick (KVM_RUN interrupted). */
		if (field_num(find(fs, "reason"), &reason, false) != NUM_OK) {
			snprintf(why, whylen, "exit without reason");
			return false;
		}
		e->nr = reason == 2 ? EXIT_IO : reason == 6 ? EXIT_MMIO
			: reason == UINT32_MAX ? EXIT_KICK : EXIT_OTHER;
	}
	return true;
}

static bool v0_compared_kind(const char *kind)
{
	static const char *const kinds[] = { "hcall", "trap", "irq", "pf", "exit" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

/* Cuts "key=value key=\"quoted value\" word ..." in place. */
static bool split_fields(char *s, struct fields *fs)
{
	fs->n = fs->nwords = 0;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		char *start = s, *eq = NULL, *out;
		for (; *s && *s != ' ' && *s != '\t' && *s != '"'; s++)
			if (*s == '=' && !eq)
				eq = s;
		if (*s == '"' && eq) {
			/* A quoted value: \" and \\ are escapes; spaces kept. */
			out = eq + 1;
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1])
					s++;
				*out++ = *s;
			}
			if (*s == '"')
				s++;
		} else {
			while (*s && *s != ' ' && *s != '\t')
				s++;
			out = s;
		}
		bool more = *s != '\0';
		*out = '\0';
		if (eq && eq > start) {
			if (fs->n == MAX_FIELDS)
				return false;
			*eq = '\0';
			fs->f[fs->n++] = (struct field){ .key = start, .text = eq + 1 };
		} else if (fs->nwords < sizeof(fs->words) / sizeof(fs->words[0])) {
			fs->words[fs->nwords++] = start;
		}
		if (more)
			s++;
	}
	return true;
}

/* "12.000345678" (v1) or "12.000345" (v0) to nanoseconds. */
static bool parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	unsigned digits = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		sec = sec * 10 + (uint64_t)(*s - '0');
		if (sec > UINT64_MAX / 1000000000u - 1)
			return false; /* over 584 years: not a trace's time */
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				digits++;
			}
	if (*s)
		return false;
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

static char *next_word(char **s)
{
	char *w = *s + strspn(*s, " \t");
	char *end = w + strcspn(w, " \t");
	*s = *end ? end + 1 : end;
	*end = '\0';
	return w;
}

/* "# lgkvm-trace V ...": the version, refused when unknown. */
static bool text_header(const char *line, unsigned long lineno, struct trace *t, char *err,
			size_t errlen)
{
	const char *v = line + strlen("# lgkvm-trace");
	uint64_t version;
	char num[24];
	size_t n;

	v += strspn(v, " \t");
	n = strcspn(v, " \t");
	if (n == 0 || n >= sizeof(num))
		return fail(err, errlen, lineno, "lgkvm-trace header without a version");
	memcpy(num, v, n);
	num[n] = '\0';
	if (!trace_parse_u64(num, &version) || version < 1 || version > LGKVM_VERSION_MAX)
		return fail(err, errlen, lineno,
			    "lgkvm trace version %s is not one this lgkvm reads (0 to %d)", num,
			    LGKVM_VERSION_MAX);
	t->version = (int)version;
	t->header = strdup(line + 2);
	return t->header != NULL || fail(err, errlen, lineno, "out of memory");
}

bool trace_read_lgkvm_text(struct trace_lines *in, struct trace *t, char *err, size_t errlen)
{
	struct fields fs;
	char *line, why[128];
	size_t len;
	bool first = true;

	t->version = 0;
	while ((line = trace_lines_next(in, &len))) {
		unsigned long lineno = trace_lines_number(in);
		char *s = line + strspn(line, " \t");
		if (first && !strncmp(s, "# lgkvm-trace", 13)) {
			first = false;
			if (!text_header(s, lineno, t, err, errlen))
				return false;
			continue;
		}
		first = false;
		if (!*s || *s == '#')
			continue;
		struct trace_ev e = { 0 };
		char *seq = next_word(&s), *secs = next_word(&s), *kind = next_word(&s);
		if (!trace_parse_u64(seq, &e.seq) || !parse_seconds(secs, &e.t_ns) || !*kind)
			return fail(err, errlen, lineno,
				    "not an event (SEQ SECONDS KIND key=value ... expected)");
		/* Free-form kinds are kept whole but not looked into. */
		bool known = t->version ? trace_kind_from_name(kind) >= 0 : v0_compared_kind(kind);
		if (known && !split_fields(s, &fs))
			return fail(err, errlen, lineno, "more than %d fields", MAX_FIELDS);
		if (!known)
			e.kind = TK_OTHER;
		else if (!(t->version ? event_v1(kind, &fs, &e, why, sizeof(why))
				      : event_v0(kind, &fs, &e, why, sizeof(why))))
			return fail(err, errlen, lineno, "%s", why);
		if (!trace_push(t, &e))
			return fail(err, errlen, lineno, "out of memory");
	}
	return true;
}

/* A JSON member as a field: integers converted, strings kept, others
 * (floats, objects) present but not numbers. */
static void json_field(struct field *f, const char *key, json_object *v)
{
	*f = (struct field){ .key = key };
	switch (json_object_get_type(v)) {
	case json_type_int: {
		int64_t i = json_object_get_int64(v);
		f->is_num = true;
		f->negative = i < 0;
		f->num = i < 0 ? (uint64_t)0 - (uint64_t)i : json_object_get_uint64(v);
		break;
	}
	case json_type_string:
		f->text = json_object_get_string(v);
		break;
	default:
		break;
	}
}

/* The first line: {"format":"lgkvm-trace","version":1,...}. */
static bool json_header(json_object *o, const char *line, unsigned long lineno,
			struct trace *t, char *err, size_t errlen)
{
	json_object *format, *version;

	if (!json_object_object_get_ex(o, "format", &format) ||
	    !json_object_is_type(format, json_type_string) ||
	    strcmp(json_object_get_string(format), "lgkvm-trace"))
		return fail(err, errlen, lineno,
			    "JSON lines without the {\"format\":\"lgkvm-trace\",...} header");
	if (!json_object_object_get_ex(o, "version", &version) ||
	    !json_object_is_type(version, json_type_int))
		return fail(err, errlen, lineno, "lgkvm-trace header without a version");
	int64_t v = json_object_get_int64(version);
	if (v < 1 || v > LGKVM_VERSION_MAX)
		return fail(err, errlen, lineno,
			    "lgkvm trace version %lld is not one this lgkvm reads (0 to %d)",
			    (long long)v, LGKVM_VERSION_MAX);
	t->version = (int)v;
	t->header = strdup(line);
	return t->header != NULL || fail(err, errlen, lineno, "out of memory");
}

static bool json_event(json_object *o, struct trace *t, unsigned long lineno, char *err,
		       size_t errlen)
{
	struct fields fs = { .n = 0 };
	struct trace_ev e = { 0 };
	const char *kind = NULL;
	char why[128];
	uint64_t v;

	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "kind") && json_object_is_type(val, json_type_string))
			kind = json_object_get_string(val);
		else if (fs.n < MAX_FIELDS)
			json_field(&fs.f[fs.n++], key, val);
	}
	if (!kind)
		return fail(err, errlen, lineno, "an event without \"kind\"");
	if (field_num(find(&fs, "seq"), &v, true) != NUM_OK)
		return fail(err, errlen, lineno, "an event without a \"seq\" number");
	e.seq = v;
	if (field_num(find(&fs, "t_ns"), &v, true) != NUM_OK)
		return fail(err, errlen, lineno, "an event without a \"t_ns\" number");
	e.t_ns = v;
	if (!event_v1(kind, &fs, &e, why, sizeof(why)))
		return fail(err, errlen, lineno, "%s", why);
	return trace_push(t, &e) || fail(err, errlen, lineno, "out of memory");
}

bool trace_read_lgkvm_json(struct trace_lines *in, struct trace *t, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	char *line;
	size_t len;
	bool ok = true, header = false;

	if (!tok)
		return fail(err, errlen, 0, "out of memory");
	while (ok && (line = trace_lines_next(in, &len))) {
		unsigned long lineno = trace_lines_number(in);
		if (!line[strspn(line, " \t")])
			continue;
		if (len > INT32_MAX) {
			ok = fail(err, errlen, lineno, "line too long");
			break;
		}
		json_tokener_reset(tok);
		json_object *o = json_tokener_parse_ex(tok, line, (int)len);
		/* One object per line, nothing after it. */
		if (!o || json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(o, json_type_object) ||
		    line[json_tokener_get_parse_end(tok) + strspn(line + json_tokener_get_parse_end(tok), " \t")]) {
			json_object_put(o);
			ok = fail(err, errlen, lineno, "not a JSON object");
			break;
		}
		if (!header) {
			ok = json_header(o, line, lineno, t, err, errlen);
			header = true;
		} else {
			ok = json_event(o, t, lineno, err, errlen);
		}
		json_object_put(o);
	}
	json_tokener_free(tok);
	return ok;
}
