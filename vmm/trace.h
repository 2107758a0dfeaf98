/*
 * The --trace output, format version 1 (vmm/trace/FORMAT.md): a header
 * naming the version, kernel and options, then one event per line,
 * "<seq> <seconds> <kind> key=value ...", or the same as JSON lines when
 * the file name ends in .jsonl or .json.  Kinds that the trace tools compare
 * with the in-kernel lguest (hcall, trap, deliver, irq_pending, irq,
 * set_irq, pf, exit) have fixed keys; the others (mmu, dev, io, mmio, idt,
 * fallback) are lgkvm's own detail.
 */
#ifndef LGKVM_TRACE_H
#define LGKVM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_FORMAT_VERSION 1

extern FILE *trace_file;

/* Opens the trace file; returns false (errno set) when it cannot.  argv is
 * the command line, kept for the header. */
bool trace_open(const char *path, int argc, char **argv);
/* Writes the header: call once the engine is known, before any event. */
void trace_header(const char *kernel, const char *initrd, uint64_t mem_mib,
		  const char *cmdline, const char *engine);
void trace_close(void);

/* Nanoseconds on the clock the trace's timestamps use. */
uint64_t trace_now_ns(void);

void trace_event(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, stamped with an earlier time (an exit line written once lgkvm
 * is done with the exit). */
void trace_event_at(uint64_t t_ns, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Cheap guard so callers skip formatting when tracing is off. */
#define TRACE(kind, ...)                                                       \
	do {                                                                   \
		if (trace_file)                                                \
			trace_event(kind, __VA_ARGS__);                        \
	} while (0)

#endif
