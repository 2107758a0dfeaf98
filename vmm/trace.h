/*
 * The --trace output: one line per event, "<seq> <seconds> <kind> <details>"
 * (seconds since lgkvm started, to the microsecond).
 * Kinds: exit (one per KVM_RUN return: the KVM exit reason, -1 for a
 * kick), hcall, trap, pf, irq, io, mmio, fallback, mmu, dev, idt.  The format is
 * the project's trace format; keep details as key=value pairs so traces can
 * be compared with those of the in-kernel lguest.
 */
#ifndef LGKVM_TRACE_H
#define LGKVM_TRACE_H

#include <stdbool.h>
#include <stdio.h>

extern FILE *trace_file;

/* Opens the trace file; returns false (errno set) when it cannot. */
bool trace_open(const char *path);
void trace_close(void);

void trace_event(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Cheap guard so callers skip formatting when tracing is off. */
#define TRACE(kind, ...)                                                       \
	do {                                                                   \
		if (trace_file)                                                \
			trace_event(kind, __VA_ARGS__);                        \
	} while (0)

#endif
