/*
 * Myers' O(ND) difference algorithm ("An O(ND) Difference Algorithm and
 * Its Variations", 1986), linear-space version: find the middle snake of
 * an optimal edit path by searching forward from the start and backward
 * from the end at once, split there and solve both halves.  Around it, as
 * in git's xdiff:
 *  - elements become small class numbers first (equal records, equal
 *    class), so the inner loop compares integers;
 *  - elements whose class never occurs on the other side cannot be in any
 *    common subsequence: they are set aside before the search;
 *  - each sub-problem drops its common prefix and suffix;
 *  - patience anchors first (after Bram Cohen's patience diff, as git's
 *    --patience): elements that occur exactly once in all of A and once
 *    in all of B are candidates; in a box, a chain of them in the same
 *    order on both sides is matched outright, and the gaps between them
 *    are boxes of their own.  Traces are long runs of events that repeat
 *    between events that do not (SET_PTE of one address): the unique ones
 *    pin the alignment, so the search below only ever works inside small
 *    gaps, and noise in one gap cannot pull the rest out of line.  Two
 *    differences from patience diff, both measured on two real runs of one
 *    guest, where plain patience lost over a third of the hypercall matches:
 *    uniqueness is over the whole sequences, not per box (an event that
 *    repeats is no milestone: once per gap it would pin arbitrary pairs),
 *    and the chain is not simply the longest one.  A coincidence (the same
 *    ASLR-random stack address in two different processes of the two
 *    runs) can be one link of a long chain that pairs thousands of events
 *    with the wrong part of the other trace, so every step off the
 *    diagonal costs 1 (it leaves at least one element unmatched) and an
 *    anchor is worth PATIENCE_WEIGHT: the best chain by that score, each
 *    link found among the last PATIENCE_LOOKBACK candidates;
 *  - the cost limit: a search that has spent max_cost edits without its
 *    two halves meeting splits at the point that got furthest instead.
 *    The halves are then solved the same way, so the result is still a
 *    common subsequence (every pair comes from a matched prefix or
 *    suffix), only perhaps not a longest one.  This bounds the time on
 *    two long, very different traces to about (na + nb) * max_cost.
 */
#include "vmm/trace/trace_align.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_COST_LIMIT 256

/* ---- classes: equal records get the same number ---- */

struct class_slot {
	uint64_t key;
	uint32_t element; /* combined index: A's i, or na + B's j; UINT32_MAX empty */
	uint32_t cls;
};

static uint64_t mix(uint64_t k)
{
	/* The keys may be small integers (tests) as well as hashes. */
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

/* cls[x] for every element of A then B; returns the number of classes
 * or -1 when out of memory. */
static long classify(const uint64_t *ka, size_t na, const uint64_t *kb, size_t nb,
		     trace_align_same_fn same, void *ctx, uint32_t *cls)
{
	size_t n = na + nb, cap = 16;
	long classes = 0;

	while (cap < 2 * n)
		cap *= 2;
	struct class_slot *t = malloc(cap * sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < cap; i++)
		t[i].element = UINT32_MAX;
	for (size_t x = 0; x < n; x++) {
		int side = x >= na;
		size_t ix = side ? x - na : x;
		uint64_t key = side ? kb[ix] : ka[ix];
		size_t h = (size_t)mix(key) & (cap - 1);
		for (;; h = (h + 1) & (cap - 1)) {
			struct class_slot *s = &t[h];
			if (s->element == UINT32_MAX) {
				*s = (struct class_slot){ key, (uint32_t)x, (uint32_t)classes++ };
				cls[x] = s->cls;
				break;
			}
			if (s->key != key)
				continue;
			int rside = s->element >= na;
			size_t rix = rside ? s->element - na : s->element;
			if (!same || same(ctx, side, ix, rside, rix)) {
				cls[x] = s->cls;
				break;
			}
		}
	}
	free(t);
	return classes;
}

/* ---- the divide and conquer search ---- */

struct search {
	const uint32_t *a, *b; /* classes of the kept elements */
	uint8_t *a_changed, *b_changed;
	long *fwd, *bwd; /* furthest i per diagonal k = i - j, indexed k + koff */
	long koff;
	long max_cost;
	bool approximate;
	bool use_patience; /* not when a minimal (longest) alignment is asked for */
	/* Patience anchors: per class, its occurrences in all of A and B and,
	 * for one that occurs once, its position in (the kept) B. */
	const uint32_t *count_a, *count_b;
	uint32_t *pos_b;
	/* The candidates (positions in A and B) and their best chains. */
	uint32_t *cand_a, *cand_b, *chain_prev;
	int64_t *chain_score;
};

/* Boxes smaller than this go straight to the search. */
#define PATIENCE_MIN 64
/* What an anchor is worth, in steps off the diagonal (each leaves at least
 * one event unmatched): a chain keeps an anchor unless dropping it saves
 * more.  Runs that differ in length by less than 128 on either side of an
 * anchor never cost it; a coincidence thousands of events away always. */
#define PATIENCE_WEIGHT 256
/* How far back (in candidates, in A's order) a chain looks for the anchor
 * before: bounds the time to n * PATIENCE_LOOKBACK. */
#define PATIENCE_LOOKBACK 64

struct box {
	long off1, lim1, off2, lim2;
};

#define FWD(s, k) ((s)->fwd[(k) + (s)->koff])
#define BWD(s, k) ((s)->bwd[(k) + (s)->koff])
/* Diagonals not reached (yet): never the better choice. */
#define FWD_NONE LONG_MIN
#define BWD_NONE LONG_MAX

/* The furthest point forward on diagonal k from its neighbours, within
 * the box; FWD_NONE when neither neighbour leads into it. */
static long forward_step(const struct search *s, const struct box *bx, long k)
{
	long right = FWD(s, k - 1), down = FWD(s, k + 1), i = FWD_NONE;

	if (right != FWD_NONE && right + 1 <= bx->lim1)
		i = right + 1; /* an element of A left out */
	if (down != FWD_NONE && down - k <= bx->lim2 && down > i)
		i = down; /* an element of B left out */
	return i;
}

static long backward_step(const struct search *s, const struct box *bx, long k)
{
	long left = BWD(s, k + 1), up = BWD(s, k - 1), i = BWD_NONE;

	if (left != BWD_NONE && left - 1 >= bx->off1)
		i = left - 1;
	if (up != BWD_NONE && up - k >= bx->off2 && up < i)
		i = up;
	return i;
}

/* Where to cut the box: a point on an optimal path (the end of the
 * forward half's snake where the halves meet), or, once max_cost edits
 * are spent, the point either half got furthest to. */
static void split(struct search *s, const struct box *bx, long *si, long *sj)
{
	const long kmin = bx->off1 - bx->lim2, kmax = bx->lim1 - bx->off2;
	const long fmid = bx->off1 - bx->off2, bmid = bx->lim1 - bx->lim2;
	const bool odd = (fmid - bmid) & 1;
	long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;

	FWD(s, fmid) = bx->off1;
	BWD(s, bmid) = bx->lim1;
	for (long cost = 1;; cost++) {
		/* Forward: the diagonals one edit further, kept in the box;
		 * the ones just outside read as not reached. */
		if (fmin > kmin)
			FWD(s, --fmin - 1) = FWD_NONE;
		else
			fmin++;
		if (fmax < kmax)
			FWD(s, ++fmax + 1) = FWD_NONE;
		else
			fmax--;
		for (long k = fmax; k >= fmin; k -= 2) {
			long i = forward_step(s, bx, k), j;
			if (i == FWD_NONE) {
				FWD(s, k) = FWD_NONE;
				continue;
			}
			for (j = i - k; i < bx->lim1 && j < bx->lim2 && s->a[i] == s->b[j]; i++, j++)
				;
			FWD(s, k) = i;
			if (odd && k >= bmin && k <= bmax && BWD(s, k) <= i) {
				*si = i;
				*sj = j;
				return;
			}
		}
		if (bmin > kmin)
			BWD(s, --bmin - 1) = BWD_NONE;
		else
			bmin++;
		if (bmax < kmax)
			BWD(s, ++bmax + 1) = BWD_NONE;
		else
			bmax--;
		for (long k = bmax; k >= bmin; k -= 2) {
			long i = backward_step(s, bx, k), j;
			if (i == BWD_NONE) {
				BWD(s, k) = BWD_NONE;
				continue;
			}
			for (j = i - k; i > bx->off1 && j > bx->off2 && s->a[i - 1] == s->b[j - 1];
			     i--, j--)
				;
			BWD(s, k) = i;
			if (!odd && k >= fmin && k <= fmax && FWD(s, k) >= i) {
				*si = FWD(s, k);
				*sj = FWD(s, k) - k;
				return;
			}
		}
		if (cost < s->max_cost)
			continue;
		/* Cost limit: the furthest point (largest i + j forward,
		 * smallest backward), whichever half got further. */
		long fbest = LONG_MIN, fi = bx->off1, bbest = LONG_MAX, bi = bx->lim1;
		for (long k = fmax; k >= fmin; k -= 2) {
			long i = FWD(s, k);
			if (i != FWD_NONE && 2 * i - k > fbest) {
				fbest = 2 * i - k;
				fi = i;
			}
		}
		for (long k = bmax; k >= bmin; k -= 2) {
			long i = BWD(s, k);
			if (i != BWD_NONE && 2 * i - k < bbest) {
				bbest = 2 * i - k;
				bi = i;
			}
		}
		s->approximate = true;
		if (fbest - (bx->off1 + bx->off2) >= (bx->lim1 + bx->lim2) - bbest) {
			*si = fi;
			*sj = fbest - fi;
		} else {
			*si = bi;
			*sj = bbest - bi;
		}
		return;
	}
}

struct box_stack {
	struct box *b;
	size_t n, cap;
};

static bool box_push(struct box_stack *st, long off1, long lim1, long off2, long lim2)
{
	if (off1 == lim1 && off2 == lim2)
		return true;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct box *b = realloc(st->b, cap * sizeof(*b));
		if (!b)
			return false;
		st->b = b;
		st->cap = cap;
	}
	st->b[st->n++] = (struct box){ off1, lim1, off2, lim2 };
	return true;
}

/* Patience anchors in a box: pushes the gaps between them (and returns
 * true) or returns false with nothing pushed when the box has none worth
 * taking. */
static bool patience(struct search *s, const struct box *bx, struct box_stack *st,
		     bool *ok)
{
	size_t n = 0;

	for (long i = bx->off1; i < bx->lim1; i++) {
		uint32_t c = s->a[i];
		if (s->count_a[c] == 1 && s->count_b[c] == 1 && s->pos_b[c] >= bx->off2 &&
		    s->pos_b[c] < bx->lim2) {
			s->cand_a[n] = (uint32_t)i;
			s->cand_b[n++] = s->pos_b[c];
		}
	}
	if (!n)
		return false;
	/* The best chain, increasing on both sides: chain_score[c] of the
	 * best one ending at candidate c, from the box's start corner, and
	 * the score of the whole with the way on to the end corner.  No
	 * anchor at all scores the straight way from corner to corner. */
	const int64_t d0 = (int64_t)bx->off2 - bx->off1, dend = (int64_t)bx->lim2 - bx->lim1;
	int64_t best = -llabs(dend - d0);
	uint32_t last = UINT32_MAX;
	for (size_t c = 0; c < n; c++) {
		const int64_t d = (int64_t)s->cand_b[c] - s->cand_a[c];
		int64_t score = PATIENCE_WEIGHT - llabs(d - d0);
		uint32_t prev = UINT32_MAX;
		for (size_t q = c, from = c > PATIENCE_LOOKBACK ? c - PATIENCE_LOOKBACK : 0;
		     q-- > from;) {
			if (s->cand_b[q] >= s->cand_b[c])
				continue;
			int64_t v = s->chain_score[q] + PATIENCE_WEIGHT -
				    llabs(d - ((int64_t)s->cand_b[q] - s->cand_a[q]));
			if (v > score) {
				score = v;
				prev = (uint32_t)q;
			}
		}
		s->chain_score[c] = score;
		s->chain_prev[c] = prev;
		if (score - llabs(dend - d) > best) {
			best = score - llabs(dend - d);
			last = (uint32_t)c;
		}
	}
	if (last == UINT32_MAX)
		return false;
	/* Walk the chain backwards: gaps after each anchor, last first, so
	 * the boxes come off the stack in order. */
	long end1 = bx->lim1, end2 = bx->lim2;
	for (uint32_t c = last; c != UINT32_MAX; c = s->chain_prev[c]) {
		long ai = s->cand_a[c], bj = s->cand_b[c];
		*ok = *ok && box_push(st, ai + 1, end1, bj + 1, end2);
		end1 = ai;
		end2 = bj;
	}
	*ok = *ok && box_push(st, bx->off1, end1, bx->off2, end2);
	return true;
}

/* Marks what the edit script leaves out of the common subsequence.  A
 * stack of boxes, not recursion: a cost-limited split can be lopsided. */
static bool diff(struct search *s, long na, long nb)
{
	struct box_stack st = { 0 };
	bool ok = box_push(&st, 0, na, 0, nb);

	while (ok && st.n) {
		struct box bx = st.b[--st.n];
		while (bx.off1 < bx.lim1 && bx.off2 < bx.lim2 && s->a[bx.off1] == s->b[bx.off2])
			bx.off1++, bx.off2++;
		while (bx.off1 < bx.lim1 && bx.off2 < bx.lim2 &&
		       s->a[bx.lim1 - 1] == s->b[bx.lim2 - 1])
			bx.lim1--, bx.lim2--;
		if (bx.off1 == bx.lim1 || bx.off2 == bx.lim2) {
			memset(s->a_changed + bx.off1, 1, (size_t)(bx.lim1 - bx.off1));
			memset(s->b_changed + bx.off2, 1, (size_t)(bx.lim2 - bx.off2));
			continue;
		}
		if (s->use_patience &&
		    (bx.lim1 - bx.off1) + (bx.lim2 - bx.off2) >= PATIENCE_MIN &&
		    patience(s, &bx, &st, &ok))
			continue;
		long si, sj;
		split(s, &bx, &si, &sj);
		/* A cut at a corner would not make the problem smaller; it
		 * cannot happen, but if it did, give up on this box. */
		if ((si == bx.off1 && sj == bx.off2) || (si == bx.lim1 && sj == bx.lim2) ||
		    si < bx.off1 || si > bx.lim1 || sj < bx.off2 || sj > bx.lim2) {
			memset(s->a_changed + bx.off1, 1, (size_t)(bx.lim1 - bx.off1));
			memset(s->b_changed + bx.off2, 1, (size_t)(bx.lim2 - bx.off2));
			s->approximate = true;
			continue;
		}
		ok = box_push(&st, si, bx.lim1, sj, bx.lim2) &&
		     box_push(&st, bx.off1, si, bx.off2, sj);
	}
	free(st.b);
	return ok;
}

/* ---- the whole ---- */

struct kept {
	uint32_t *cls;   /* classes of the elements occurring on both sides */
	size_t *orig;    /* their indices in the input */
	uint8_t *changed;
	size_t n;
};

static bool keep_shared(const uint32_t *cls, size_t n, const uint32_t *count_other,
			struct kept *k)
{
	k->cls = malloc((n ? n : 1) * sizeof(*k->cls));
	k->orig = malloc((n ? n : 1) * sizeof(*k->orig));
	k->changed = calloc(n ? n : 1, 1);
	if (!k->cls || !k->orig || !k->changed)
		return false;
	k->n = 0;
	for (size_t i = 0; i < n; i++)
		if (count_other[cls[i]]) {
			k->cls[k->n] = cls[i];
			k->orig[k->n++] = i;
		}
	return true;
}

static void kept_free(struct kept *k)
{
	free(k->cls);
	free(k->orig);
	free(k->changed);
}

bool trace_align(const uint64_t *ka, size_t na, const uint64_t *kb, size_t nb,
		 trace_align_same_fn same, void *ctx, size_t max_cost,
		 struct trace_align_result *out)
{
	struct kept ka_kept = { 0 }, kb_kept = { 0 };
	uint32_t *cls = NULL, *count_a = NULL, *count_b = NULL;
	struct search s = { 0 };
	bool ok = false;
	long classes;

	memset(out, 0, sizeof(*out));
	if (na >= UINT32_MAX / 2 || nb >= UINT32_MAX / 2)
		return false;
	cls = malloc((na + nb + 1) * sizeof(*cls));
	if (!cls || (classes = classify(ka, na, kb, nb, same, ctx, cls)) < 0)
		goto out;
	count_a = calloc((size_t)classes + 1, sizeof(*count_a));
	count_b = calloc((size_t)classes + 1, sizeof(*count_b));
	if (!count_a || !count_b)
		goto out;
	for (size_t i = 0; i < na; i++)
		count_a[cls[i]]++;
	for (size_t j = 0; j < nb; j++)
		count_b[cls[na + j]]++;
	if (!keep_shared(cls, na, count_b, &ka_kept) ||
	    !keep_shared(cls + na, nb, count_a, &kb_kept))
		goto out;

	size_t diagonals = ka_kept.n + kb_kept.n + 3;
	s.a = ka_kept.cls;
	s.b = kb_kept.cls;
	s.a_changed = ka_kept.changed;
	s.b_changed = kb_kept.changed;
	s.count_a = count_a;
	s.count_b = count_b;
	s.pos_b = malloc(((size_t)classes + 1) * sizeof(uint32_t));
	s.cand_a = malloc((ka_kept.n + 1) * sizeof(uint32_t));
	s.cand_b = malloc((ka_kept.n + 1) * sizeof(uint32_t));
	s.chain_prev = malloc((ka_kept.n + 1) * sizeof(uint32_t));
	s.chain_score = malloc((ka_kept.n + 1) * sizeof(int64_t));
	if (!s.pos_b || !s.cand_a || !s.cand_b || !s.chain_prev ||
	    !s.chain_score)
		goto out;
	for (size_t j = 0; j < kb_kept.n; j++)
		s.pos_b[kb_kept.cls[j]] = (uint32_t)j;
	s.fwd = malloc(diagonals * sizeof(long));
	s.bwd = malloc(diagonals * sizeof(long));
	s.koff = (long)kb_kept.n + 1;
	if (max_cost == 0) {
		max_cost = (size_t)sqrt((double)(na + nb));
		if (max_cost < MIN_COST_LIMIT)
			max_cost = MIN_COST_LIMIT;
	}
	s.use_patience = max_cost != TRACE_ALIGN_MINIMAL;
	s.max_cost = max_cost > LONG_MAX ? LONG_MAX : (long)max_cost;
	if (!s.fwd || !s.bwd || !diff(&s, (long)ka_kept.n, (long)kb_kept.n))
		goto out;

	/* What is left unchanged on both sides pairs up in order. */
	size_t pairs = 0;
	for (size_t i = 0; i < ka_kept.n; i++)
		pairs += !ka_kept.changed[i];
	out->pairs = malloc((pairs ? pairs : 1) * sizeof(*out->pairs));
	if (!out->pairs)
		goto out;
	for (size_t i = 0, j = 0; i < ka_kept.n; i++) {
		if (ka_kept.changed[i])
			continue;
		while (kb_kept.changed[j])
			j++;
		out->pairs[out->n++] = (struct trace_align_pair){ ka_kept.orig[i], kb_kept.orig[j++] };
	}
	out->approximate = s.approximate;
	ok = true;
out:
	free(cls);
	free(count_a);
	free(count_b);
	free(s.fwd);
	free(s.bwd);
	free(s.pos_b);
	free(s.cand_a);
	free(s.cand_b);
	free(s.chain_prev);
	free(s.chain_score);
	kept_free(&ka_kept);
	kept_free(&kb_kept);
	if (!ok)
		trace_align_free(out);
	return ok;
}

void trace_align_free(struct trace_align_result *r)
{
	free(r->pairs);
	memset(r, 0, sizeof(*r));
}
