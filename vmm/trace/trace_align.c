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
};

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
	s.fwd = malloc(diagonals * sizeof(long));
	s.bwd = malloc(diagonals * sizeof(long));
	s.koff = (long)kb_kept.n + 1;
	if (max_cost == 0) {
		max_cost = (size_t)sqrt((double)(na + nb));
		if (max_cost < MIN_COST_LIMIT)
			max_cost = MIN_COST_LIMIT;
	}
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
