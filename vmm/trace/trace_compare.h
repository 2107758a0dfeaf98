/*
 * `lgkvm trace compare A B`: how closely two traces of the same guest
 * agree (lgkvm against the in-kernel lguest, or two lgkvm runs).  Events
 * are aligned kind by kind (trace_align.h) on the fields that should agree
 * once the ones that legitimately differ are masked (COMPARE.md says which
 * and why), then counted, ratioed and the first divergences shown.
 */
#ifndef LGKVM_TRACE_COMPARE_H
#define LGKVM_TRACE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/trace/trace_align.h"
#include "vmm/trace/trace_model.h"

/* Field bits for masks: TRACE_FIELDS slots of v[], then these. */
#define TRACE_CMP_NR (1u << 4)
#define TRACE_CMP_ASYNC (1u << 5)   /* hcall: the async flag */
#define TRACE_CMP_OUTCOME (1u << 6) /* pf: the outcome */

/* The kinds aligned by default: hcall, trap, deliver, irq, set_irq, pf. */
#define TRACE_CMP_DEFAULT_KINDS                                                 \
	((1u << TK_HCALL) | (1u << TK_TRAP) | (1u << TK_DELIVER) | (1u << TK_IRQ) | \
	 (1u << TK_SET_IRQ) | (1u << TK_PF))

struct trace_compare_opts {
	unsigned kinds;          /* bit per enum trace_kind aligned */
	bool no_mask;            /* compare every field both events have */
	bool exact_frames;       /* compare physical frames and per-task kernel addresses too */
	uint8_t mask[TK_KINDS];  /* --mask: field bits never compared */
	size_t max_cost;         /* trace_align's cost limit; 0 the default */
};

void trace_compare_default_opts(struct trace_compare_opts *o);

/* The default masks (COMPARE.md says each and why), for counting the
 * events each one touched.  The "frames" ones are off with exact_frames. */
enum trace_cmp_mask {
	TRACE_MASK_CLOCKEVENT,       /* hcall 9 SET_CLOCKEVENT a1: the timer delta */
	TRACE_MASK_INIT_ARGS,        /* hcall 1 LGUEST_INIT a2..a4: never loaded */
	TRACE_MASK_SEND_INTERRUPTS,  /* hcall 19 SEND_INTERRUPTS a1..a4: never loaded */
	TRACE_MASK_SET_PTE,          /* frames: hcall 14 a1, a3 but its flags, a4 but NX */
	TRACE_MASK_SET_PMD,          /* frames: hcall 13 a1 */
	TRACE_MASK_SET_PGD,          /* frames: hcall 15 a1 */
	TRACE_MASK_NEW_PGTABLE,      /* frames: hcall 4 a1 */
	TRACE_MASK_SET_STACK,        /* frames: hcall 7 a2 */
	TRACE_MASK_LOAD_TLS,         /* frames: hcall 16 a1 */
	TRACE_MASK_TRAP_EAX,         /* trap eax but at vector 31 */
	TRACE_MASK_TRAP_CR2,         /* trap cr2 but at vector 14 */
	TRACE_MASK_IRQ_EIP,          /* irq eip: timing */
	TRACE_CMP_MASKS
};

/* Hypercalls whose number follows the timer and the run's wall-clock
 * length, not the guest's work: SET_CLOCKEVENT (9), HALT (10) and
 * SEND_INTERRUPTS (19).  They are aligned as a stream of their own. */
bool trace_hcall_timer_paced(uint32_t nr);

/* The streams a kind is aligned as, each on its own: hcall as the
 * guest-paced ones (MAIN) and the timer-paced ones (PACED); every other
 * kind as one (MAIN). */
enum { TRACE_STREAM_MAIN, TRACE_STREAM_PACED, TRACE_STREAMS };

struct trace_stream_match {
	size_t n_a, n_b;        /* events aligned on each side */
	size_t matched;
	double ratio;           /* matched / max(n_a, n_b); 1 when both are 0 */
	size_t *ev_a, *ev_b;    /* their indices in A's and B's events */
	struct trace_align_result align; /* pairs of positions in ev_a, ev_b */
};

struct trace_kind_match {
	size_t n_a, n_b;        /* sums over the streams */
	size_t matched;
	double ratio;           /* matched / max(n_a, n_b); 1 when both are 0 */
	unsigned nstreams;      /* 2 for hcall, else 1 */
	struct trace_stream_match s[TRACE_STREAMS];
};

/* A run of unmatched events of one kind and stream: ev_a[a_from, a_to)
 * against ev_b[b_from, b_to) of k[kind].s[stream] (one side may be
 * empty), just before its align.pairs[pair] (== align.n when at the end). */
struct trace_divergence {
	enum trace_kind kind;
	unsigned stream;
	size_t a_from, a_to, b_from, b_to, pair;
};

struct trace_comparison {
	struct trace_kind_match k[TK_KINDS];
	unsigned kinds;
	size_t matched, compared; /* sums over the kinds of matched and max(n_a, n_b) */
	double ratio;             /* matched / compared; 1 when compared is 0 */
	struct trace_divergence *div; /* in trace order */
	size_t ndiv;
	bool approximate;         /* an alignment hit the cost limit */
	/* What the default masks set aside, for the report. */
	size_t masked[TRACE_CMP_MASKS]; /* events each touched, A and B */
	size_t mmio_pf[2];        /* pf result=mmio, not aligned */
	uint8_t one_sided[2][TK_KINDS][257]; /* v[] bits per (kind, nr) only A [0] or B [1] has */
};

/* False only when out of memory. */
bool trace_compare(const struct trace *a, const struct trace *b,
		   const struct trace_compare_opts *o, struct trace_comparison *c);
void trace_comparison_free(struct trace_comparison *c);

#endif
