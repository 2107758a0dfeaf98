/*
 * `lgkvm trace stats|perfetto|plot`: the table's numbers, the Perfetto
 * JSON read back with json-c, and real pictures from gnuplot (gnuplot-nox is
 * a declared dependency: without it these tests fail, they do not skip).
 */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/trace/trace_render.h"

/* Building traces -------------------------------------------------------- */

#define MAX_EV 64

struct tb {
	struct trace_ev ev[MAX_EV];
	struct trace t;
};

static struct trace_ev *add(struct tb *b, enum trace_kind kind, uint64_t t_ns, uint32_t nr)
{
	ck_assert_uint_lt(b->t.n, MAX_EV);
	struct trace_ev *e = &b->ev[b->t.n];

	memset(e, 0, sizeof(*e));
	e->kind = (uint16_t)kind;
	e->t_ns = t_ns;
	e->nr = nr;
	e->seq = b->t.n;
	b->t.ev = b->ev;
	b->t.n++;
	return e;
}

static void add_exit(struct tb *b, uint64_t t_ns, unsigned cause, uint64_t guest,
		     uint64_t host, uint64_t idle)
{
	struct trace_ev *e = add(b, TK_EXIT, t_ns, cause);

	e->guest_ns = guest;
	e->host_ns = host;
	e->idle_ns = idle;
}

static void add_hcall(struct tb *b, uint64_t t_ns, uint32_t nr, bool async)
{
	struct trace_ev *e = add(b, TK_HCALL, t_ns, nr);

	e->flags = async ? TRACE_EV_ASYNC : 0;
	e->v[TF_A1] = 0xc0001000;
	e->present = 0xf;
}

static void add_pf(struct tb *b, uint64_t t_ns, uint32_t vaddr, enum trace_pf_outcome o)
{
	struct trace_ev *e = add(b, TK_PF, t_ns, 0);

	e->v[TF_VADDR] = vaddr;
	e->present = 1u << TF_VADDR;
	e->outcome = (uint8_t)o;
}

/* The trace most tests use: three hypercall exits (one ran two calls from
 * the async ring and one sync, one halted), an io, a fixed page fault with
 * no guest time before it.
 *   exits 4: hypercall 2, io 1, page-fault-fixed 1
 *   lgkvm time 10000 ns: hypercall 6000 (4000 halted), io 2000, pf 2000
 *   guest time 2900 ns: hypercall 1900, io 1000, pf 0 */
static void sample_trace(struct tb *b)
{
	memset(b, 0, sizeof(*b));
	add(b, TK_SET_IRQ, 500, 0);
	add_hcall(b, 1100, 14, true);
	add_hcall(b, 1110, 14, true);
	add_hcall(b, 1120, 14, false);
	add_exit(b, 1000, EXIT_HCALL, 900, 1000, 0);      /* guest 100..1000, lgkvm ..2000 */
	add_hcall(b, 3100, 10, false);
	add_exit(b, 3000, EXIT_HCALL, 1000, 5000, 4000);  /* guest 2000..3000, lgkvm ..8000 */
	add(b, TK_IRQ, 9100, 0);
	add_exit(b, 9000, EXIT_IO, 1000, 2000, 0);        /* guest 8000..9000, lgkvm ..11000 */
	add_pf(b, 11100, 0xc0100000, PF_FIXED);
	add(b, TK_DELIVER, 11200, 14);
	add_exit(b, 11000, EXIT_PF_FIXED, 0, 2000, 0);    /* lgkvm 11000..13000 */
}

/* What the in-kernel lguest's ftrace gives: no exits, traps and hypercalls. */
static void ftrace_trace(struct tb *b)
{
	memset(b, 0, sizeof(*b));
	b->t.source = TRACE_SRC_FTRACE;
	for (int i = 0; i < 3; i++)
		add(b, TK_TRAP, 1000 + (uint64_t)i, 14);
	add(b, TK_TRAP, 2000, 13);
	add(b, TK_TRAP, 3000, 31);
	add_hcall(b, 3001, 14, false);
	add(b, TK_TRAP, 4000, 31);
	add_hcall(b, 4001, 10, false);
	add(b, TK_TRAP, 25000000, 128);
	add(b, TK_HOST_IRQ, 25000100, 33);
	add(b, TK_HOST_IRQ, 25000200, 33);
	add(b, TK_TRAP, 25000300, 5000); /* no such vector */
	add(b, TK_LOST, 25000400, 5);
}

static char *capture(void (*print)(FILE *, const void *, const char *), const void *arg,
		     const char *eol)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	print(f, arg, eol);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void print_stats(FILE *f, const void *s, const char *eol)
{
	trace_stats_print(f, s, eol);
}

/* The line of a table whose first word is name. */
static const char *row(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *w = l + strspn(l, " ");

		if (!strncmp(w, name, n) && (w[n] == ' ' || w[n] == '\0'))
			return w + n;
	}
	ck_abort_msg("no row %s in:\n%s", name, text);
	return NULL;
}

struct exit_row {
	unsigned long long n;
	double share, host_ms, time_pct, avg_us, halted_ms, guest_ms, guest_pct, avg_guest_us;
};

static struct exit_row exit_row(const char *text, const char *name)
{
	struct exit_row r;
	int got = sscanf(row(text, name), "%llu %lf%% %lfms %lf%% %lfus %lfms %lfms %lf%% %lfus", &r.n,
			 &r.share, &r.host_ms, &r.time_pct, &r.avg_us, &r.halted_ms, &r.guest_ms,
			 &r.guest_pct, &r.avg_guest_us);

	ck_assert_msg(got >= 8, "row %s: %d fields in:\n%s", name, got, text);
	if (got == 8)
		r.avg_guest_us = NAN;
	return r;
}

#define ck_near(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) < 0.006, "%f != %f", (double)(a), (double)(b))

/* Stats ------------------------------------------------------------------- */

START_TEST(test_stats_counts)
{
	struct tb b;
	struct trace_stats s;

	sample_trace(&b);
	trace_stats_from(&s, &b.t);
	ck_assert_uint_eq(s.exits[EXIT_HCALL], 2);
	ck_assert_uint_eq(s.exits[EXIT_IO], 1);
	ck_assert_uint_eq(s.exits[EXIT_PF_FIXED], 1);
	ck_assert_uint_eq(s.exits[EXIT_KICK], 0);
	ck_assert_uint_eq(s.exit_host_ns[EXIT_HCALL], 6000);
	ck_assert_uint_eq(s.exit_idle_ns[EXIT_HCALL], 4000);
	ck_assert_uint_eq(s.exit_guest_ns[EXIT_HCALL], 1900);
	ck_assert_uint_eq(s.hcalls[14], 3);
	ck_assert_uint_eq(s.hcalls_async[14], 2);
	ck_assert_uint_eq(s.hcalls[10], 1);
	ck_assert_uint_eq(s.hcalls_async[10], 0);
	ck_assert_uint_eq(s.hcalls_other, 0);
	/* The last exit (t 11000) keeps lgkvm busy for 2000 ns more. */
	ck_assert_uint_eq(s.wall_ns, 13000);
}
END_TEST

START_TEST(test_stats_table)
{
	struct tb b;
	struct trace_stats s;

	sample_trace(&b);
	trace_stats_from(&s, &b.t);
	char *out = capture(print_stats, &s, "\n");

	struct exit_row h = exit_row(out, "hypercall"), io = exit_row(out, "io");
	struct exit_row pf = exit_row(out, "page-fault-fixed"), tot = exit_row(out, "Total");

	ck_assert_uint_eq(h.n, 2);
	ck_near(h.share, 50.0);
	ck_near(h.host_ms, 0.006);
	ck_near(h.time_pct, 60.0);
	ck_near(h.avg_us, 3.0);
	ck_near(h.halted_ms, 0.004);
	ck_near(h.guest_pct, 100.0 * 1900 / 2900);
	ck_near(h.avg_guest_us, 0.95);
	ck_assert_uint_eq(io.n, 1);
	ck_near(io.share, 25.0);
	ck_near(io.avg_us, 2.0);
	ck_near(io.avg_guest_us, 1.0);
	ck_assert_uint_eq(pf.n, 1);
	ck_near(pf.guest_pct, 0.0);
	ck_assert_uint_eq(tot.n, 4);
	ck_near(tot.avg_us, 2.5);
	/* Shares of the causes add up to the whole (to the rounding). */
	ck_assert(fabs(h.share + io.share + pf.share - 100.0) < 0.03);
	ck_assert(fabs(h.time_pct + io.time_pct + pf.time_pct - 100.0) < 0.03);
	ck_assert(fabs(h.guest_pct + io.guest_pct + pf.guest_pct - 100.0) < 0.03);
	/* Causes that never happened get no row. */
	ck_assert_ptr_null(strstr(out, " kick "));
	/* Guest 2900 of 12900 ns of vCPU time; 4000 halted. */
	ck_assert_ptr_nonnull(strstr(out, "in the guest 22.48%, in lgkvm 77.52% (halted 31.01%)"));
	ck_assert_ptr_nonnull(strstr(out, "Analyzed 4 exits"));

	unsigned nr;
	unsigned long long sync, async, total;
	double share;

	ck_assert_int_eq(sscanf(row(out, trace_hcall_name(14)), "%u %llu %llu %llu %lf%%", &nr,
				&sync, &async, &total, &share), 5);
	ck_assert_uint_eq(nr, 14);
	ck_assert_uint_eq(sync, 1);
	ck_assert_uint_eq(async, 2);
	ck_assert_uint_eq(total, 3);
	ck_near(share, 75.0);
	ck_assert_int_eq(sscanf(row(out, trace_hcall_name(10)), "%u %llu %llu %llu %lf%%", &nr,
				&sync, &async, &total, &share), 5);
	ck_assert_uint_eq(nr, 10);
	ck_assert_uint_eq(sync, 1);
	ck_assert_uint_eq(async, 0);
	ck_near(share, 25.0);
	free(out);
}
END_TEST

START_TEST(test_stats_zero_events)
{
	struct trace_stats s;
	struct trace t = {0};

	trace_stats_from(&s, &t);
	ck_assert_uint_eq(s.wall_ns, 0);
	char *out = capture(print_stats, &s, "\n");

	ck_assert_ptr_nonnull(strstr(out, "Analyzed 0 exits"));
	ck_assert_ptr_nonnull(strstr(out, "VM-EXIT"));
	ck_assert_ptr_nonnull(strstr(out, "No hypercalls"));
	ck_assert_ptr_nonnull(strstr(row(out, "Total"), " 0 "));
	ck_assert_ptr_null(strstr(out, "nan"));
	ck_assert_ptr_null(strstr(out, "inf"));
	free(out);
}
END_TEST

START_TEST(test_stats_crlf)
{
	struct tb b;
	struct trace_stats s;

	sample_trace(&b);
	trace_stats_from(&s, &b.t);
	char *out = capture(print_stats, &s, "\r\n");
	unsigned lines = 0;

	for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++, lines++)
		ck_assert_msg(p > out && p[-1] == '\r', "bare newline at %ld", (long)(p - out));
	ck_assert_uint_gt(lines, 8);
	free(out);
}
END_TEST

START_TEST(test_stats_hostile_values)
{
	struct tb b;
	struct trace_stats s;

	memset(&b, 0, sizeof(b));
	add_exit(&b, UINT64_MAX, 1000000, UINT64_MAX, UINT64_MAX, UINT64_MAX);
	add_exit(&b, 5, 0xffffffffu, UINT64_MAX, UINT64_MAX, 7);
	add_exit(&b, 3, EXIT_IO, 0, 0, 50); /* idle but no lgkvm time */
	add_hcall(&b, 1, 0xffffffffu, true);
	add_hcall(&b, 2, 32, false);
	add(&b, (enum trace_kind)999, 4, 1);
	trace_stats_from(&s, &b.t);
	ck_assert_uint_eq(s.exits[EXIT_OTHER], 2);
	ck_assert_uint_eq(s.exit_host_ns[EXIT_OTHER], UINT64_MAX); /* saturated, not wrapped */
	ck_assert_uint_eq(s.exit_idle_ns[EXIT_OTHER], UINT64_MAX);
	ck_assert_uint_eq(s.exit_idle_ns[EXIT_IO], 0); /* never more than host_ns */
	ck_assert_uint_eq(s.hcalls_other, 2);
	ck_assert_uint_eq(s.wall_ns, UINT64_MAX);
	char *out = capture(print_stats, &s, "\n");

	ck_assert_uint_eq(exit_row(out, "other").n, 2);
	ck_assert_ptr_nonnull(strstr(out, "(unknown)"));
	ck_assert_ptr_null(strstr(out, "nan"));
	free(out);
}
END_TEST

static void print_traps(FILE *f, const void *arg, const char *eol)
{
	const struct trace *t = arg;
	struct trace_trap_stats ts;

	memset(&ts, 0, sizeof(ts));
	for (size_t i = 0; i < t->n; i++)
		trace_trap_stats_add(&ts, &t->ev[i]);
	trace_trap_stats_print(f, &ts, 25000400, eol);
}

/* The count and share at the end of the trap row that names what. */
static void trap_row(const char *out, const char *what, unsigned long long *n, double *share)
{
	const char *p = strstr(out, what);

	ck_assert_msg(p != NULL, "no %s in:\n%s", what, out);
	ck_assert_int_eq(sscanf(p + strlen(what), " %llu %lf%%", n, share), 2);
}

START_TEST(test_stats_traps_by_vector)
{
	struct tb b;
	unsigned long long n;
	double share, sum = 0;

	ftrace_trace(&b);
	ck_assert(!trace_shows_exits(&b.t));
	char *out = capture(print_traps, &b.t, "\n");

	ck_assert_ptr_nonnull(strstr(out, "Analyzed 10 traps"));
	trap_row(out, "page fault (#PF)", &n, &share);
	ck_assert_uint_eq(n, 3);
	ck_near(share, 30.0);
	sum += share;
	trap_row(out, "lguest hypercall", &n, &share);
	ck_assert_uint_eq(n, 2);
	sum += share;
	trap_row(out, "general protection (#GP)", &n, &share);
	ck_assert_uint_eq(n, 1);
	sum += share;
	trap_row(out, "system call", &n, &share);
	ck_assert_uint_eq(n, 1);
	sum += share;
	trap_row(out, "host interrupt", &n, &share);
	ck_assert_uint_eq(n, 2);
	sum += share;
	trap_row(out, "(invalid vector)", &n, &share);
	ck_assert_uint_eq(n, 1);
	sum += share;
	ck_assert(fabs(sum - 100.0) < 0.03);
	trap_row(out, "Total", &n, &share);
	ck_assert_uint_eq(n, 10);
	free(out);
}
END_TEST

/* Rates ------------------------------------------------------------------- */

START_TEST(test_rate_bins)
{
	struct tb b;
	struct trace_rate r;

	memset(&b, 0, sizeof(b));
	add_exit(&b, 25000000, EXIT_IO, 0, 0, 0);
	add_exit(&b, 5000000, EXIT_HCALL, 0, 0, 0);
	add(&b, TK_TRAP, 6000000, 14); /* a trace with exits counts exits only */
	add_exit(&b, UINT64_MAX, EXIT_HCALL, 0, 0, 0);
	add_exit(&b, 7000000, 77, 0, 0, 0);
	add_exit(&b, 26000000, EXIT_IO, 0, 0, 0);
	ck_assert(trace_rate_from(&r, &b.t, 10000000));
	ck_assert(r.exits);
	ck_assert_uint_eq(r.nseries, EXIT_CAUSES);
	ck_assert_uint_eq(r.nbins, 3);
	ck_assert_uint_eq(r.bin[0], 0);
	ck_assert_uint_eq(r.bin[1], 2);
	ck_assert_uint_eq(r.bin[2], UINT64_MAX / 10000000);
	ck_assert_uint_eq(r.count[0 * EXIT_CAUSES + EXIT_HCALL], 1);
	ck_assert_uint_eq(r.count[0 * EXIT_CAUSES + EXIT_OTHER], 1);
	ck_assert_uint_eq(r.count[1 * EXIT_CAUSES + EXIT_IO], 2);
	ck_assert_uint_eq(r.count[2 * EXIT_CAUSES + EXIT_HCALL], 1);
	ck_assert(r.used[EXIT_HCALL] && r.used[EXIT_IO] && r.used[EXIT_OTHER]);
	ck_assert(!r.used[EXIT_KICK] && !r.used[EXIT_PF_FIXED]);
	trace_rate_free(&r);

	ftrace_trace(&b);
	ck_assert(trace_rate_from(&r, &b.t, 10000000));
	ck_assert(!r.exits);
	ck_assert_uint_eq(r.nbins, 2);
	ck_assert_uint_eq(r.count[TC_PF], 3);
	ck_assert_uint_eq(r.count[TC_GP], 1);
	ck_assert_uint_eq(r.count[TC_HCALL], 2);
	ck_assert_uint_eq(r.bin[1], 2);
	ck_assert_uint_eq(r.count[TRAP_CLASSES + TC_HOST_IRQ], 2);
	ck_assert_uint_eq(r.count[TRAP_CLASSES + TC_OTHER], 2); /* 128 and 5000 */
	ck_assert_str_eq(trace_rate_series_name(&r, TC_PF), "page fault (14)");
	trace_rate_free(&r);

	struct trace empty = {0};

	ck_assert(trace_rate_from(&r, &empty, 0));
	ck_assert_uint_eq(r.nbins, 0);
	trace_rate_free(&r);
}
END_TEST

/* Perfetto ---------------------------------------------------------------- */

static json_object *perfetto_json(const struct trace *t, char **text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert(trace_perfetto_write(f, t, "sample.trace"));
	ck_assert_int_eq(fclose(f), 0);

	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);

	ck_assert_msg(o != NULL && json_tokener_get_error(tok) == json_tokener_success,
		      "bad JSON: %s", json_tokener_error_desc(json_tokener_get_error(tok)));
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		ck_assert_msg(strchr(" \n", buf[i]), "junk after the JSON at %zu", i);
	json_tokener_free(tok);
	if (text)
		*text = buf;
	else
		free(buf);
	return o;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static double num_of(json_object *o, const char *key)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s in %s", key,
		      json_object_to_json_string(o));
	return json_object_get_double(v);
}

static json_object *events_of(json_object *root)
{
	json_object *evs;

	ck_assert(json_object_object_get_ex(root, "traceEvents", &evs));
	ck_assert(json_object_is_type(evs, json_type_array));
	ck_assert_str_eq(str_of(root, "displayTimeUnit"), "ns");
	return evs;
}

static size_t count_ph(json_object *evs, const char *ph, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		json_object *e = json_object_array_get_idx(evs, i);

		n += !strcmp(str_of(e, "ph"), ph) && (!name || !strcmp(str_of(e, "name"), name));
	}
	return n;
}

static json_object *find_ev(json_object *evs, const char *ph, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		json_object *e = json_object_array_get_idx(evs, i);

		if (!strcmp(str_of(e, "ph"), ph) && !strcmp(str_of(e, "name"), name))
			return e;
	}
	ck_abort_msg("no %s event %s", ph, name);
	return NULL;
}

#define ck_us(o, key, us) ck_assert_msg(fabs(num_of(o, key) - (us)) < 1e-9, "%s %f != %f", key, num_of(o, key), (double)(us))

/* Slices on the vCPU thread never overlap, "halted" ones sit inside the
 * lgkvm slice they follow, and no time is negative. */
static void check_track(json_object *evs)
{
	double last_end = -1, parent_start = -1, parent_end = -1;

	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		json_object *e = json_object_array_get_idx(evs, i);

		if (strcmp(str_of(e, "ph"), "M"))
			ck_assert(num_of(e, "ts") >= 0);
		if (strcmp(str_of(e, "ph"), "X"))
			continue;
		double ts = num_of(e, "ts"), end = ts + num_of(e, "dur");

		ck_assert(num_of(e, "dur") >= 0);
		if (!strcmp(str_of(e, "name"), "halted")) {
			ck_assert_msg(ts >= parent_start && end <= parent_end,
				      "halted [%f,%f] outside [%f,%f]", ts, end, parent_start,
				      parent_end);
			continue;
		}
		/* (the tolerance is for doubles near 2^64 ns, not for real traces) */
		ck_assert_msg(ts >= last_end - fabs(last_end) * 1e-12,
			      "slice at %f overlaps one ending at %f", ts, last_end);
		last_end = end;
		if (strcmp(str_of(e, "name"), "guest")) {
			parent_start = ts;
			parent_end = end;
		}
	}
}

/* Whether python3's json module takes text, where there is a python3. */
static void python_loads(const char *text)
{
	if (system("command -v python3 >/dev/null 2>&1") != 0)
		return;
	char path[] = "/tmp/lgkvm-perfetto-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s", path);
	int rc = system(cmd);

	unlink(path);
	ck_assert_msg(rc == 0, "python3 cannot load the JSON");
}

START_TEST(test_perfetto_slices)
{
	struct tb b;

	sample_trace(&b);
	/* A kick 20 ms in: the counter's second bin. */
	add_exit(&b, 20000000, EXIT_KICK, 20000000 - 13000, 1000, 0);
	json_object *root = perfetto_json(&b.t, NULL);
	json_object *evs = events_of(root);

	/* 4 guest slices (the pf exit had no guest time), 5 lgkvm, 1 halted. */
	ck_assert_uint_eq(count_ph(evs, "X", NULL), 10);
	ck_assert_uint_eq(count_ph(evs, "X", "guest"), 4);
	ck_assert_uint_eq(count_ph(evs, "X", "halted"), 1);
	ck_assert_uint_eq(count_ph(evs, "X", "io"), 1);
	ck_assert_uint_eq(count_ph(evs, "X", "page-fault-fixed"), 1);
	ck_assert_uint_eq(count_ph(evs, "X", "kick"), 1);

	char set_pte[64], halt[64];

	snprintf(set_pte, sizeof(set_pte), "hcall %s", trace_hcall_name(14));
	snprintf(halt, sizeof(halt), "hcall %s", trace_hcall_name(10));
	json_object *e = find_ev(evs, "X", set_pte);

	ck_us(e, "ts", 1.0);
	ck_us(e, "dur", 1.0);
	json_object *args, *caused;

	ck_assert(json_object_object_get_ex(e, "args", &args));
	ck_assert_str_eq(str_of(args, "cause"), "hypercall");
	ck_assert(json_object_object_get_ex(args, "caused", &caused));
	ck_assert_uint_eq(json_object_array_length(caused), 4); /* set_irq, 3 hcalls */
	ck_assert_str_eq(str_of(json_object_array_get_idx(caused, 0), "kind"), "set_irq");
	ck_assert_str_eq(str_of(json_object_array_get_idx(caused, 1), "src"), "async");
	ck_assert_str_eq(str_of(json_object_array_get_idx(caused, 1), "a1"), "0xc0001000");
	e = find_ev(evs, "X", "guest");
	ck_us(e, "ts", 0.1);
	ck_us(e, "dur", 0.9);

	e = find_ev(evs, "X", halt);
	ck_us(e, "ts", 3.0);
	ck_us(e, "dur", 5.0);
	e = find_ev(evs, "X", "halted");
	ck_us(e, "ts", 4.0);
	ck_us(e, "dur", 4.0);
	e = find_ev(evs, "X", "io");
	ck_us(e, "ts", 9.0);
	ck_us(e, "dur", 2.0);
	e = find_ev(evs, "X", "kick");
	ck_us(e, "ts", 20000.0);
	ck_us(e, "dur", 1.0);
	check_track(evs);

	/* Instants: set_irq, irq, pf, deliver. */
	ck_assert_uint_eq(count_ph(evs, "i", NULL), 4);
	e = find_ev(evs, "i", "pf fixed");
	ck_assert_str_eq(str_of(e, "s"), "t");
	ck_us(e, "ts", 11.1);
	ck_assert(json_object_object_get_ex(e, "args", &args));
	ck_assert_str_eq(str_of(args, "vaddr"), "0xc0100000");
	find_ev(evs, "i", "irq 0");
	find_ev(evs, "i", "set_irq 0");
	find_ev(evs, "i", "deliver 14");

	/* Counter: bin 0 (4 exits), a zero at bin 1, bin 2 (the kick), zero at 3. */
	ck_assert_uint_eq(count_ph(evs, "C", "exits per 10 ms"), 4);
	e = find_ev(evs, "C", "exits per 10 ms");
	ck_us(e, "ts", 0.0);
	ck_assert(json_object_object_get_ex(e, "args", &args));
	ck_assert_int_eq(json_object_object_length(args), 4); /* the causes seen */
	ck_assert_int_eq((int)num_of(args, "hypercall"), 2);
	ck_assert_int_eq((int)num_of(args, "io"), 1);
	ck_assert_int_eq((int)num_of(args, "kick"), 0);

	/* Names for the process and the vCPU thread. */
	ck_assert_uint_eq(count_ph(evs, "M", NULL), 2);
	e = find_ev(evs, "M", "thread_name");
	ck_assert(json_object_object_get_ex(e, "args", &args));
	ck_assert_str_eq(str_of(args, "name"), "vCPU 0");
	json_object_put(root);
}
END_TEST

START_TEST(test_perfetto_ftrace)
{
	struct tb b;

	ftrace_trace(&b);
	json_object *root = perfetto_json(&b.t, NULL);
	json_object *evs = events_of(root);
	char set_pte[64];

	ck_assert_uint_eq(count_ph(evs, "X", NULL), 0);
	/* 8 traps, 2 hcalls, 2 host irqs, 1 lost marker. */
	ck_assert_uint_eq(count_ph(evs, "i", NULL), 13);
	ck_assert_uint_eq(count_ph(evs, "i", "trap 14"), 3);
	snprintf(set_pte, sizeof(set_pte), "hcall %s", trace_hcall_name(14));
	find_ev(evs, "i", set_pte);
	find_ev(evs, "i", "host irq 33");
	ck_assert_str_eq(str_of(find_ev(evs, "i", "lost 5 events"), "s"), "g");
	/* Bin 0, zero at 1, bin 2, zero at 3. */
	ck_assert_uint_eq(count_ph(evs, "C", "traps per 10 ms"), 4);
	json_object *args;

	ck_assert(json_object_object_get_ex(find_ev(evs, "C", "traps per 10 ms"), "args", &args));
	ck_assert_int_eq((int)num_of(args, "page fault (14)"), 3);
	ck_assert_int_eq((int)num_of(args, "hypercall (31)"), 2);
	json_object_put(root);
}
END_TEST

START_TEST(test_perfetto_empty_and_hostile)
{
	struct trace empty = {0};
	json_object *root = perfetto_json(&empty, NULL);
	json_object *evs = events_of(root);

	ck_assert_uint_eq(count_ph(evs, "M", NULL), 2);
	ck_assert_uint_eq(json_object_array_length(evs), 2);
	json_object_put(root);

	/* Times going backwards, overlapping, at the end of the clock; a
	 * header that is not UTF-8; absurd numbers everywhere. */
	struct tb b;
	static char header[] = "# lgkvm-trace 1 kernel=\"\xff\xfe\x80\" \x01";

	memset(&b, 0, sizeof(b));
	b.t.header = header;
	add_exit(&b, 1000, EXIT_HCALL, 5000, 5000, 9000);
	add_exit(&b, 2000, EXIT_IO, 3000, 1000, 0);
	add_exit(&b, 500, 4000000000u, 100, 100, 100);
	add_exit(&b, UINT64_MAX, EXIT_KICK, UINT64_MAX, UINT64_MAX, UINT64_MAX);
	add_exit(&b, UINT64_MAX - 5, EXIT_MMIO, 0, 0, 0);
	add_hcall(&b, 1, 0xffffffffu, false);
	add_exit(&b, 7, EXIT_HCALL, 0, 0, 0);
	add_pf(&b, UINT64_MAX, 0xffffffffu, (enum trace_pf_outcome)200);
	add(&b, (enum trace_kind)60000, 3, 9)->present = 0xff;
	add(&b, TK_IRQ_PENDING, 3, 9)->present = 0xff;
	add(&b, TK_LOST, 3, 0xffffffffu);
	for (int i = 0; i < 20; i++)
		add_hcall(&b, 10, (uint32_t)i, i & 1);
	add_exit(&b, 8, EXIT_HCALL, 1, 1, 0);
	char *text;

	root = perfetto_json(&b.t, &text);
	evs = events_of(root);
	check_track(evs);
	ck_assert_uint_gt(count_ph(evs, "X", NULL), 5);
	/* A hypercall exit running many calls is named by the first three. */
	ck_assert_ptr_nonnull(strstr(text, "+...\""));
	python_loads(text);
	free(text);
	json_object_put(root);
}
END_TEST

START_TEST(test_perfetto_streams_500k_events)
{
	struct trace t = {0};
	size_t n = 500000;

	t.ev = calloc(n, sizeof(*t.ev));
	ck_assert_ptr_nonnull(t.ev);
	for (size_t i = 0; i < n; i++) {
		struct trace_ev *e = &t.ev[t.n++];

		e->seq = i;
		e->t_ns = 1000 * (uint64_t)i;
		if (i % 2) {
			e->kind = TK_EXIT;
			e->nr = (uint32_t)(i / 2 % EXIT_CAUSES);
			e->guest_ns = 600;
			e->host_ns = 400;
		} else {
			e->kind = i % 4 ? TK_IRQ : TK_HCALL;
			e->nr = 14;
		}
	}
	char path[] = "/tmp/lgkvm-perfetto-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	struct rusage before, after;

	getrusage(RUSAGE_SELF, &before);
	ck_assert(trace_perfetto_write(f, &t, "big"));
	getrusage(RUSAGE_SELF, &after);
	ck_assert_int_eq(fclose(f), 0);
	free(t.ev);
#ifndef __SANITIZE_ADDRESS__
	/* A json_object tree of the whole trace would take hundreds of MiB;
	 * streaming takes about one event's worth. */
	ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 32 * 1024, "grew %ld KiB",
		      after.ru_maxrss - before.ru_maxrss);
#endif

	/* One event a line between the brackets: each looks like an object,
	 * every 16th is parsed whole (all of them would double the test's time
	 * under the sanitizers, and python3 reads the whole file below). */
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *line = NULL;
	size_t cap = 0, events = 0, slices = 0;
	ssize_t len;

	ck_assert_int_gt(getline(&line, &cap, f), 0);
	ck_assert(!strncmp(line, "{\"displayTimeUnit\":\"ns\"", 23));
	while ((len = getline(&line, &cap, f)) > 0) {
		if (!strcmp(line, "]}\n"))
			break;
		line[--len] = '\0';
		if (line[len - 1] == ',')
			line[--len] = '\0';
		ck_assert_msg(line[0] == '{' && line[len - 1] == '}', "not an object: %s", line);
		slices += strstr(line, "\"ph\":\"X\"") != NULL;
		if (events++ % 16 == 0) {
			json_object *o = json_tokener_parse(line);

			ck_assert_msg(o != NULL, "bad event: %s", line);
			json_object_put(o);
		}
	}
	ck_assert_int_eq(getline(&line, &cap, f), -1); /* nothing after "]}" */
	free(line);
	fclose(f);
	/* 250,000 exits, each a guest and an lgkvm slice. */
	ck_assert_uint_eq(slices, 500000);
	ck_assert_uint_gt(events, 500000 + 125000);

	/* And the file as a whole, as another reader sees it. */
	if (system("command -v python3 >/dev/null 2>&1") == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd),
			 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
			 "sys.exit(len(d[\"traceEvents\"]) < 625000)' %s", path);
		ck_assert_int_eq(system(cmd), 0);
	}
	unlink(path);
}
END_TEST

/* Plot -------------------------------------------------------------------- */

static char *plot_to(const struct trace *t, const char *ext, unsigned bin_ms, size_t *size)
{
	static char path[64];
	char err[256] = "";
	struct stat st;

	snprintf(path, sizeof(path), "/tmp/lgkvm-plot-XXXXXX%s", ext);
	int fd = mkstemps(path, (int)strlen(ext));

	ck_assert_int_ge(fd, 0);
	close(fd);
	int rc = trace_plot_write(path, t, "runs/boot.trace", bin_ms, err, sizeof(err));

	ck_assert_msg(rc == 0, "plot failed: %s", err);
	ck_assert_int_eq(stat(path, &st), 0);
	*size = (size_t)st.st_size;

	char *buf = malloc(*size + 1);
	FILE *f = fopen(path, "rb");

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, *size, f), *size);
	buf[*size] = '\0';
	fclose(f);
	unlink(path);
	return buf;
}

START_TEST(test_plot_png)
{
	struct tb b;
	size_t size;

	sample_trace(&b);
	add_exit(&b, 35000000, EXIT_KICK, 0, 0, 0);
	char *png = plot_to(&b.t, ".png", 10, &size);

	ck_assert_uint_gt(size, 4000);
	ck_assert(!memcmp(png, "\x89PNG\r\n\x1a\n", 8));
	free(png);
}
END_TEST

START_TEST(test_plot_svg)
{
	struct tb b;
	size_t size;

	sample_trace(&b);
	add_exit(&b, 35000000, EXIT_KICK, 0, 0, 0);
	char *svg = plot_to(&b.t, ".svg", 5, &size);

	ck_assert(!strncmp(svg, "<?xml", 5) || !strncmp(svg, "<svg", 4));
	ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
	/* The legend names the causes seen, and only those. */
	ck_assert_ptr_nonnull(strstr(svg, ">hypercall<"));
	ck_assert_ptr_nonnull(strstr(svg, ">page-fault-fixed<"));
	ck_assert_ptr_nonnull(strstr(svg, ">io<"));
	ck_assert_ptr_nonnull(strstr(svg, ">kick<"));
	ck_assert_ptr_null(strstr(svg, ">mmio<"));
	ck_assert_ptr_nonnull(strstr(svg, "exits per 5 ms"));
	ck_assert_ptr_nonnull(strstr(svg, "time since start (s)"));
	ck_assert_ptr_nonnull(strstr(svg, "runs/boot.trace"));
	free(svg);

	ftrace_trace(&b);
	svg = plot_to(&b.t, ".SVG", 10, &size);
	ck_assert_ptr_nonnull(strstr(svg, ">page fault (14)<"));
	ck_assert_ptr_nonnull(strstr(svg, ">host interrupt<"));
	ck_assert_ptr_nonnull(strstr(svg, "traps per 10 ms"));
	free(svg);

	struct trace empty = {0};

	svg = plot_to(&empty, ".svg", 10, &size);
	ck_assert_ptr_nonnull(strstr(svg, "no exits in this trace"));
	free(svg);
}
END_TEST

START_TEST(test_plot_refuses)
{
	struct tb b;
	char err[256];

	sample_trace(&b);
	ck_assert_int_eq(trace_plot_write("/tmp/x.gif", &b.t, "t", 10, err, sizeof(err)), 2);
	ck_assert_ptr_nonnull(strstr(err, ".png or .svg"));
	ck_assert_int_eq(trace_plot_write("/tmp/a\nb.png", &b.t, "t", 10, err, sizeof(err)), 2);
	ck_assert_int_eq(trace_plot_write("/tmp/x.png", &b.t, "t", 0, err, sizeof(err)), 2);
	/* gnuplot failing is an error too: its output cannot be created. */
	ck_assert_int_eq(trace_plot_write("/nonexistent-dir/x.png", &b.t, "t", 10, err, sizeof(err)), 2);
	ck_assert_ptr_nonnull(strstr(err, "gnuplot"));

	/* Without gnuplot: the one line that names the package. */
	char *path = strdup(getenv("PATH") ? getenv("PATH") : "");

	setenv("PATH", "/nonexistent", 1);
	int rc = trace_plot_write("/tmp/lgkvm-never.png", &b.t, "t", 10, err, sizeof(err));

	setenv("PATH", path, 1);
	free(path);
	ck_assert_int_eq(rc, 2);
	ck_assert_ptr_nonnull(strstr(err, "gnuplot-nox"));
	ck_assert_int_ne(access("/tmp/lgkvm-never.png", F_OK), 0);
}
END_TEST

/* The subcommands, on a trace file ------------------------------------------- */

static const char text_trace[] =
	"# lgkvm-trace 1 kernel=\"/k/bzImage\" initrd=\"\" mem_mib=64 cmdline=\"console=hvc0\" engine=\"test\" options=\"\"\n"
	"0 0.000001100 hcall nr=14 name=SET_PTE a1=0xc0001000 a2=0 a3=0 a4=0 src=async\n"
	"1 0.000001120 hcall nr=14 name=SET_PTE a1=0xc0002000 a2=0 a3=0 a4=0 src=sync\n"
	"2 0.000001000 exit cause=hypercall guest_ns=1000 host_ns=1000 idle_ns=0\n"
	"3 0.000003100 pf vaddr=0xc0100000 err=2 eip=0xc0001234 result=fixed\n"
	"4 0.000003000 exit cause=page-fault-fixed guest_ns=1000 host_ns=3000 idle_ns=0\n"
	"5 0.000007000 set_irq nr=0\n"
	"6 0.000006500 exit cause=kick guest_ns=500 host_ns=500 idle_ns=0\n"
	"7 0.000007000 exit cause=io guest_ns=0 host_ns=1000 idle_ns=0\n";

static void write_file(char *path, const char *text)
{
	strcpy(path, "/tmp/lgkvm-trace-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Runs a subcommand with its stdout and stderr in out (NUL-terminated). */
static int run_cmd(int (*cmd)(int, char **), char *out, size_t outlen, int argc, ...)
{
	char *argv[8];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;

	FILE *cap = tmpfile();

	ck_assert_ptr_nonnull(cap);
	fflush(stdout);
	fflush(stderr);
	int o = dup(1), e = dup(2);

	dup2(fileno(cap), 1);
	dup2(fileno(cap), 2);
	int rc = cmd(argc, argv);

	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	rewind(cap);
	size_t n = fread(out, 1, outlen - 1, cap);

	out[n] = '\0';
	fclose(cap);
	return rc;
}

START_TEST(test_cmd_stats)
{
	char path[32], out[8192];

	write_file(path, text_trace);
	ck_assert_int_eq(run_cmd(trace_cmd_stats, out, sizeof(out), 2, "stats", path), 0);
	ck_assert_ptr_nonnull(strstr(out, "lgkvm text trace v1, 8 events"));
	ck_assert_uint_eq(exit_row(out, "hypercall").n, 1);
	ck_assert_uint_eq(exit_row(out, "Total").n, 4);
	ck_near(exit_row(out, "page-fault-fixed").avg_us, 3.0);
	ck_near(exit_row(out, "kick").share, 25.0);
	ck_assert_ptr_nonnull(strstr(out, "SET_PTE"));

	ck_assert_int_eq(run_cmd(trace_cmd_stats, out, sizeof(out), 1, "stats"), 2);
	ck_assert_ptr_nonnull(strstr(out, "usage: lgkvm trace stats FILE"));
	ck_assert_int_eq(run_cmd(trace_cmd_stats, out, sizeof(out), 2, "stats", "/nonexistent/t"), 2);
	ck_assert_ptr_null(strchr(out, '\n') ? strchr(strchr(out, '\n') + 1, '\n') : NULL);
	ck_assert_ptr_nonnull(strstr(out, "/nonexistent/t"));
	unlink(path);

	write_file(path, "this is not a trace\n");
	ck_assert_int_eq(run_cmd(trace_cmd_stats, out, sizeof(out), 2, "stats", path), 2);
	unlink(path);
}
END_TEST

START_TEST(test_cmd_perfetto_and_plot)
{
	char path[32], json[] = "/tmp/lgkvm-pf-XXXXXX.json", out[4096];

	write_file(path, text_trace);
	close(mkstemps(json, 5));
	ck_assert_int_eq(run_cmd(trace_cmd_perfetto, out, sizeof(out), 3, "perfetto", path, json), 0);

	json_object *root = json_object_from_file(json);

	ck_assert_ptr_nonnull(root);
	json_object *evs = events_of(root);

	ck_assert_uint_eq(count_ph(evs, "X", NULL), 7); /* 3 guest + 4 lgkvm */
	ck_us(find_ev(evs, "X", "hcall SET_PTE"), "dur", 1.0);
	ck_us(find_ev(evs, "X", "page-fault-fixed"), "dur", 3.0);
	json_object_put(root);
	unlink(json);
	ck_assert_int_eq(run_cmd(trace_cmd_perfetto, out, sizeof(out), 2, "perfetto", path), 2);

	char png[] = "/tmp/lgkvm-pl-XXXXXX.png";
	struct stat st;

	close(mkstemps(png, 4));
	ck_assert_int_eq(run_cmd(trace_cmd_plot, out, sizeof(out), 5, "plot", path, png,
				 "--bin-ms", "1"), 0);
	ck_assert_int_eq(stat(png, &st), 0);
	ck_assert_int_gt(st.st_size, 4000);
	ck_assert_int_eq(run_cmd(trace_cmd_plot, out, sizeof(out), 4, "plot", path, png,
				 "--bin-ms=0"), 2);
	ck_assert_int_eq(run_cmd(trace_cmd_plot, out, sizeof(out), 3, "plot", path, "x.jpg"), 2);
	ck_assert_ptr_nonnull(strstr(out, ".png or .svg"));
	ck_assert_int_eq(run_cmd(trace_cmd_plot, out, sizeof(out), 3, "plot", "/nonexistent/t", png), 2);
	unlink(png);
	unlink(path);
}
END_TEST

static Suite *trace_tools_suite(void)
{
	Suite *s = suite_create("trace_tools");
	TCase *stats = tcase_create("stats"), *perfetto = tcase_create("perfetto");
	TCase *plot = tcase_create("plot"), *cli = tcase_create("cli");

	tcase_add_test(stats, test_stats_counts);
	tcase_add_test(stats, test_stats_table);
	tcase_add_test(stats, test_stats_zero_events);
	tcase_add_test(stats, test_stats_crlf);
	tcase_add_test(stats, test_stats_hostile_values);
	tcase_add_test(stats, test_stats_traps_by_vector);
	tcase_add_test(stats, test_rate_bins);
	tcase_add_test(perfetto, test_perfetto_slices);
	tcase_add_test(perfetto, test_perfetto_ftrace);
	tcase_add_test(perfetto, test_perfetto_empty_and_hostile);
	tcase_add_test(perfetto, test_perfetto_streams_500k_events);
	tcase_set_timeout(perfetto, 90);
	tcase_add_test(plot, test_plot_png);
	tcase_add_test(plot, test_plot_svg);
	tcase_add_test(plot, test_plot_refuses);
	tcase_set_timeout(plot, 60);
	tcase_add_test(cli, test_cmd_stats);
	tcase_add_test(cli, test_cmd_perfetto_and_plot);
	tcase_set_timeout(cli, 60);
	suite_add_tcase(s, stats);
	suite_add_tcase(s, perfetto);
	suite_add_tcase(s, plot);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_tools_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);

	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
