#include "vmm/trace.h"

#include <stdarg.h>
#include <stdint.h>

FILE *trace_file;
static uint64_t trace_seq;

bool trace_open(const char *path)
{
	trace_file = fopen(path, "w");
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
	fprintf(trace_file, "%llu %s ", (unsigned long long)trace_seq++, kind);
	va_start(ap, fmt);
	vfprintf(trace_file, fmt, ap);
	va_end(ap);
	fputc('\n', trace_file);
}
