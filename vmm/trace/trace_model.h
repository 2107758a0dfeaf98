/*
 * The trace event model every trace tool works on: lgkvm's own traces
 * (text or JSON lines, docs in vmm/trace/FORMAT.md) and the in-kernel
 * lguest Host's ftrace kprobe text are read into the same events, so
 * `lgkvm trace compare|stats|perfetto|plot` never care where one came from.
 *
 * Fields are per kind, in fixed slots (v[]), each with a "present" bit:
 * an ftrace line may lack one lgkvm writes, and the comparison only looks
 * at fields both sides have.
 */
#ifndef LGKVM_TRACE_MODEL_H
#define LGKVM_TRACE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum trace_kind {
	TK_HCALL,       /* a hypercall the Host executed: nr, a1..a4, async flag */
	TK_TRAP,        /* a guest trap entering the Host: nr, err, eip, eax, cr2 */
	TK_DELIVER,     /* a trap reflected into the guest: nr (num), err, eip */
	TK_IRQ_PENDING, /* Host found a pending unblocked interrupt: nr (irq), more, halted, irqen, eip */
	TK_IRQ,         /* an interrupt really delivered: nr (irq), eip */
	TK_SET_IRQ,     /* an interrupt raised: nr (irq) */
	TK_PF,          /* a shadow page fault: vaddr, err, eip, outcome */
	TK_EXIT,        /* lgkvm only: one KVM_RUN return, cause, guest_ns, host_ns */
	TK_HOST_IRQ,    /* in-kernel lguest only: a host interrupt took the CPU (trap nr >= 32, not 128) */
	TK_LOST,        /* ftrace "[LOST n EVENTS]": nr = n (0 if unknown) */
	TK_OTHER,       /* anything else lgkvm writes (mmu, dev, io, mmio, idt, ...): kept, not compared */
	TK_KINDS
};

/* Field slots, per kind (TF_ names index v[]). */
enum {
	/* TK_HCALL */
	TF_A1 = 0, TF_A2, TF_A3, TF_A4,
	/* TK_TRAP */
	TF_ERR = 0, TF_EIP = 1, TF_EAX = 2, TF_CR2 = 3,
	/* TK_DELIVER: TF_ERR, TF_EIP as above */
	/* TK_IRQ_PENDING */
	TF_MORE = 0, TF_HALTED = 1, TF_IRQEN = 2, TF_IRQ_EIP = 3,
	/* TK_IRQ: TF_IRQ_EIP */
	/* TK_PF */
	TF_VADDR = 0, TF_PF_ERR = 1, TF_PF_EIP = 2,
	TRACE_FIELDS = 4
};

enum trace_pf_outcome {
	PF_UNKNOWN,   /* ftrace pf without its pf_ret */
	PF_FIXED,     /* the shadow MMU installed an entry (lguest: ret=1) */
	PF_GUEST,     /* not mapped by the guest: #PF reflected (a deliver 14 follows) */
	PF_MMIO,      /* not mapped, no #PF reflected: device memory */
	PF_KILLED,    /* the guest was killed for it */
};

/* lgkvm's exit causes (TK_EXIT nr), in the order the tables print them. */
enum trace_exit_cause {
	EXIT_HCALL,           /* hypercall (any route) */
	EXIT_PF_FIXED,        /* shadow page fault fixed by the VMM */
	EXIT_PF_GUEST,        /* page fault reflected to the guest */
	EXIT_TRAP,            /* other trap reflected to the guest */
	EXIT_IO,
	EXIT_MMIO,
	EXIT_FALLBACK,        /* engine could not run an instruction */
	EXIT_IRET,            /* iret emulated (engine fallback) */
	EXIT_KICK,            /* timer / device / signal */
	EXIT_OTHER,
	EXIT_CAUSES
};

#define TRACE_EV_ASYNC 0x1u     /* TK_HCALL: from the async ring */
#define TRACE_EV_SYNTHETIC 0x2u /* made by the importer (LGUEST_INIT from its trap) */

struct trace_ev {
	uint64_t t_ns;         /* since the trace began */
	uint64_t seq;          /* order in the file */
	uint64_t guest_ns;     /* TK_EXIT: time in KVM_RUN before this exit */
	uint64_t host_ns;      /* TK_EXIT: time in lgkvm until the next KVM_RUN */
	uint64_t idle_ns;      /* TK_EXIT: the part of host_ns the guest sat halted */
	uint32_t v[TRACE_FIELDS];
	uint32_t nr;           /* hcall number, trap/deliver vector, irq line, exit cause, lost count */
	uint16_t kind;         /* enum trace_kind */
	uint8_t present;       /* bit i: v[i] is known */
	uint8_t flags;         /* TRACE_EV_* */
	uint8_t outcome;       /* TK_PF: enum trace_pf_outcome */
};

/* A whole trace in memory, events in file order. */
struct trace {
	struct trace_ev *ev;
	size_t n, cap;
	char *header;        /* lgkvm: the header's text (version, kernel, options); ftrace: NULL */
	char *host_cpu_flags; /* ftrace: the host's /proc/cpuinfo flags, if noted */
	int version;         /* lgkvm format version; 0 for ftrace */
	enum { TRACE_SRC_LGKVM_TEXT, TRACE_SRC_LGKVM_JSON, TRACE_SRC_FTRACE } source;
	uint64_t lost_events;  /* ftrace: sum of LOST markers */
	uint64_t skipped_lines; /* lines of other events or not understood */
};

/* Names used by every output (text trace, JSON, tables, Perfetto). */
const char *trace_kind_name(enum trace_kind k);
const char *trace_exit_cause_name(enum trace_exit_cause c);
const char *trace_pf_outcome_name(enum trace_pf_outcome o);
const char *trace_hcall_name(uint32_t nr); /* "SET_PTE"; "?" when unknown */
/* Reverse lookups; -1 when unknown. */
int trace_kind_from_name(const char *s);
int trace_exit_cause_from_name(const char *s);
int trace_pf_outcome_from_name(const char *s);

/* Reads any supported trace (lgkvm text, lgkvm JSON lines, ftrace text;
 * plain, gzip or xz, told apart by content, not by name).  On failure
 * returns false with a one-line reason in err. */
bool trace_load(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);
bool trace_push(struct trace *t, const struct trace_ev *e);
/* A whole string as a number: decimal, or hexadecimal after 0x; false on
 * anything else or overflow. */
bool trace_parse_u64(const char *s, uint64_t *out);

/* Inside trace_load(): the decompressed file one line at a time, and the
 * reader of each format that consumes it (trace_read_lgkvm.c,
 * trace_read_ftrace.c).  A line is NUL-terminated without its newline;
 * NULL at the end.  A reader's err is "line N: reason". */
struct trace_lines;
char *trace_lines_next(struct trace_lines *in, size_t *len);
unsigned long trace_lines_number(const struct trace_lines *in);
bool trace_read_lgkvm_text(struct trace_lines *in, struct trace *t, char *err, size_t errlen);
bool trace_read_lgkvm_json(struct trace_lines *in, struct trace *t, char *err, size_t errlen);
bool trace_read_ftrace(struct trace_lines *in, struct trace *t, char *err, size_t errlen);

#endif
