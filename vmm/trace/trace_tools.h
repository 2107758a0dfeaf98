/*
 * `lgkvm trace SUBCOMMAND ...`: the trace tools.  Each returns the process
 * exit status (0 ok, 1 the check failed (compare --min-match), 2 bad usage
 * or an unreadable file, with a one-line message on stderr).
 */
#ifndef LGKVM_TRACE_TOOLS_H
#define LGKVM_TRACE_TOOLS_H

#include <stdio.h>

#include "vmm/trace/trace_model.h"

/* trace_load for a subcommand: on failure, says why on stderr as
 * "lgkvm trace TOOL: ..." and leaves t empty. */
bool trace_load_for(const char *tool, const char *path, struct trace *t);

/* argv[0] is "trace"; dispatches to the subcommands below. */
int trace_main(int argc, char **argv);

int trace_cmd_compare(int argc, char **argv);  /* trace_compare.c */
int trace_cmd_stats(int argc, char **argv);    /* trace_stats.c */
int trace_cmd_perfetto(int argc, char **argv); /* trace_perfetto.c */
int trace_cmd_plot(int argc, char **argv);     /* trace_plot.c */

/* The `perf kvm stat`-style table, shared by `trace stats` and `run
 * --stats`: exits by cause (count, share, total and mean time) and
 * hypercalls by number (sync, async).  The run loop fills one as it goes. */
struct trace_stats {
	uint64_t exits[EXIT_CAUSES];
	uint64_t exit_host_ns[EXIT_CAUSES];  /* time in lgkvm after exits of that cause */
	uint64_t exit_guest_ns[EXIT_CAUSES]; /* time in the guest before them */
	uint64_t exit_idle_ns[EXIT_CAUSES];  /* halted part of exit_host_ns */
	uint64_t hcalls[32], hcalls_async[32], hcalls_other;
	uint64_t wall_ns;                    /* first to last event */
};
void trace_stats_add(struct trace_stats *s, const struct trace_ev *e);
void trace_stats_print(FILE *out, const struct trace_stats *s, const char *eol);

#endif
