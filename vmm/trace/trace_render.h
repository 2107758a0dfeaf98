/*
 * What `lgkvm trace stats|perfetto|plot` compute, on a trace already in
 * memory: the trace_cmd_* wrappers load the file and call these, the tests
 * call them on traces they build.
 *
 * An lgkvm trace's timeline is its exits; the in-kernel lguest's ftrace has
 * none, so for it the traps take their place (by vector, or by class).
 */
#ifndef LGKVM_TRACE_RENDER_H
#define LGKVM_TRACE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/trace/trace_tools.h"

/* trace_stats.c ------------------------------------------------------- */

/* Clears s, then trace_stats_add()s every event of t.  s->hcalls[nr]
 * counts every hypercall nr, s->hcalls_async[nr] the async part of it. */
void trace_stats_from(struct trace_stats *s, const struct trace *t);

/* "lgkvm text", "lgkvm JSON", "in-kernel lguest ftrace". */
const char *trace_source_name(const struct trace *t);

/* Whether t is shown by its exits rather than its traps: it has exits, or
 * it has no traps either and is not the in-kernel lguest's ftrace. */
bool trace_shows_exits(const struct trace *t);

/* Traps by vector, the table `trace stats` prints for a trace without exits. */
#define TRACE_TRAP_VECTORS 256
struct trace_trap_stats {
	uint64_t traps[TRACE_TRAP_VECTORS];     /* TK_TRAP by vector */
	uint64_t host_irqs[TRACE_TRAP_VECTORS]; /* TK_HOST_IRQ by vector */
	uint64_t bad_vector;                    /* either, with nr >= 256 */
};
void trace_trap_stats_add(struct trace_trap_stats *ts, const struct trace_ev *e);
void trace_trap_stats_print(FILE *out, const struct trace_trap_stats *ts,
			    uint64_t wall_ns, const char *eol);

/* The classes a trap rate is split into (the plot's and Perfetto's series). */
enum trace_trap_class {
	TC_HCALL,    /* vector 31, LGUEST_TRAP_ENTRY */
	TC_PF,       /* 14 */
	TC_GP,       /* 13 */
	TC_HOST_IRQ, /* TK_HOST_IRQ, or a trap >= 32 other than 128 */
	TC_OTHER,
	TRAP_CLASSES
};
int trace_trap_class(const struct trace_ev *e); /* -1: not a trap */
const char *trace_trap_class_name(enum trace_trap_class c);

/* Exits by cause (or, without exits, traps by class) per time bin.  Only
 * the bins that saw something are kept, so a trace with absurd times costs
 * no more than one with sensible ones. */
#define TRACE_RATE_SERIES EXIT_CAUSES
struct trace_rate {
	uint64_t bin_ns;
	bool exits;                     /* series are exit causes, else trap classes */
	unsigned nseries;
	bool used[TRACE_RATE_SERIES];   /* series that are non-zero somewhere */
	size_t nbins;
	uint64_t *bin;                  /* bin numbers (t_ns / bin_ns), ascending */
	uint64_t *count;                /* count[i * nseries + series] */
};
/* False only when out of memory.  bin_ns 0 counts as 1. */
bool trace_rate_from(struct trace_rate *r, const struct trace *t, uint64_t bin_ns);
const char *trace_rate_series_name(const struct trace_rate *r, unsigned series);
void trace_rate_free(struct trace_rate *r);

/* trace_perfetto.c ---------------------------------------------------- */

/* Writes t as Chrome trace-event JSON, one event at a time (a trace of any
 * length costs one event's json_object).  title names the process.  False
 * on a write error or out of memory. */
bool trace_perfetto_write(FILE *out, const struct trace *t, const char *title);

/* trace_plot.c -------------------------------------------------------- */

/* Draws the exit (or trap) rate with gnuplot into out_path, PNG or SVG by
 * its extension.  Returns 0, or 2 with a one-line reason in err. */
int trace_plot_write(const char *out_path, const struct trace *t, const char *title,
		     unsigned bin_ms, char *err, size_t errlen);

#endif
