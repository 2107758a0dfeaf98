/*
 * Sequence alignment for `lgkvm trace compare`: which events of trace A
 * and trace B are "the same", in order, with as few left over as
 * practical (a longest common subsequence, as diff finds one).
 *
 * Elements are given as 64-bit keys.  A key is a hash of what is compared;
 * equal keys are confirmed with `same` (when given) so that a hash
 * collision never pairs two different events.  The result is valid
 * always: pairs strictly increasing on both sides, each pair's elements
 * equal.  It is minimal (a longest common subsequence) unless the cost
 * limit cut a search short, see trace_align_result.approximate.
 */
#ifndef LGKVM_TRACE_ALIGN_H
#define LGKVM_TRACE_ALIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* side 0 is A, 1 is B; x and y index that side's keys. */
typedef bool (*trace_align_same_fn)(void *ctx, int side_x, size_t x, int side_y, size_t y);

struct trace_align_pair {
	size_t a, b;
};

struct trace_align_result {
	struct trace_align_pair *pairs; /* in increasing order of a (and b) */
	size_t n;
	bool approximate; /* the cost limit chose a split: valid, maybe not minimal */
};

/* The cost limit: how many edits one search may explore before settling
 * for its furthest-reaching point (git's xdiff does the same).  0 picks
 * the default, max(256, sqrt(na + nb)); TRACE_ALIGN_MINIMAL never gives up. */
#define TRACE_ALIGN_MINIMAL SIZE_MAX

/* False only when out of memory (or over 2^32 elements). */
bool trace_align(const uint64_t *ka, size_t na, const uint64_t *kb, size_t nb,
		 trace_align_same_fn same, void *ctx, size_t max_cost,
		 struct trace_align_result *out);
void trace_align_free(struct trace_align_result *r);

#endif
