/*
 * The trace readers (vmm/trace/): whatever file a user hands `lgkvm trace`
 * (lgkvm text or JSON lines, in-kernel lguest ftrace text, plain, gzip or
 * xz) is read without a crash, and what loads goes through the tools:
 * compared with itself it matches completely, and the stats and Perfetto
 * writers take it.  Input: the file's bytes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/trace/trace_compare.h"
#include "vmm/trace/trace_render.h"
#include "vmm/trace/trace_tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static FILE *sink;
	char path[64], err[512];
	struct trace t = { 0 };

	if (fd < 0) {
		fd = memfd_create("fuzz-trace", 0);
		sink = fopen("/dev/null", "w");
		if (fd < 0 || !sink)
			abort();
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!trace_load(path, &t, err, sizeof(err))) {
		trace_free(&t);
		return 0;
	}

	struct trace_compare_opts o;
	struct trace_comparison c;
	trace_compare_default_opts(&o);
	if (trace_compare(&t, &t, &o, &c)) {
		/* A trace against itself: every compared event pairs up. */
		if (c.matched != c.compared || c.ndiv)
			abort();
		trace_comparison_free(&c);
	}
	struct trace_stats s = { 0 };
	trace_stats_from(&s, &t);
	trace_stats_print(sink, &s, "\n");
	trace_perfetto_write(sink, &t, "fuzz");
	trace_free(&t);
	return 0;
}
