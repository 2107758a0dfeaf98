/*
 * `lgkvm trace SUBCOMMAND ...`: the trace tools' front door.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/trace/trace_tools.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} subcommands[] = {
	{ "compare", trace_cmd_compare, "align two traces (lgkvm or in-kernel lguest) and report" },
	{ "stats", trace_cmd_stats, "exits by cause and hypercalls by number" },
	{ "perfetto", trace_cmd_perfetto, "convert to a Perfetto / Chrome trace" },
	{ "plot", trace_cmd_plot, "plot a trace over time" },
};

static void print_usage(FILE *out)
{
	fprintf(out, "usage: lgkvm trace SUBCOMMAND [ARGS]   (SUBCOMMAND --help for its options)\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].what);
	fprintf(out, "traces: lgkvm's --trace (text or JSON lines) or the in-kernel lguest's\n"
		     "ftrace text, plain, gzip or xz (vmm/trace/FORMAT.md, COMPARE.md)\n");
}

int trace_main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "lgkvm trace: which tool? compare, stats, perfetto or plot (lgkvm trace --help)\n");
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "lgkvm trace: unknown tool %s: compare, stats, perfetto or plot (lgkvm trace --help)\n",
		argv[1]);
	return 2;
}
