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
	uint8_t mask[TK_KINDS];  /* --mask: field bits never compared */
	size_t max_cost;         /* trace_align's cost limit; 0 the default */
};

void trace_compare_default_opts(struct trace_compare_opts *o);

struct trace_kind_match {
	size_t n_a, n_b;        /* events aligned on each side */
	size_t matched;
	double ratio;           /* matched / max(n_a, n_b); 1 when both are 0 */
	size_t *ev_a, *ev_b;    /* their indices in A's and B's events */
	struct trace_align_result align; /* pairs of positions in ev_a, ev_b */
};

/* A run of unmatched events of one kind: ev_a[a_from, a_to) against
 * ev_b[b_from, b_to) (one side may be empty), just before align.pairs[pair]
 * (== align.n when at the end). */
struct trace_divergence {
	enum trace_kind kind;
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
	size_t masked_clockevent, masked_trap_eax, masked_irq_eip; /* events, A and B */
	size_t mmio_pf[2];        /* pf result=mmio, not aligned */
	uint8_t one_sided[2][TK_KINDS][257]; /* v[] bits per (kind, nr) only A [0] or B [1] has */
};

/* False only when out of memory. */
bool trace_compare(const struct trace *a, const struct trace *b,
		   const struct trace_compare_opts *o, struct trace_comparison *c);
void trace_comparison_free(struct trace_comparison *c);

#endif
