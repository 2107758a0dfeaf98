/*
 * `lgkvm trace stats`: where the vCPU's time went, in the style of `perf
 * kvm stat report` (exits by cause, then hypercalls by number), and the
 * counting the other tools share: traps by vector and events per time bin.
 *
 * Every sum saturates and every index is range-checked: a trace is
 * untrusted input, and one absurd value must not wrap a total or the table.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/trace/trace_render.h"

_Static_assert((int)TRAP_CLASSES <= (int)TRACE_RATE_SERIES, "trap classes fit a rate's series");

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void trace_stats_add(struct trace_stats *s, const struct trace_ev *e)
{
	uint64_t end = e->t_ns;

	switch (e->kind) {
	case TK_EXIT: {
		unsigned c = e->nr < EXIT_CAUSES ? e->nr : EXIT_OTHER;
		/* The halted part cannot exceed the time in lgkvm it is part of. */
		uint64_t idle = e->idle_ns < e->host_ns ? e->idle_ns : e->host_ns;

		s->exits[c] = sat_add(s->exits[c], 1);
		s->exit_host_ns[c] = sat_add(s->exit_host_ns[c], e->host_ns);
		s->exit_guest_ns[c] = sat_add(s->exit_guest_ns[c], e->guest_ns);
		s->exit_idle_ns[c] = sat_add(s->exit_idle_ns[c], idle);
		/* lgkvm is busy with the exit until host_ns after it. */
		end = sat_add(e->t_ns, e->host_ns);
		break;
	}
	case TK_HCALL:
		if (e->nr < 32) {
			s->hcalls[e->nr] = sat_add(s->hcalls[e->nr], 1);
			if (e->flags & TRACE_EV_ASYNC)
				s->hcalls_async[e->nr] = sat_add(s->hcalls_async[e->nr], 1);
		} else {
			s->hcalls_other = sat_add(s->hcalls_other, 1);
		}
		break;
	default:
		break;
	}
	/* t_ns counts from the trace's start, so the span is the latest end;
	 * taking the maximum keeps events out of time order harmless. */
	if (end > s->wall_ns)
		s->wall_ns = end;
}

void trace_stats_from(struct trace_stats *s, const struct trace *t)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->n; i++)
		trace_stats_add(s, &t->ev[i]);
}

bool trace_shows_exits(const struct trace *t)
{
	bool traps = false;

	for (size_t i = 0; i < t->n; i++) {
		if (t->ev[i].kind == TK_EXIT)
			return true;
		traps |= trace_trap_class(&t->ev[i]) >= 0;
	}
	return !traps && t->source != TRACE_SRC_FTRACE;
}

/* Table cells.  Each formats into its own buffer so one fprintf can take
 * several; a share or mean of nothing is "-", never nan. */
struct cell {
	char s[32];
};

static struct cell pct(uint64_t part, uint64_t whole)
{
	struct cell c;

	if (whole == 0)
		snprintf(c.s, sizeof(c.s), "-");
	else
		snprintf(c.s, sizeof(c.s), "%.2f%%", 100.0 * (double)part / (double)whole);
	return c;
}

static struct cell ms(uint64_t ns)
{
	struct cell c;

	snprintf(c.s, sizeof(c.s), "%.3fms", (double)ns / 1e6);
	return c;
}

static struct cell avg_us(uint64_t ns, uint64_t n)
{
	struct cell c;

	if (n == 0)
		snprintf(c.s, sizeof(c.s), "-");
	else
		snprintf(c.s, sizeof(c.s), "%.2fus", (double)ns / (double)n / 1e3);
	return c;
}

static double per_sec(uint64_t n, uint64_t ns)
{
	return ns ? (double)n / ((double)ns / 1e9) : 0.0;
}

#define EXIT_ROW "%16s %9s %9s %13s %8s %10s %12s %13s %8s %10s%s"

static void exit_row(FILE *out, const char *eol, const char *name, uint64_t n, uint64_t ntot,
		     uint64_t host, uint64_t htot, uint64_t idle, uint64_t guest, uint64_t gtot)
{
	char count[24];

	snprintf(count, sizeof(count), "%" PRIu64, n);
	fprintf(out, EXIT_ROW, name, count, pct(n, ntot).s, ms(host).s, pct(host, htot).s,
		avg_us(host, n).s, ms(idle).s, ms(guest).s, pct(guest, gtot).s,
		avg_us(guest, n).s, eol);
}

static void print_exits(FILE *out, const struct trace_stats *s, const char *eol)
{
	uint64_t n = 0, host = 0, guest = 0, idle = 0;

	for (unsigned c = 0; c < EXIT_CAUSES; c++) {
		n = sat_add(n, s->exits[c]);
		host = sat_add(host, s->exit_host_ns[c]);
		guest = sat_add(guest, s->exit_guest_ns[c]);
		idle = sat_add(idle, s->exit_idle_ns[c]);
	}
	uint64_t vcpu = sat_add(guest, host);

	fprintf(out, "Analyzed %" PRIu64 " exits over %.6f s of trace (%.1f exits/s)%s", n,
		(double)s->wall_ns / 1e9, per_sec(n, s->wall_ns), eol);
	fprintf(out, "vCPU time %.6f s: in the guest %s, in lgkvm %s (halted %s)%s%s",
		(double)vcpu / 1e9, pct(guest, vcpu).s, pct(host, vcpu).s, pct(idle, vcpu).s,
		eol, eol);
	fprintf(out, EXIT_ROW, "VM-EXIT", "Samples", "Samples%", "lgkvm time", "Time%", "Avg time",
		"halted", "guest time", "Guest%", "Avg guest", eol);
	for (unsigned c = 0; c < EXIT_CAUSES; c++)
		if (s->exits[c])
			exit_row(out, eol, trace_exit_cause_name(c), s->exits[c], n,
				 s->exit_host_ns[c], host, s->exit_idle_ns[c],
				 s->exit_guest_ns[c], guest);
	exit_row(out, eol, "Total", n, n, host, host, idle, guest, guest);
}

#define HCALL_ROW "%16s %5s %9s %9s %9s %9s%s"

static void hcall_row(FILE *out, const char *eol, const char *name, const char *nr,
		      const char *sync, const char *async, uint64_t n, uint64_t ntot)
{
	char count[24];

	snprintf(count, sizeof(count), "%" PRIu64, n);
	fprintf(out, HCALL_ROW, name, nr, sync, async, count, pct(n, ntot).s, eol);
}

static void print_hcalls(FILE *out, const struct trace_stats *s, const char *eol)
{
	uint64_t n = s->hcalls_other, async = 0;

	for (unsigned i = 0; i < 32; i++) {
		n = sat_add(n, s->hcalls[i]);
		/* hcalls_async is a part of hcalls; a bad caller's excess is not. */
		async = sat_add(async, s->hcalls_async[i] < s->hcalls[i] ? s->hcalls_async[i]
									  : s->hcalls[i]);
	}
	fputs(eol, out);
	if (n == 0) {
		fprintf(out, "No hypercalls in this trace.%s", eol);
		return;
	}
	fprintf(out, HCALL_ROW, "HYPERCALL", "NR", "Sync", "Async", "Total", "Share%", eol);
	for (unsigned i = 0; i < 32; i++) {
		if (!s->hcalls[i])
			continue;
		uint64_t a = s->hcalls_async[i] < s->hcalls[i] ? s->hcalls_async[i] : s->hcalls[i];
		char nr[8], sy[24], as[24];

		snprintf(nr, sizeof(nr), "%u", i);
		snprintf(sy, sizeof(sy), "%" PRIu64, s->hcalls[i] - a);
		snprintf(as, sizeof(as), "%" PRIu64, a);
		hcall_row(out, eol, trace_hcall_name(i), nr, sy, as, s->hcalls[i], n);
	}
	if (s->hcalls_other)
		hcall_row(out, eol, "(unknown)", ">=32", "-", "-", s->hcalls_other, n);
	char sy[24], as[24];

	snprintf(sy, sizeof(sy), "%" PRIu64, n - s->hcalls_other - async);
	snprintf(as, sizeof(as), "%" PRIu64, async);
	hcall_row(out, eol, "Total", "", s->hcalls_other ? "-" : sy, s->hcalls_other ? "-" : as,
		  n, n);
}

void trace_stats_print(FILE *out, const struct trace_stats *s, const char *eol)
{
	print_exits(out, s, eol);
	print_hcalls(out, s, eol);
}

/* Traps ---------------------------------------------------------------- */

void trace_trap_stats_add(struct trace_trap_stats *ts, const struct trace_ev *e)
{
	uint64_t *n;

	if (e->kind != TK_TRAP && e->kind != TK_HOST_IRQ)
		return;
	if (e->nr >= TRACE_TRAP_VECTORS)
		n = &ts->bad_vector;
	else if (e->kind == TK_TRAP)
		n = &ts->traps[e->nr];
	else
		n = &ts->host_irqs[e->nr];
	*n = sat_add(*n, 1);
}

static const char *vector_name(unsigned v)
{
	static const char *const names[32] = {
		"divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)",
		"overflow (#OF)", "bound range (#BR)", "invalid opcode (#UD)",
		"no FPU (#NM)", "double fault (#DF)", "coprocessor overrun",
		"invalid TSS (#TS)", "not present (#NP)", "stack fault (#SS)",
		"general protection (#GP)", "page fault (#PF)", NULL,
		"x87 FPU error (#MF)", "alignment check (#AC)", "machine check (#MC)",
		"SIMD FP error (#XM)", [31] = "lguest hypercall",
	};

	if (v == 128)
		return "system call";
	if (v >= 32)
		return "interrupt (in the guest)";
	return names[v] ? names[v] : "reserved";
}

#define TRAP_ROW "%6s  %-26s %9s %9s%s"

static void trap_row(FILE *out, const char *eol, const char *vec, const char *name,
		     uint64_t n, uint64_t ntot)
{
	char count[24];

	snprintf(count, sizeof(count), "%" PRIu64, n);
	fprintf(out, TRAP_ROW, vec, name, count, pct(n, ntot).s, eol);
}

void trace_trap_stats_print(FILE *out, const struct trace_trap_stats *ts, uint64_t wall_ns,
			    const char *eol)
{
	uint64_t n = ts->bad_vector;
	char vec[8];

	for (unsigned v = 0; v < TRACE_TRAP_VECTORS; v++)
		n = sat_add(sat_add(n, ts->traps[v]), ts->host_irqs[v]);
	fprintf(out, "Analyzed %" PRIu64 " traps over %.6f s of trace (%.1f traps/s)%s%s", n,
		(double)wall_ns / 1e9, per_sec(n, wall_ns), eol, eol);
	fprintf(out, TRAP_ROW, "VECTOR", "NAME", "Samples", "Samples%", eol);
	for (unsigned v = 0; v < TRACE_TRAP_VECTORS; v++) {
		snprintf(vec, sizeof(vec), "%u", v);
		if (ts->traps[v])
			trap_row(out, eol, vec, vector_name(v), ts->traps[v], n);
	}
	/* The host's own interrupts after the guest's traps: they are not the
	 * guest's doing, only time taken from it. */
	for (unsigned v = 0; v < TRACE_TRAP_VECTORS; v++) {
		snprintf(vec, sizeof(vec), "%u", v);
		if (ts->host_irqs[v])
			trap_row(out, eol, vec, "host interrupt", ts->host_irqs[v], n);
	}
	if (ts->bad_vector)
		trap_row(out, eol, ">=256", "(invalid vector)", ts->bad_vector, n);
	trap_row(out, eol, "", "Total", n, n);
}

/* Trap classes ----------------------------------------------------------- */

int trace_trap_class(const struct trace_ev *e)
{
	if (e->kind == TK_HOST_IRQ)
		return TC_HOST_IRQ;
	if (e->kind != TK_TRAP)
		return -1;
	switch (e->nr) {
	case 31:
		return TC_HCALL;
	case 14:
		return TC_PF;
	case 13:
		return TC_GP;
	default:
		/* lguest sends every vector >= 32 but the system call to the Host. */
		return e->nr >= 32 && e->nr < 256 && e->nr != 128 ? TC_HOST_IRQ : TC_OTHER;
	}
}

const char *trace_trap_class_name(enum trace_trap_class c)
{
	static const char *const names[TRAP_CLASSES] = {
		[TC_HCALL] = "hypercall (31)", [TC_PF] = "page fault (14)",
		[TC_GP] = "general protection (13)", [TC_HOST_IRQ] = "host interrupt",
		[TC_OTHER] = "other trap",
	};

	return (unsigned)c < TRAP_CLASSES ? names[c] : "?";
}

/* Rates ------------------------------------------------------------------ */

struct rate_key {
	uint64_t bin;
	unsigned series;
};

static int key_cmp(const void *a, const void *b)
{
	const struct rate_key *x = a, *y = b;

	return x->bin < y->bin ? -1 : x->bin > y->bin;
}

static int rate_series(const struct trace_rate *r, const struct trace_ev *e)
{
	if (!r->exits)
		return trace_trap_class(e);
	if (e->kind != TK_EXIT)
		return -1;
	return e->nr < EXIT_CAUSES ? (int)e->nr : EXIT_OTHER;
}

bool trace_rate_from(struct trace_rate *r, const struct trace *t, uint64_t bin_ns)
{
	memset(r, 0, sizeof(*r));
	r->bin_ns = bin_ns ? bin_ns : 1;
	r->exits = trace_shows_exits(t);
	r->nseries = r->exits ? EXIT_CAUSES : TRAP_CLASSES;

	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += rate_series(r, &t->ev[i]) >= 0;
	if (n == 0)
		return true;
	if (n > SIZE_MAX / sizeof(struct rate_key))
		return false;

	/* Sorting (bin, series) pairs, not filling an array indexed by time,
	 * keeps the cost to the events' number whatever their times. */
	struct rate_key *keys = malloc(n * sizeof(*keys));
	bool sorted = true;
	size_t k = 0;

	if (!keys)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		int sr = rate_series(r, &t->ev[i]);

		if (sr < 0)
			continue;
		keys[k].bin = t->ev[i].t_ns / r->bin_ns;
		keys[k].series = (unsigned)sr;
		if (k && keys[k].bin < keys[k - 1].bin)
			sorted = false;
		k++;
	}
	if (!sorted)
		qsort(keys, n, sizeof(*keys), key_cmp);

	size_t nb = 1;

	for (size_t i = 1; i < n; i++)
		nb += keys[i].bin != keys[i - 1].bin;
	r->bin = malloc(nb * sizeof(*r->bin));
	r->count = calloc(nb, r->nseries * sizeof(*r->count));
	if (!r->bin || !r->count) {
		free(keys);
		trace_rate_free(r);
		return false;
	}
	for (size_t i = 0, b = 0; i < n; i++) {
		if (i && keys[i].bin != keys[i - 1].bin)
			b++;
		r->bin[b] = keys[i].bin;
		r->count[b * r->nseries + keys[i].series]++;
		r->used[keys[i].series] = true;
	}
	r->nbins = nb;
	free(keys);
	return true;
}

const char *trace_rate_series_name(const struct trace_rate *r, unsigned series)
{
	return r->exits ? trace_exit_cause_name(series) : trace_trap_class_name(series);
}

void trace_rate_free(struct trace_rate *r)
{
	free(r->bin);
	free(r->count);
	r->bin = NULL;
	r->count = NULL;
	r->nbins = 0;
}

/* The subcommand ------------------------------------------------------------ */

const char *trace_source_name(const struct trace *t)
{
	switch (t->source) {
	case TRACE_SRC_LGKVM_TEXT:
		return "lgkvm text";
	case TRACE_SRC_LGKVM_JSON:
		return "lgkvm JSON";
	case TRACE_SRC_FTRACE:
		return "in-kernel lguest ftrace";
	}
	return "?";
}

int trace_cmd_stats(int argc, char **argv)
{
	static const char usage[] = "usage: lgkvm trace stats FILE\n";

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		fputs(usage, stderr);
		return 2;
	}

	struct trace t;

	if (!trace_load_for("stats", argv[1], &t))
		return 2;

	struct trace_stats s;

	trace_stats_from(&s, &t);
	printf("%s: %s trace", argv[1], trace_source_name(&t));
	if (t.version)
		printf(" v%d", t.version);
	printf(", %zu events\n", t.n);
	if (t.lost_events)
		printf("note: %" PRIu64 " events were lost (ftrace ring buffer overrun)\n",
		       t.lost_events);

	/* The in-kernel lguest's ftrace has no exits: its traps say the same. */
	if (!trace_shows_exits(&t)) {
		struct trace_trap_stats ts;

		memset(&ts, 0, sizeof(ts));
		for (size_t i = 0; i < t.n; i++)
			trace_trap_stats_add(&ts, &t.ev[i]);
		trace_trap_stats_print(stdout, &ts, s.wall_ns, "\n");
		print_hcalls(stdout, &s, "\n");
	} else {
		trace_stats_print(stdout, &s, "\n");
	}
	trace_free(&t);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "lgkvm trace stats: cannot write the table\n");
		return 2;
	}
	return 0;
}
