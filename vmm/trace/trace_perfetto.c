/*
 * `lgkvm trace perfetto FILE OUT.json`: a trace as Chrome trace-event JSON
 * (the JSON Object format), which ui.perfetto.dev and chrome://tracing open.
 *
 * One thread, the vCPU: a "guest" slice for the time in KVM_RUN before each
 * exit, then a slice named by the exit's cause for lgkvm's time after it,
 * with its halted part nested inside.  Interrupts, page faults and
 * deliveries are instants on that thread; the exit rate is a counter.  A
 * trace without exits (the in-kernel lguest's ftrace) gets its hypercalls
 * and traps as instants and a trap-rate counter instead.
 *
 * The array is written one event at a time: a trace of millions of events
 * never becomes one json_object tree.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/trace/trace_render.h"

#define PERFETTO_BIN_MS 10
#define PID 1
#define TID 1                 /* vCPU 0 */
#define MAX_CAUSED_ARGS 16    /* caused events listed in an exit's args */

struct writer {
	FILE *out;
	bool first;
	bool oom;
};

static void emit(struct writer *w, json_object *o)
{
	if (!o) {
		w->oom = true;
		return;
	}
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s) {
		fputs(w->first ? "\n" : ",\n", w->out);
		fputs(s, w->out);
		w->first = false;
	} else {
		w->oom = true;
	}
	json_object_put(o);
}

/* Microseconds, written exactly to the nanosecond ("12.345") rather than
 * as the nearest double, so nested slices stay nested. */
static json_object *j_us(uint64_t ns)
{
	char s[32];

	snprintf(s, sizeof(s), "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
	return json_object_new_double_s((double)ns / 1e3, s);
}

static json_object *j_hex(uint32_t v)
{
	char s[16];

	snprintf(s, sizeof(s), "0x%" PRIx32, v);
	return json_object_new_string(s);
}

/* A string from the trace file, made valid UTF-8 (each bad byte a '?') so
 * that every JSON reader takes the output. */
static json_object *j_text(const char *s)
{
	size_t n = strlen(s);
	char *c = malloc(n + 1);

	if (!c)
		return json_object_new_string("?");
	for (size_t i = 0; i < n;) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2
				       : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = len && i + len <= n && !(len == 2 && p[0] < 0xc2);

		for (size_t k = 1; ok && k < len; k++)
			ok = (p[k] & 0xc0) == 0x80;
		if (!ok)
			len = 1;
		for (size_t k = 0; k < len; k++)
			c[i + k] = ok ? (char)p[k] : '?';
		i += len;
	}
	c[n] = '\0';
	json_object *o = json_object_new_string(c);

	free(c);
	return o;
}

static json_object *event(const char *name, const char *ph, const char *cat, uint64_t ts_ns)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "ph", json_object_new_string(ph));
	if (cat)
		json_object_object_add(o, "cat", json_object_new_string(cat));
	json_object_object_add(o, "ts", j_us(ts_ns));
	json_object_object_add(o, "pid", json_object_new_int(PID));
	json_object_object_add(o, "tid", json_object_new_int(TID));
	return o;
}

static void emit_slice(struct writer *w, const char *name, uint64_t start, uint64_t dur,
		       json_object *args)
{
	json_object *o = event(name, "X", "vcpu", start);

	if (!o) {
		json_object_put(args);
		w->oom = true;
		return;
	}
	json_object_object_add(o, "dur", j_us(dur));
	if (args)
		json_object_object_add(o, "args", args);
	emit(w, o);
}

static const char *kind_name(uint16_t kind)
{
	return kind < TK_KINDS ? trace_kind_name(kind) : "?";
}

/* v[] slot names by kind, as the text trace writes them. */
static const char *field_name(uint16_t kind, unsigned slot)
{
	static const char *const names[TK_KINDS][TRACE_FIELDS] = {
		[TK_HCALL] = {"a1", "a2", "a3", "a4"},
		[TK_TRAP] = {"err", "eip", "eax", "cr2"},
		[TK_DELIVER] = {"err", "eip"},
		[TK_IRQ_PENDING] = {"more", "halted", "irqen", "eip"},
		[TK_IRQ] = {[TF_IRQ_EIP] = "eip"},
		[TK_PF] = {"vaddr", "err", "eip"},
	};
	static const char *const generic[TRACE_FIELDS] = {"v0", "v1", "v2", "v3"};
	const char *n = kind < TK_KINDS ? names[kind][slot] : NULL;

	return n ? n : generic[slot];
}

/* An hcall's name, or its number when the model does not know it. */
static const char *hcall_label(uint32_t nr, char *buf, size_t len)
{
	const char *n = trace_hcall_name(nr);

	if (n && strcmp(n, "?") != 0)
		return n;
	snprintf(buf, len, "%" PRIu32, nr);
	return buf;
}

/* What an event says, for "args". */
static json_object *ev_args(const struct trace_ev *e)
{
	json_object *a = json_object_new_object();
	char buf[16];

	if (!a)
		return NULL;
	json_object_object_add(a, "kind", json_object_new_string(kind_name(e->kind)));
	json_object_object_add(a, "seq", json_object_new_uint64(e->seq));
	json_object_object_add(a, "nr", json_object_new_uint64(e->nr));
	if (e->kind == TK_HCALL) {
		json_object_object_add(a, "name", json_object_new_string(hcall_label(e->nr, buf, sizeof(buf))));
		json_object_object_add(a, "src", json_object_new_string(e->flags & TRACE_EV_ASYNC ? "async" : "sync"));
	}
	if (e->kind == TK_PF)
		json_object_object_add(a, "result", json_object_new_string(trace_pf_outcome_name(e->outcome)));
	for (unsigned i = 0; i < TRACE_FIELDS; i++) {
		if (!(e->present & (1u << i)))
			continue;
		bool flag = e->kind == TK_IRQ_PENDING && i != TF_IRQ_EIP;

		json_object_object_add(a, field_name(e->kind, i),
				       flag ? json_object_new_uint64(e->v[i]) : j_hex(e->v[i]));
	}
	return a;
}

/* An instant for the events shown as points in time; exits=false adds the
 * hypercalls and traps a trace without exits has nothing else to show by. */
static void emit_instant(struct writer *w, const struct trace_ev *e, bool exits)
{
	char name[64], buf[16];
	const char *cat, *scope = "t";

	switch (e->kind) {
	case TK_IRQ:
		snprintf(name, sizeof(name), "irq %" PRIu32, e->nr);
		cat = "irq";
		break;
	case TK_SET_IRQ:
		snprintf(name, sizeof(name), "set_irq %" PRIu32, e->nr);
		cat = "irq";
		break;
	case TK_PF:
		snprintf(name, sizeof(name), "pf %s", trace_pf_outcome_name(e->outcome));
		cat = "pf";
		break;
	case TK_DELIVER:
		snprintf(name, sizeof(name), "deliver %" PRIu32, e->nr);
		cat = "deliver";
		break;
	case TK_LOST:
		snprintf(name, sizeof(name), "lost %" PRIu32 " events", e->nr);
		cat = "lost";
		scope = "g";
		break;
	case TK_HCALL:
		if (exits)
			return; /* named by its exit's slice */
		snprintf(name, sizeof(name), "hcall %s", hcall_label(e->nr, buf, sizeof(buf)));
		cat = "hcall";
		break;
	case TK_TRAP:
		if (exits)
			return;
		snprintf(name, sizeof(name), "trap %" PRIu32, e->nr);
		cat = "trap";
		break;
	case TK_HOST_IRQ:
		if (exits)
			return;
		snprintf(name, sizeof(name), "host irq %" PRIu32, e->nr);
		cat = "trap";
		break;
	default:
		return;
	}

	json_object *o = event(name, "i", cat, e->t_ns);

	if (!o) {
		w->oom = true;
		return;
	}
	json_object_object_add(o, "s", json_object_new_string(scope));
	json_object_object_add(o, "args", ev_args(e));
	emit(w, o);
}

/* A hypercall exit's slice is named by what it ran: "hcall SET_PTE", or
 * the distinct calls in order when the async ring ran several. */
static void hcall_exit_name(char *name, size_t len, const struct trace *t, size_t from, size_t to)
{
	uint32_t seen[3];
	unsigned nseen = 0;
	bool more = false;
	size_t used;

	snprintf(name, len, "hcall");
	for (size_t i = from; i < to; i++) {
		const struct trace_ev *e = &t->ev[i];
		bool dup = false;
		char buf[16];

		if (e->kind != TK_HCALL)
			continue;
		for (unsigned k = 0; k < nseen; k++)
			dup |= seen[k] == e->nr;
		if (dup)
			continue;
		if (nseen == 3) {
			more = true;
			break;
		}
		seen[nseen] = e->nr;
		used = strlen(name);
		snprintf(name + used, len - used, "%s%s", nseen ? "+" : " ",
			 hcall_label(e->nr, buf, sizeof(buf)));
		nseen++;
	}
	used = strlen(name);
	if (nseen == 0)
		snprintf(name, len, "%s", trace_exit_cause_name(EXIT_HCALL));
	else if (more)
		snprintf(name + used, len - used, "+...");
}

static json_object *exit_args(const struct trace *t, size_t from, size_t exit_idx,
			      unsigned cause, uint64_t idle)
{
	const struct trace_ev *x = &t->ev[exit_idx];
	json_object *a = json_object_new_object();
	json_object *caused = json_object_new_array();

	if (!a || !caused) {
		json_object_put(a);
		json_object_put(caused);
		return NULL;
	}
	json_object_object_add(a, "cause", json_object_new_string(trace_exit_cause_name(cause)));
	json_object_object_add(a, "seq", json_object_new_uint64(x->seq));
	json_object_object_add(a, "guest_ns", json_object_new_uint64(x->guest_ns));
	json_object_object_add(a, "host_ns", json_object_new_uint64(x->host_ns));
	json_object_object_add(a, "idle_ns", json_object_new_uint64(idle));
	if (exit_idx == from) {
		json_object_put(caused); /* most exits cause no event: keep them short */
		return a;
	}
	json_object_object_add(a, "events", json_object_new_uint64(exit_idx - from));
	for (size_t i = from; i < exit_idx && i - from < MAX_CAUSED_ARGS; i++)
		json_object_array_add(caused, ev_args(&t->ev[i]));
	json_object_object_add(a, "caused", caused);
	if (exit_idx - from > MAX_CAUSED_ARGS)
		json_object_object_add(a, "caused_more",
				       json_object_new_uint64(exit_idx - from - MAX_CAUSED_ARGS));
	return a;
}

/* The slices of one exit.  *cursor is where the track's last slice ended:
 * slices on one thread must not overlap, so a guest or lgkvm slice that
 * would start before it (clock jitter, or a trace out of time order) is
 * cut to start there. */
static void emit_exit(struct writer *w, const struct trace *t, size_t from, size_t idx,
		      uint64_t *cursor)
{
	const struct trace_ev *x = &t->ev[idx];
	unsigned cause = x->nr < EXIT_CAUSES ? x->nr : EXIT_OTHER;
	uint64_t g_start = x->t_ns - (x->guest_ns < x->t_ns ? x->guest_ns : x->t_ns);
	uint64_t h_start = x->t_ns > *cursor ? x->t_ns : *cursor;
	uint64_t h_end = x->t_ns + (x->host_ns < UINT64_MAX - x->t_ns ? x->host_ns : UINT64_MAX - x->t_ns);
	char name[96];

	if (g_start < *cursor)
		g_start = *cursor;
	if (x->guest_ns && g_start < x->t_ns)
		emit_slice(w, "guest", g_start, x->t_ns - g_start, NULL);

	if (h_end < h_start)
		h_end = h_start;
	uint64_t idle = x->idle_ns < h_end - h_start ? x->idle_ns : h_end - h_start;

	if (cause == EXIT_HCALL)
		hcall_exit_name(name, sizeof(name), t, from, idx);
	else
		snprintf(name, sizeof(name), "%s", trace_exit_cause_name(cause));
	emit_slice(w, name, h_start, h_end - h_start, exit_args(t, from, idx, cause, idle));
	/* The trace gives the halted time's length, not its place: lgkvm
	 * waits after handling the exit, so it goes at the end. */
	if (idle)
		emit_slice(w, "halted", h_end - idle, idle, NULL);
	*cursor = h_end;
}

static void emit_meta(struct writer *w, const char *what, int tid, json_object *name)
{
	json_object *o = json_object_new_object();
	json_object *args = json_object_new_object();

	if (!o || !args) {
		json_object_put(o);
		json_object_put(args);
		json_object_put(name);
		w->oom = true;
		return;
	}
	json_object_object_add(o, "name", json_object_new_string(what));
	json_object_object_add(o, "ph", json_object_new_string("M"));
	json_object_object_add(o, "pid", json_object_new_int(PID));
	json_object_object_add(o, "tid", json_object_new_int(tid));
	json_object_object_add(args, "name", name);
	json_object_object_add(o, "args", args);
	emit(w, o);
}

static void emit_counter(struct writer *w, const struct trace_rate *r, const char *name,
			 uint64_t bin, const uint64_t *counts)
{
	json_object *o = json_object_new_object();
	json_object *args = json_object_new_object();

	if (!o || !args) {
		json_object_put(o);
		json_object_put(args);
		w->oom = true;
		return;
	}
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "ph", json_object_new_string("C"));
	json_object_object_add(o, "ts", j_us(bin * r->bin_ns));
	json_object_object_add(o, "pid", json_object_new_int(PID));
	for (unsigned s = 0; s < r->nseries; s++)
		if (r->used[s])
			json_object_object_add(args, trace_rate_series_name(r, s),
					       json_object_new_uint64(counts ? counts[s] : 0));
	json_object_object_add(o, "args", args);
	emit(w, o);
}

/* One counter event per bin that saw something, and a zero after each run
 * of them: a counter holds its value until the next event. */
static void emit_counters(struct writer *w, const struct trace_rate *r, const char *name)
{
	for (size_t i = 0; i < r->nbins; i++) {
		uint64_t b = r->bin[i];

		emit_counter(w, r, name, b, &r->count[i * r->nseries]);
		bool gap = i + 1 == r->nbins || r->bin[i + 1] != b + 1;

		if (gap && b < UINT64_MAX / r->bin_ns - 1)
			emit_counter(w, r, name, b + 1, NULL);
	}
}

bool trace_perfetto_write(FILE *out, const struct trace *t, const char *title)
{
	struct writer w = {.out = out, .first = true};
	bool exits = trace_shows_exits(t);
	json_object *other = json_object_new_object();
	char buf[512];

	if (!other)
		return false;
	json_object_object_add(other, "source", json_object_new_string(trace_source_name(t)));
	json_object_object_add(other, "version", json_object_new_int(t->version));
	if (t->header)
		json_object_object_add(other, "header", j_text(t->header));
	json_object_object_add(other, "lost_events", json_object_new_uint64(t->lost_events));
	const char *o = json_object_to_json_string_ext(other, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":%s,\"traceEvents\":[", o ? o : "{}");
	json_object_put(other);

	snprintf(buf, sizeof(buf), "%s: %s", exits ? "lgkvm" : "lguest", title ? title : "trace");
	emit_meta(&w, "process_name", TID, j_text(buf));
	emit_meta(&w, "thread_name", TID, json_object_new_string(exits ? "vCPU 0" : "guest CPU"));

	uint64_t cursor = 0;
	size_t from = 0;

	for (size_t i = 0; i < t->n && !w.oom && !ferror(out); i++) {
		if (t->ev[i].kind == TK_EXIT) {
			emit_exit(&w, t, from, i, &cursor);
			from = i + 1;
		} else {
			emit_instant(&w, &t->ev[i], exits);
		}
	}

	struct trace_rate r;

	if (!trace_rate_from(&r, t, (uint64_t)PERFETTO_BIN_MS * 1000000))
		w.oom = true;
	snprintf(buf, sizeof(buf), "%s per %d ms", exits ? "exits" : "traps", PERFETTO_BIN_MS);
	emit_counters(&w, &r, buf);
	trace_rate_free(&r);

	fputs("\n]}\n", out);
	return !w.oom && fflush(out) == 0 && !ferror(out);
}

int trace_cmd_perfetto(int argc, char **argv)
{
	static const char usage[] = "usage: lgkvm trace perfetto FILE OUT.json  (OUT - for stdout)\n";

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 3 || (argv[1][0] == '-' && argv[1][1]) || (argv[2][0] == '-' && argv[2][1])) {
		fputs(usage, stderr);
		return 2;
	}

	struct trace t;

	if (!trace_load_for("perfetto", argv[1], &t))
		return 2;

	bool to_stdout = !strcmp(argv[2], "-");
	FILE *out = to_stdout ? stdout : fopen(argv[2], "w");

	if (!out) {
		fprintf(stderr, "lgkvm trace perfetto: cannot create %s\n", argv[2]);
		trace_free(&t);
		return 2;
	}
	bool ok = trace_perfetto_write(out, &t, argv[1]);

	trace_free(&t);
	if (!to_stdout && fclose(out) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "lgkvm trace perfetto: cannot write %s\n", argv[2]);
		if (!to_stdout)
			unlink(argv[2]);
		return 2;
	}
	return 0;
}
