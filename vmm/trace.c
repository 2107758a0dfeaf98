#include "vmm/trace.h"

#include <stdarg.h>
#include <stdint.h>
#include <time.h>

FILE *trace_file;
static uint64_t trace_seq;
static struct timespec trace_start;

bool trace_open(const char *path)
{
	trace_file = fopen(path, "w");
	clock_gettime(CLOCK_MONOTONIC, &trace_start);
	return trace_file != NULL;
}

void trace_close(void)
{
	if (trace_file)
		fclose(trace_file);
	trace_file = NULL;
}

void trace_event(const char *kind, const char *fmt, ...)
{
	va_list ap;

	if (!trace_file)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t us = (now.tv_sec - trace_start.tv_sec) * 1000000 +
		     (now.tv_nsec - trace_start.tv_nsec) / 1000;
	fprintf(trace_file, "%llu %lld.%06lld %s ", (unsigned long long)trace_seq++,
		(long long)(us / 1000000), (long long)(us % 1000000), kind);
	va_start(ap, fmt);
	vfprintf(trace_file, fmt, ap);
	va_end(ap);
	fputc('\n', trace_file);
}
