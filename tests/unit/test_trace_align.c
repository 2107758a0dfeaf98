/*
 * trace_align() (Myers' diff with the cost limit) and what `lgkvm trace
 * compare` builds on it: masks, match ratios, divergences, exit status.
 */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/trace/trace_align.h"
#include "vmm/trace/trace_compare.h"
#include "vmm/trace/trace_tools.h"

/* ---- alignment ---- */

static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static size_t lcs_length(const uint64_t *a, size_t n, const uint64_t *b, size_t m)
{
	size_t *d = calloc((n + 1) * (m + 1), sizeof(*d));
	ck_assert_ptr_nonnull(d);
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;) {
			size_t down = d[(i + 1) * (m + 1) + j], right = d[i * (m + 1) + j + 1];
			d[i * (m + 1) + j] = a[i] == b[j] ? d[(i + 1) * (m + 1) + j + 1] + 1
							  : down > right ? down : right;
		}
	size_t r = d[0];
	free(d);
	return r;
}

/* Valid: in range, strictly increasing on both sides, equal keys. */
static void assert_valid(const uint64_t *a, size_t n, const uint64_t *b, size_t m,
			 const struct trace_align_result *r)
{
	for (size_t p = 0; p < r->n; p++) {
		ck_assert_uint_lt(r->pairs[p].a, n);
		ck_assert_uint_lt(r->pairs[p].b, m);
		ck_assert_uint_eq(a[r->pairs[p].a], b[r->pairs[p].b]);
		if (p) {
			ck_assert_uint_gt(r->pairs[p].a, r->pairs[p - 1].a);
			ck_assert_uint_gt(r->pairs[p].b, r->pairs[p - 1].b);
		}
	}
}

static void align(const uint64_t *a, size_t n, const uint64_t *b, size_t m,
		  struct trace_align_result *r)
{
	ck_assert(trace_align(a, n, b, m, NULL, NULL, TRACE_ALIGN_MINIMAL, r));
	assert_valid(a, n, b, m, r);
	ck_assert(!r->approximate);
}

START_TEST(test_identical_and_empty)
{
	static const uint64_t a[] = { 5, 6, 7, 5, 6, 7, 8 };
	struct trace_align_result r;

	align(a, 7, a, 7, &r);
	ck_assert_uint_eq(r.n, 7);
	for (size_t i = 0; i < 7; i++)
		ck_assert(r.pairs[i].a == i && r.pairs[i].b == i);
	trace_align_free(&r);

	align(a, 0, a, 7, &r);
	ck_assert_uint_eq(r.n, 0);
	trace_align_free(&r);
	align(a, 7, a, 0, &r);
	ck_assert_uint_eq(r.n, 0);
	trace_align_free(&r);
	align(NULL, 0, NULL, 0, &r);
	ck_assert_uint_eq(r.n, 0);
	trace_align_free(&r);
}
END_TEST

START_TEST(test_insert_delete_substitute)
{
	/* B: 2 deleted, 9 inserted after 4, 6 changed to 60. */
	static const uint64_t a[] = { 1, 2, 3, 4, 5, 6, 7 };
	static const uint64_t b[] = { 1, 3, 4, 9, 5, 60, 7 };
	static const struct trace_align_pair want[] = { { 0, 0 }, { 2, 1 }, { 3, 2 }, { 4, 4 }, { 6, 6 } };
	struct trace_align_result r;

	align(a, 7, b, 7, &r);
	ck_assert_uint_eq(r.n, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert(r.pairs[i].a == want[i].a && r.pairs[i].b == want[i].b);
	trace_align_free(&r);

	/* Nothing in common. */
	static const uint64_t c[] = { 10, 11, 12 };
	align(a, 7, c, 3, &r);
	ck_assert_uint_eq(r.n, 0);
	trace_align_free(&r);
}
END_TEST

/* Minimal mode finds a longest common subsequence, on many small random
 * pairs with a small alphabet (many equal keys: the hard case). */
START_TEST(test_minimal_is_longest)
{
	uint64_t a[60], b[60];
	unsigned seed = 7;

	for (int round = 0; round < 3000; round++) {
		size_t n = next_random(&seed) % 61, m = next_random(&seed) % 61;
		unsigned alpha = 1 + next_random(&seed) % 5;
		for (size_t i = 0; i < n; i++)
			a[i] = next_random(&seed) % alpha;
		for (size_t j = 0; j < m; j++)
			b[j] = next_random(&seed) % alpha;
		struct trace_align_result r;
		align(a, n, b, m, &r);
		ck_assert_uint_eq(r.n, lcs_length(a, n, b, m));
		trace_align_free(&r);
	}
}
END_TEST

/* Equal keys are only a hint: `same` decides (a hash collision). */
static bool same_if_equal_payload(void *ctx, int sx, size_t x, int sy, size_t y)
{
	const int *const *payload = ctx;
	return payload[sx][x] == payload[sy][y];
}

START_TEST(test_equal_keys_checked)
{
	static const uint64_t ka[] = { 1, 1, 1 }, kb[] = { 1, 1, 1 };
	static const int pa[] = { 10, 20, 30 }, pb[] = { 20, 99, 30 };
	const int *payload[2] = { pa, pb };
	struct trace_align_result r;

	ck_assert(trace_align(ka, 3, kb, 3, same_if_equal_payload, payload, 0, &r));
	ck_assert_uint_eq(r.n, 2);
	ck_assert(r.pairs[0].a == 1 && r.pairs[0].b == 0);
	ck_assert(r.pairs[1].a == 2 && r.pairs[1].b == 2);
	trace_align_free(&r);
}
END_TEST

/* The cost limit on a larger random pair: the search gives up early, the
 * result is still a valid common subsequence, and still a long one. */
START_TEST(test_cost_limit_stays_valid)
{
	size_t n = 20000, m = 19000;
	uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(m * sizeof(*b));
	unsigned seed = 99;

	ck_assert(a && b);
	for (size_t i = 0; i < n; i++)
		a[i] = next_random(&seed) % 8;
	/* B: A with every 10th element dropped and some noise. */
	size_t j = 0;
	for (size_t i = 0; i < n && j < m; i++) {
		unsigned r = next_random(&seed);
		if (i % 10 == 3)
			continue;
		b[j++] = r % 7 == 0 ? (r >> 4) % 8 : a[i];
	}
	while (j < m)
		b[j++] = 1;

	struct trace_align_result r, full;
	ck_assert(trace_align(a, n, b, m, NULL, NULL, 16, &r));
	ck_assert(r.approximate);
	assert_valid(a, n, b, m, &r);
	ck_assert(trace_align(a, n, b, m, NULL, NULL, TRACE_ALIGN_MINIMAL, &full));
	assert_valid(a, n, b, m, &full);
	ck_assert(!full.approximate);
	/* Not minimal, but close: the longest is 15,837. */
	ck_assert_uint_ge(full.n, r.n);
	ck_assert_uint_gt(r.n, full.n * 95 / 100);
	trace_align_free(&r);
	trace_align_free(&full);
	free(a);
	free(b);
}
END_TEST


/* Patience anchors: unique elements with runs of one repeated element
 * between them, the runs of different lengths on the two sides.  The
 * longest common subsequence pairs repeated elements across the anchors
 * (it leaves most anchors out); the default alignment must pin every
 * anchor and match the runs between them as far as they go. */
START_TEST(test_patience_anchors)
{
	enum { ANCHORS = 250, RUN_MAX = 40, REPEATED = 7, FIRST_ANCHOR = 1000 };
	uint64_t *a = malloc(ANCHORS * RUN_MAX * sizeof(*a)), *b = malloc(ANCHORS * RUN_MAX * sizeof(*b));
	size_t *at_a = malloc(ANCHORS * sizeof(*at_a)), *at_b = malloc(ANCHORS * sizeof(*at_b));
	size_t n = 0, m = 0, anchored = 0;
	unsigned seed = 5;

	ck_assert(a && b && at_a && at_b);
	for (unsigned k = 0; k < ANCHORS; k++) {
		unsigned ra = 1 + next_random(&seed) % (RUN_MAX - 1), rb = 1 + next_random(&seed) % (RUN_MAX - 1);
		at_a[k] = n;
		at_b[k] = m;
		a[n++] = b[m++] = FIRST_ANCHOR + k;
		for (unsigned i = 0; i < ra; i++)
			a[n++] = REPEATED;
		for (unsigned i = 0; i < rb; i++)
			b[m++] = REPEATED;
		anchored += 1 + (ra < rb ? ra : rb);
	}
	ck_assert_uint_gt(n, 4500);

	struct trace_align_result r, lcs;
	ck_assert(trace_align(a, n, b, m, NULL, NULL, 0, &r));
	assert_valid(a, n, b, m, &r);
	size_t k = 0;
	for (size_t p = 0; p < r.n; p++)
		if (a[r.pairs[p].a] != REPEATED) {
			ck_assert_uint_eq(r.pairs[p].a, at_a[k]);
			ck_assert_uint_eq(r.pairs[p].b, at_b[k]);
			k++;
		}
	ck_assert_uint_eq(k, ANCHORS);
	ck_assert_uint_eq(r.n, anchored);

	/* Why anchors: the longest common subsequence keeps few of them. */
	ck_assert(trace_align(a, n, b, m, NULL, NULL, TRACE_ALIGN_MINIMAL, &lcs));
	assert_valid(a, n, b, m, &lcs);
	size_t lcs_anchors = 0;
	for (size_t p = 0; p < lcs.n; p++)
		lcs_anchors += a[lcs.pairs[p].a] != REPEATED;
	ck_assert_uint_gt(lcs.n, r.n);
	ck_assert_uint_lt(lcs_anchors, ANCHORS / 2);
	trace_align_free(&r);
	trace_align_free(&lcs);
	free(a);
	free(b);
	free(at_a);
	free(at_b);
}
END_TEST

/* A chain of unique elements far off the diagonal is no anchor: A has
 * three unique events before a long stretch both share, B has them after
 * it (in real traces: the same ASLR-random address in two different
 * processes).  Pinning them, as the longest chain of unique elements
 * would, loses the whole stretch. */
START_TEST(test_patience_ignores_far_coincidence)
{
	enum { SHARED = 2000, HEAD = 50 };
	uint64_t *a = malloc((4 * HEAD + SHARED + 3) * sizeof(*a));
	uint64_t *b = malloc((4 * HEAD + SHARED + 3) * sizeof(*b));
	size_t n = 0, m = 0;

	ck_assert(a && b);
	for (unsigned k = 0; k < HEAD; k++) /* a common start, anchors and runs */
		for (unsigned i = 0; i < 4; i++)
			a[n++] = b[m++] = i ? 9 : 1000 + k;
	for (unsigned k = 0; k < 3; k++)
		a[n++] = 5000 + k;
	for (unsigned i = 0; i < SHARED; i++)
		a[n++] = b[m++] = 7 + i % 2;
	for (unsigned k = 0; k < 3; k++)
		b[m++] = 5000 + k;

	struct trace_align_result r;
	ck_assert(trace_align(a, n, b, m, NULL, NULL, 0, &r));
	assert_valid(a, n, b, m, &r);
	ck_assert_uint_eq(r.n, 4 * HEAD + SHARED);
	trace_align_free(&r);
	free(a);
	free(b);
}
END_TEST

/* ---- compare ---- */

static void push_ev(struct trace *t, enum trace_kind k, uint32_t nr, uint8_t present,
		    uint32_t v0, uint32_t v1, uint32_t v2, uint32_t v3)
{
	struct trace_ev e = { .kind = (uint16_t)k, .nr = nr, .present = present,
			      .v = { v0, v1, v2, v3 }, .seq = t->n, .t_ns = 1000 * t->n };
	ck_assert(trace_push(t, &e));
}

static void hcall(struct trace *t, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	push_ev(t, TK_HCALL, nr, 0xf, a1, a2, a3, 0);
}

/* compare()'s options besides the defaults. */
enum { DEFAULTS = 0, NO_MASK = 1, EXACT_FRAMES = 2 };

static void compare(const struct trace *a, const struct trace *b, unsigned how,
		    struct trace_comparison *c)
{
	struct trace_compare_opts o;
	trace_compare_default_opts(&o);
	o.no_mask = how & NO_MASK;
	o.exact_frames = how & EXACT_FRAMES;
	ck_assert(trace_compare(a, b, &o, c));
}

START_TEST(test_masked_fields)
{
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;

	/* SET_CLOCKEVENT's delta differs: still the same hypercall. */
	hcall(&a, 9, 1000000, 0, 0);
	hcall(&b, 9, 1000123, 0, 0);
	/* SET_PTE with different flags in a3 (the pte): a real difference. */
	hcall(&a, 14, 0x1000, 0xc0000000, 0x1067);
	hcall(&b, 14, 0x1000, 0xc0000000, 0x1065);
	/* trap eax is what the guest computed... */
	push_ev(&a, TK_TRAP, 13, 0x7, 0, 0xc0100000, 111, 0);
	push_ev(&b, TK_TRAP, 13, 0x7, 0, 0xc0100000, 222, 0);
	/* ...but the hypercall number at vector 31 */
	push_ev(&a, TK_TRAP, 31, 0x7, 0, 0xc0100004, 14, 0);
	push_ev(&b, TK_TRAP, 31, 0x7, 0, 0xc0100004, 15, 0);
	/* where an interrupt lands is timing */
	push_ev(&a, TK_IRQ, 0, 1u << TF_IRQ_EIP, 0, 0, 0, 0xc0100100);
	push_ev(&b, TK_IRQ, 0, 1u << TF_IRQ_EIP, 0, 0, 0, 0xc0100200);

	compare(&a, &b, DEFAULTS, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 1);
	const struct trace_stream_match *paced = &c.k[TK_HCALL].s[TRACE_STREAM_PACED];
	ck_assert_uint_eq(paced->matched, 1);
	ck_assert_uint_eq(a.ev[paced->ev_a[paced->align.pairs[0].a]].nr, 9);
	ck_assert_uint_eq(c.k[TK_TRAP].matched, 1);
	const struct trace_stream_match *traps = &c.k[TK_TRAP].s[TRACE_STREAM_MAIN];
	ck_assert_uint_eq(a.ev[traps->ev_a[traps->align.pairs[0].a]].nr, 13);
	ck_assert_uint_eq(c.k[TK_IRQ].matched, 1);
	ck_assert_uint_eq(c.masked[TRACE_MASK_CLOCKEVENT], 2);
	ck_assert_uint_eq(c.masked[TRACE_MASK_TRAP_EAX], 2);
	ck_assert_uint_eq(c.masked[TRACE_MASK_IRQ_EIP], 2);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_PTE], 2);
	trace_comparison_free(&c);

	/* --no-mask: every field counts. */
	compare(&a, &b, NO_MASK, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 0);
	ck_assert_uint_eq(c.k[TK_TRAP].matched, 0);
	ck_assert_uint_eq(c.k[TK_IRQ].matched, 0);
	trace_comparison_free(&c);
	trace_free(&a);
	trace_free(&b);
}
END_TEST

START_TEST(test_one_sided_fields_and_synthetic_init)
{
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;

	/* lgkvm's LGUEST_INIT has its args; ftrace's synthetic one none. */
	hcall(&a, 1, 0xc0500000, 0, 0);
	struct trace_ev init = { .kind = TK_HCALL, .nr = 1, .flags = TRACE_EV_SYNTHETIC };
	ck_assert(trace_push(&b, &init));
	/* v0 pf lines had no eip: compared on what both have. */
	push_ev(&a, TK_PF, 0, (1u << TF_VADDR) | (1u << TF_PF_ERR), 0x1000, 2, 0, 0);
	push_ev(&b, TK_PF, 0, 0x7, 0x1000, 2, 0xc0100000, 0);
	/* an MMIO fault is the in-kernel Host's way only: not aligned */
	push_ev(&b, TK_PF, 0, 0x7, 0xd0000000, 2, 0xc0100000, 0);
	b.ev[b.n - 1].outcome = PF_MMIO;
	/* async flag compared */
	hcall(&a, 14, 1, 2, 3);
	hcall(&b, 14, 1, 2, 3);
	b.ev[b.n - 1].flags = TRACE_EV_ASYNC;

	compare(&a, &b, DEFAULTS, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].n_a, 2);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 1); /* INIT, not the async one */
	ck_assert_uint_eq(c.k[TK_PF].n_b, 1);
	ck_assert_uint_eq(c.k[TK_PF].matched, 1);
	ck_assert_uint_eq(c.mmio_pf[1], 1);
	ck_assert_uint_eq(c.one_sided[0][TK_HCALL][1], 0xf);
	ck_assert_uint_eq(c.one_sided[1][TK_PF][0], 1u << TF_PF_EIP);
	trace_comparison_free(&c);
	trace_free(&a);
	trace_free(&b);
}
END_TEST

/* The ratios: per kind matched / max(A, B); all: sum matched / sum max. */
START_TEST(test_ratios_and_divergences)
{
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;

	for (uint32_t i = 0; i < 10; i++) {
		hcall(&a, 6, i, 0, 0); /* LOAD_IDT_ENTRY: nothing masked */
		if (i == 3)
			continue; /* dropped in B */
		hcall(&b, 6, i, 0, i == 7 ? 1 : 0); /* 7 changed in B */
	}
	for (uint32_t i = 0; i < 4; i++)
		push_ev(&a, TK_TRAP, 14, 0x3, 2, 0xc0000000 + i, 0, 0);
	for (uint32_t i = 0; i < 6; i++)
		push_ev(&b, TK_TRAP, 14, 0x3, 2, 0xc0000000 + i, 0, 0);
	/* counted only */
	push_ev(&a, TK_EXIT, EXIT_HCALL, 0, 0, 0, 0, 0);

	compare(&a, &b, DEFAULTS, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].n_a, 10);
	ck_assert_uint_eq(c.k[TK_HCALL].n_b, 9);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 8);
	ck_assert_double_eq_tol(c.k[TK_HCALL].ratio, 0.8, 1e-9);
	ck_assert_uint_eq(c.k[TK_TRAP].matched, 4);
	ck_assert_double_eq_tol(c.k[TK_TRAP].ratio, 4.0 / 6.0, 1e-9);
	ck_assert_double_eq_tol(c.k[TK_DELIVER].ratio, 1.0, 1e-9); /* none on either side */
	ck_assert_uint_eq(c.matched, 12);
	ck_assert_uint_eq(c.compared, 16);
	ck_assert_double_eq_tol(c.ratio, 0.75, 1e-9);
	ck_assert_uint_eq(c.k[TK_EXIT].n_a, 0); /* not aligned */

	/* Three divergences in trace order: hcall 3 missing, hcall 7
	 * changed, the two extra traps at the end. */
	ck_assert_uint_eq(c.ndiv, 3);
	ck_assert_int_eq(c.div[0].kind, TK_HCALL);
	ck_assert_uint_eq(c.div[0].a_to - c.div[0].a_from, 1);
	ck_assert_uint_eq(c.div[0].b_to - c.div[0].b_from, 0);
	ck_assert_uint_eq(c.div[0].stream, TRACE_STREAM_MAIN);
	ck_assert_uint_eq(a.ev[c.k[TK_HCALL].s[TRACE_STREAM_MAIN].ev_a[c.div[0].a_from]].v[TF_A1], 3);
	ck_assert_int_eq(c.div[1].kind, TK_HCALL);
	ck_assert_uint_eq(c.div[1].a_to - c.div[1].a_from, 1);
	ck_assert_uint_eq(c.div[1].b_to - c.div[1].b_from, 1);
	ck_assert_int_eq(c.div[2].kind, TK_TRAP);
	ck_assert_uint_eq(c.div[2].a_to - c.div[2].a_from, 0);
	ck_assert_uint_eq(c.div[2].b_to - c.div[2].b_from, 2);
	trace_comparison_free(&c);
	trace_free(&a);
	trace_free(&b);
}
END_TEST


static void hcall4(struct trace *t, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	push_ev(t, TK_HCALL, nr, 0xf, a1, a2, a3, a4);
}

/* Arguments the guest never loads: SEND_INTERRUPTS sets only %eax,
 * LGUEST_INIT %eax and %ebx (a1). */
START_TEST(test_garbage_args_masked)
{
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;

	hcall4(&a, 1, 0x1234000, 0xdead, 0xc1255f10, 7);
	hcall4(&b, 1, 0x1234000, 0xbeef, 0, 0xffffffff);
	hcall4(&a, 19, 0xc12ab0e0, 0x31, 0xc126df24, 0x1800);
	hcall4(&b, 19, 0x2, 0x194d885d, 0x2, 0xffffffff);
	/* LGUEST_INIT's a1 (where lguest_data is) is compared. */
	hcall4(&a, 1, 0x1234000, 0, 0, 0);
	hcall4(&b, 1, 0x1235000, 0, 0, 0);

	compare(&a, &b, DEFAULTS, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].n_a, 3);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 2);
	ck_assert_uint_eq(c.k[TK_HCALL].s[TRACE_STREAM_MAIN].matched, 1);
	ck_assert_uint_eq(c.k[TK_HCALL].s[TRACE_STREAM_PACED].matched, 1);
	ck_assert_uint_eq(c.masked[TRACE_MASK_INIT_ARGS], 4);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SEND_INTERRUPTS], 2);
	trace_comparison_free(&c);

	compare(&a, &b, NO_MASK, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 0);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SEND_INTERRUPTS], 0);
	trace_comparison_free(&c);
	trace_free(&a);
	trace_free(&b);
}
END_TEST

/* Physical frames and per-task kernel addresses follow allocation order:
 * masked by default, compared with exact_frames (--exact-frames). */
START_TEST(test_frames_masked)
{
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;

	/* Match by default: only frames and addresses differ. */
	hcall4(&a, 14, 0x1ff000, 0xbffff000, 0x00345067, 0x80000001); /* SET_PTE, PAE: NX, frame high bits */
	hcall4(&b, 14, 0x2aa000, 0xbffff000, 0x00789067, 0x80000002);
	hcall4(&a, 13, 0x1ab000, 3, 0, 0);                    /* SET_PMD */
	hcall4(&b, 13, 0x1cd000, 3, 0, 0);
	hcall4(&a, 15, 0x1ab000, 768, 0, 0);                  /* SET_PGD */
	hcall4(&b, 15, 0x1ef000, 768, 0, 0);
	hcall4(&a, 4, 0x1ff000, 0, 0, 0);                     /* NEW_PGTABLE */
	hcall4(&b, 4, 0x2aa000, 0, 0, 0);
	hcall4(&a, 7, 0x69, 0xc7a4e000, 2, 0);                /* SET_STACK: sp0 */
	hcall4(&b, 7, 0x69, 0xc7b10000, 2, 0);
	hcall4(&a, 16, 0x7a4c350, 0, 0, 0);                   /* LOAD_TLS */
	hcall4(&b, 16, 0x7b1a350, 0, 0, 0);
	const size_t same = 6;
	/* No match: what is not a frame differs. */
	hcall4(&a, 14, 0x1ff000, 0xb7700000, 0x00345067, 0); /* the flags */
	hcall4(&b, 14, 0x1ff000, 0xb7700000, 0x00345065, 0);
	hcall4(&a, 14, 0x1ff000, 0x08048000, 0x00345025, 0); /* the address mapped */
	hcall4(&b, 14, 0x1ff000, 0x08049000, 0x00345025, 0);
	hcall4(&a, 14, 0x1ff000, 0x0804a000, 0x00345025, 0x80000000); /* NX */
	hcall4(&b, 14, 0x1ff000, 0x0804a000, 0x00345025, 0);
	hcall4(&a, 13, 0x1ab000, 3, 0, 0);                             /* the index */
	hcall4(&b, 13, 0x1ab000, 4, 0, 0);
	hcall4(&a, 7, 0x69, 0xc7a4e000, 2, 0);                         /* SET_STACK's segment */
	hcall4(&b, 7, 0x61, 0xc7a4e000, 2, 0);

	compare(&a, &b, DEFAULTS, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].n_a, same + 5);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, same);
	for (size_t p = 0; p < c.k[TK_HCALL].s[TRACE_STREAM_MAIN].align.n; p++)
		ck_assert_uint_lt(c.k[TK_HCALL].s[TRACE_STREAM_MAIN].align.pairs[p].a, same);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_PTE], 8);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_PMD], 4);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_PGD], 2);
	ck_assert_uint_eq(c.masked[TRACE_MASK_NEW_PGTABLE], 2);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_STACK], 4);
	ck_assert_uint_eq(c.masked[TRACE_MASK_LOAD_TLS], 2);
	trace_comparison_free(&c);

	/* --exact-frames: none of them. */
	compare(&a, &b, EXACT_FRAMES, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 0);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_PTE], 0);
	ck_assert_uint_eq(c.masked[TRACE_MASK_SET_STACK], 0);
	trace_comparison_free(&c);
	/* --no-mask: none either. */
	compare(&a, &b, NO_MASK, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 0);
	trace_comparison_free(&c);
	trace_free(&a);
	trace_free(&b);
}
END_TEST

/* The timer-paced hypercalls are aligned apart from the rest: here B has
 * two more SET_CLOCKEVENTs per tick and the guest's own hypercall comes
 * after the tick's instead of before.  Aligned as one sequence, the
 * longest common subsequence would take the timer's 40 and give up every
 * FLUSH_TLB; apart, each stream matches all it can. */
START_TEST(test_paced_split)
{
	enum { TICKS = 4, CLOCK_A = 10, CLOCK_B = 12 };
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;
	uint64_t ka[TICKS * (CLOCK_A + 1)], kb[TICKS * (CLOCK_B + 1)];
	size_t na = 0, nb = 0;

	for (unsigned t = 0; t < TICKS; t++) {
		hcall(&a, 5, 1, 0, 0); /* FLUSH_TLB */
		ka[na++] = 5;
		for (unsigned i = 0; i < CLOCK_A; i++) {
			hcall(&a, 9, 1000000 + i, 0, 0);
			ka[na++] = 9;
		}
		for (unsigned i = 0; i < CLOCK_B; i++) {
			hcall(&b, 9, 2000000 + i, 0, 0);
			kb[nb++] = 9;
		}
		hcall(&b, 5, 1, 0, 0);
		kb[nb++] = 5;
	}

	/* The premise: one sequence loses the guest's hypercalls. */
	struct trace_align_result one;
	ck_assert(trace_align(ka, na, kb, nb, NULL, NULL, 0, &one));
	size_t guest = 0;
	for (size_t p = 0; p < one.n; p++)
		guest += ka[one.pairs[p].a] == 5;
	ck_assert_uint_lt(guest, TICKS);
	trace_align_free(&one);

	compare(&a, &b, DEFAULTS, &c);
	const struct trace_kind_match *h = &c.k[TK_HCALL];
	ck_assert_uint_eq(h->matched, TICKS * (CLOCK_A + 1)); /* all of A */
	ck_assert_uint_eq(h->nstreams, 2);
	ck_assert_uint_eq(h->s[TRACE_STREAM_MAIN].n_a, TICKS);
	ck_assert_uint_eq(h->s[TRACE_STREAM_MAIN].n_b, TICKS);
	ck_assert_uint_eq(h->s[TRACE_STREAM_MAIN].matched, TICKS);
	ck_assert_double_eq_tol(h->s[TRACE_STREAM_MAIN].ratio, 1.0, 1e-9);
	ck_assert_uint_eq(h->s[TRACE_STREAM_PACED].matched, TICKS * CLOCK_A);
	ck_assert_uint_eq(h->n_b, TICKS * (CLOCK_B + 1));
	ck_assert_double_eq_tol(h->ratio, (double)(TICKS * (CLOCK_A + 1)) / (TICKS * (CLOCK_B + 1)), 1e-9);
	/* The extra SET_CLOCKEVENTs are divergences of the timer's stream only. */
	for (size_t i = 0; i < c.ndiv; i++)
		ck_assert_uint_eq(c.div[i].stream, TRACE_STREAM_PACED);
	trace_comparison_free(&c);
	trace_free(&a);
	trace_free(&b);
}
END_TEST

/* ---- the command line ---- */

static char path_a[64], path_b[64];

static void write_trace(char *path, const char *text)
{
	strcpy(path, "/tmp/lgkvm-trace-align-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Runs `lgkvm trace ARGS...` with stdout and stderr going to the files
 * out_path and err_path (NULL: silenced). */
static int vrun_trace(const char *out_path, const char *err_path, const char *first, va_list ap)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)"trace";
	for (const char *s = first; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	int out = dup(1), err = dup(2);
	int to_out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int to_err = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(to_out, 0);
	ck_assert_int_ge(to_err, 0);
	dup2(to_out, 1);
	dup2(to_err, 2);
	close(to_out);
	close(to_err);
	int rc = trace_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	return rc;
}

static int run_trace(const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	int rc = vrun_trace(NULL, NULL, first, ap);
	va_end(ap);
	return rc;
}

/* The same, keeping stdout and stderr (read them with slurp()). */
static char out_path[64], err_path[64];

static int run_trace_captured(const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	int rc = vrun_trace(out_path, err_path, first, ap);
	va_end(ap);
	return rc;
}

/* Where run_trace_captured() writes, and cleaning up after a test. */
static void make_capture_files(void)
{
	strcpy(out_path, "/tmp/lgkvm-trace-out-XXXXXX");
	close(mkstemp(out_path));
	strcpy(err_path, "/tmp/lgkvm-trace-err-XXXXXX");
	close(mkstemp(err_path));
}

static void remove_files(void)
{
	unlink(path_a);
	unlink(path_b);
	unlink(out_path);
	unlink(err_path);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *text = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(text);
	size_t n = fread(text, 1, (1 << 20) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (; *text; text++)
		n += *text == '\n';
	return n;
}

START_TEST(test_cli_exit_status)
{
	write_trace(path_a, "# lgkvm-trace 1\n"
			    "0 0.1 hcall nr=14 a1=1 a2=2 a3=3 a4=0 src=sync\n"
			    "1 0.2 hcall nr=14 a1=1 a2=2 a3=4 a4=0 src=sync\n"
			    "2 0.3 hcall nr=10 a1=0 a2=0 a3=0 a4=0 src=sync\n"
			    "3 0.4 hcall nr=10 a1=0 a2=0 a3=0 a4=0 src=sync\n");
	write_trace(path_b, "# tracer: nop\n"
			    " lguest-1 [000] d..1 1.000001: hcall: (do_hcall+0x0/0x2a0) nr=14 a1=1 a2=2 a3=3 a4=0 args=0x10 regs=0x10\n"
			    " lguest-1 [000] d..1 1.000002: hcall: (do_hcall+0x0/0x2a0) nr=14 a1=1 a2=2 a3=5 a4=0 args=0x10 regs=0x10\n"
			    " lguest-1 [000] d..1 1.000003: hcall: (do_hcall+0x0/0x2a0) nr=10 a1=0 a2=0 a3=0 a4=0 args=0x10 regs=0x10\n"
			    " lguest-1 [000] d..1 1.000004: hcall: (do_hcall+0x0/0x2a0) nr=10 a1=0 a2=0 a3=0 a4=0 args=0x10 regs=0x10\n");
	/* 3 of 4 hypercalls match: 75% */
	ck_assert_int_eq(run_trace("compare", path_a, path_b, NULL), 0);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match", "75", NULL), 0);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match=76", NULL), 1);
	ck_assert_int_eq(run_trace("compare", "--mask", "hcall:a3", path_a, path_b, "--min-match",
				   "100", NULL), 0);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--kinds", "hcall,pf", "--context",
				   "1", "--divergences", "0", "--no-mask", NULL), 0);
	/* The SET_PTEs differ in their flags: a mismatch with or without
	 * --exact-frames; the guest-paced ones (no HALT) match 1 of 2. */
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--exact-frames", "--min-match", "75",
				   NULL), 0);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match-paced", "50", NULL), 0);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match-paced=51", NULL), 1);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match-paced", "x", NULL), 2);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match-paced", "50", "--kinds",
				   "pf", NULL), 2);
	/* bad usage, unreadable input: 2 */
	ck_assert_int_eq(run_trace("compare", path_a, "/nonexistent/trace", NULL), 2);
	ck_assert_int_eq(run_trace("compare", path_a, NULL), 2);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match", "x", NULL), 2);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--kinds", "exit", NULL), 2);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--mask", "hcall:cr2", NULL), 2);
	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--bogus", NULL), 2);
	ck_assert_int_eq(run_trace("compare", "--help", NULL), 0);
	unlink(path_a);
	unlink(path_b);

	ck_assert_int_eq(run_trace("--help", NULL), 0);
	ck_assert_int_eq(run_trace(NULL), 2);
	ck_assert_int_eq(run_trace("frobnicate", NULL), 2);
}
END_TEST

/* The guest-paced ratio on a crafted pair: 10 LOAD_IDT_ENTRYs in A, B
 * without the 4th and with the 8th changed (8 of 10); timer-paced A
 * C C C C C H H H against B C x9 H S S (6 of 12); hypercalls 14 of 21. */
START_TEST(test_cli_guest_paced_ratio)
{
	char *ta = calloc(1, 8192), *tb = calloc(1, 8192);
	size_t la = 0, lb = 0;
	static const unsigned paced_a[] = { 9, 9, 9, 9, 9, 10, 10, 10 };
	static const unsigned paced_b[] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 10, 19, 19 };
	unsigned seq_a = 0, seq_b = 0;

	ck_assert(ta && tb);
	la += (size_t)sprintf(ta + la, "# lgkvm-trace 1\n");
	lb += (size_t)sprintf(tb + lb, "# lgkvm-trace 1\n");
	for (unsigned i = 0; i < 12; i++) {
		/* the timer's in between, at other places in A and B */
		if (i < 8)
			la += (size_t)sprintf(ta + la, "%u 0.%u hcall nr=%u a1=%#x a2=0 a3=0 a4=0 src=sync\n",
					      seq_a, seq_a, paced_a[i], paced_a[i] == 9 ? 1000000 + i : 0);
		seq_a++;
		lb += (size_t)sprintf(tb + lb, "%u 0.%u hcall nr=%u a1=%#x a2=0 a3=0 a4=0 src=sync\n",
				      seq_b, seq_b, paced_b[i], paced_b[i] == 9 ? 2000000 + i : 0);
		seq_b++;
		if (i < 10) {
			la += (size_t)sprintf(ta + la, "%u 0.%u hcall nr=6 a1=%u a2=0x10 a3=0x8e00 a4=0 src=sync\n",
					      seq_a, seq_a, i);
			seq_a++;
		}
		if (i < 10 && i != 3) {
			lb += (size_t)sprintf(tb + lb, "%u 0.%u hcall nr=6 a1=%u a2=0x10 a3=%#x a4=0 src=sync\n",
					      seq_b, seq_b, i, i == 7 ? 0xee00 : 0x8e00);
			seq_b++;
		}
	}
	write_trace(path_a, ta);
	write_trace(path_b, tb);
	make_capture_files();

	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	char *out = slurp(out_path);
	ck_assert_ptr_nonnull(strstr(out, "\nhypercall match 66.67% (14 of 21), all compared events 66.67%\n"
					  "guest-paced hypercalls 80.00% (8 of 10): without SET_CLOCKEVENT, "
					  "SEND_INTERRUPTS, HALT (their number follows the timer)\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n  guest-paced            10            9            8   80.00%\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n  timer-paced             8           12            6   50.00%\n"));
	ck_assert_ptr_nonnull(strstr(out, "; SEND_INTERRUPTS a1,a2,a3,a4 (2 events)"));
	free(out);

	ck_assert_int_eq(run_trace("compare", path_a, path_b, "--min-match-paced", "80", "--min-match",
				   "66", NULL), 0);
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, "--min-match-paced", "80.5", NULL), 1);
	char *err = slurp(err_path);
	ck_assert_str_eq(err, "lgkvm trace compare: FAIL: guest-paced hypercalls 80.00% is below "
			      "--min-match-paced 80.5%\n");
	free(err);
	/* Both failing: still one line, naming both. */
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, "--min-match", "67",
					    "--min-match-paced", "81", NULL), 1);
	err = slurp(err_path);
	ck_assert_uint_eq(count_lines(err), 1);
	ck_assert_ptr_nonnull(strstr(err, "hypercall match 66.67% is below --min-match 67%"));
	ck_assert_ptr_nonnull(strstr(err, "guest-paced hypercalls 80.00% is below --min-match-paced 81%"));
	free(err);
	remove_files();
	free(ta);
	free(tb);
}
END_TEST

/* The first divergences shown are not the timer's, even where the timer's
 * come first in the traces. */
START_TEST(test_cli_timer_divergences_shown_last)
{
	write_trace(path_a, "# lgkvm-trace 1\n"
			    "0 0.1 hcall nr=9 a1=0x100 a2=0 a3=0 a4=0 src=sync\n"
			    "1 0.15 hcall nr=9 a1=0x300 a2=0 a3=0 a4=0 src=sync\n"
			    "2 0.2 hcall nr=6 a1=0 a2=0x10 a3=0x8e00 a4=0 src=sync\n"
			    "3 0.3 hcall nr=6 a1=1 a2=0x10 a3=0x8e00 a4=0 src=sync\n");
	write_trace(path_b, "# lgkvm-trace 1\n"
			    "0 0.1 hcall nr=9 a1=0x200 a2=0 a3=0 a4=0 src=sync\n"
			    "1 0.2 hcall nr=6 a1=0 a2=0x10 a3=0x8e00 a4=0 src=sync\n"
			    "2 0.3 hcall nr=6 a1=1 a2=0x10 a3=0xee00 a4=0 src=sync\n");
	make_capture_files();

	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, "--divergences", "1", NULL), 0);
	char *out = slurp(out_path);
	ck_assert_ptr_nonnull(strstr(out, "2 divergences (the first 1 shown, timer-paced hypercalls last)"));
	ck_assert_ptr_nonnull(strstr(out, "\ndivergence 2 of 2 (hcall, guest-paced): 1 in A, 1 in B\n"));
	ck_assert_ptr_null(strstr(out, "timer-paced): "));
	free(out);
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	out = slurp(out_path);
	char *guest = strstr(out, "(hcall, guest-paced)"), *timer = strstr(out, "(hcall, timer-paced)");
	ck_assert(guest && timer && guest < timer);
	free(out);
	remove_files();
}
END_TEST

/* --exact: where the default search gives up (two unrelated traces) and
 * says its counts are a lower bound, --exact finds the longest common
 * subsequence and does not say so. */
START_TEST(test_cli_exact)
{
	enum { N = 1500 };
	uint64_t ka[N], kb[N];
	unsigned seed = 7;
	char *text[2];

	for (int s = 0; s < 2; s++) {
		uint64_t *k = s ? kb : ka;
		size_t cap = 64 + (size_t)N * 80, len;
		text[s] = malloc(cap);
		ck_assert_ptr_nonnull(text[s]);
		len = (size_t)snprintf(text[s], cap, "# lgkvm-trace 1\n");
		for (int i = 0; i < N; i++) {
			k[i] = next_random(&seed) % 5;
			len += (size_t)snprintf(text[s] + len, cap - len,
						"%d 0.%06d hcall nr=6 a1=%llu a2=0 a3=0 a4=0 src=sync\n", i,
						i, (unsigned long long)k[i]);
		}
	}
	write_trace(path_a, text[0]);
	write_trace(path_b, text[1]);
	make_capture_files();

	const char *note = "matched counts are a lower bound";
	unsigned matched, total, lcs = (unsigned)lcs_length(ka, N, kb, N);
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	char *out = slurp(out_path), *line = strstr(out, "\nguest-paced hypercalls ");
	ck_assert_ptr_nonnull(strstr(out, note));
	ck_assert(line && sscanf(strchr(line, '(') + 1, "%u of %u", &matched, &total) == 2);
	ck_assert_uint_eq(total, N);
	ck_assert_uint_le(matched, lcs);
	free(out);

	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, "--exact", NULL), 0);
	out = slurp(out_path);
	line = strstr(out, "\nguest-paced hypercalls ");
	ck_assert_ptr_null(strstr(out, note));
	ck_assert(line && sscanf(strchr(line, '(') + 1, "%u of %u", &matched, &total) == 2);
	ck_assert_uint_eq(matched, lcs);
	free(out);
	for (int s = 0; s < 2; s++)
		free(text[s]);
	remove_files();
}
END_TEST

/* An in-kernel trace that noted its host's CPU flags: compare prints them,
 * and says what to pass when the lgkvm run did not use --cpu-flags. */
START_TEST(test_cli_cpu_flags_hint)
{
	static const char hcall[] =
		" lguest-1 [000] d..1 1.000001: hcall: (do_hcall+0x0/0x2a0) nr=14 a1=1 a2=2 a3=3 a4=0 args=0x10 regs=0x10\n";
	char a[512];
	snprintf(a, sizeof(a), "# tracer: nop\n# lguest-host-trace: cpu flags: fpu tsc pni\n%s", hcall);
	write_trace(path_a, a);
	write_trace(path_b, "# lgkvm-trace 1 kernel=\"k\" options=\"run --trace t k\"\n"
			    "0 0.1 hcall nr=14 a1=1 a2=2 a3=3 a4=0 src=sync\n");
	make_capture_files();

	const char *hint = "lgkvm run --cpu-flags 'fpu tsc pni' shows the guest";
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	char *out = slurp(out_path);
	ck_assert_ptr_nonnull(strstr(out, "\n   host cpu flags: fpu tsc pni\n"));
	ck_assert_ptr_nonnull(strstr(out, "note: A's host CPU flags are known and B ran without them"));
	ck_assert_ptr_nonnull(strstr(out, hint));
	free(out);
	/* Either order. */
	ck_assert_int_eq(run_trace_captured("compare", path_b, path_a, NULL), 0);
	out = slurp(out_path);
	ck_assert_ptr_nonnull(strstr(out, "note: B's host CPU flags are known and A ran without them"));
	free(out);
	/* The lgkvm run passed them: nothing to say. */
	write_trace(path_b, "# lgkvm-trace 1 kernel=\"k\" options=\"run --cpu-flags fpu,tsc,pni k\"\n"
			    "0 0.1 hcall nr=14 a1=1 a2=2 a3=3 a4=0 src=sync\n");
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	out = slurp(out_path);
	ck_assert_ptr_nonnull(strstr(out, "host cpu flags: fpu tsc pni"));
	ck_assert_ptr_null(strstr(out, "note: A's host CPU flags"));
	free(out);
	remove_files();
}
END_TEST

/* What an in-kernel trace shows its Host did (the decompressor's faults
 * below 16 MiB, lguest 4.10's endless SEND_INTERRUPTS) against an lgkvm run
 * that did not: compare names the option that does the same. */
START_TEST(test_cli_option_hints)
{
	size_t cap = 1 << 17, len;
	char *a = malloc(cap);

	ck_assert_ptr_nonnull(a);
	len = (size_t)snprintf(a, cap, "# tracer: nop\n"
		" lguest-1 [000] d..1 1.000001: pf: (demand_page+0x0/0x290) vaddr=0x100000 err=0x0 eip=0x100000 caller=0x0\n"
		" lguest-1 [000] d..1 1.000002: pf_ret: (lguest_arch_handle_trap+0x4b/0x1f0 <- demand_page) ret=1\n");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(a + len, cap - len,
			" lguest-1 [000] d..1 1.%06d: hcall: (do_hcall+0x0/0x2a0) nr=19 a1=0 a2=0 a3=0 a4=0 args=0x10 regs=0x10\n",
			10 + i);
	write_trace(path_a, a);
	free(a);
	write_trace(path_b, "# lgkvm-trace 1 kernel=\"k\" options=\"run --trace t k\"\n"
			    "0 0.1 pf vaddr=0xc1000000 err=0 eip=0x1000000 result=fixed\n"
			    "1 0.2 hcall nr=19 a1=0 a2=0 a3=0 a4=0 src=sync\n");
	make_capture_files();

	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	char *out = slurp(out_path);
	ck_assert_ptr_nonnull(strstr(out, "note: A's guest ran the bzImage's own decompressor"));
	ck_assert_ptr_nonnull(strstr(out, "lgkvm run --boot-as-launcher"));
	ck_assert_ptr_nonnull(strstr(out, "note: 1000 SEND_INTERRUPTS in A against 1 in B"));
	ck_assert_ptr_nonnull(strstr(out, "lgkvm run --sticky-irq-pending"));
	ck_assert_ptr_null(strstr(out, "--cpu-flags '")); /* no flags noted */
	free(out);
	/* The lgkvm run that used both options: nothing to say. */
	write_trace(path_b, "# lgkvm-trace 1 kernel=\"k\" options=\"run --boot-as-launcher "
			    "--sticky-irq-pending k\"\n"
			    "0 0.1 pf vaddr=0x100000 err=0 eip=0x100000 result=fixed\n");
	ck_assert_int_eq(run_trace_captured("compare", path_a, path_b, NULL), 0);
	out = slurp(out_path);
	ck_assert_ptr_null(strstr(out, "   note:"));
	free(out);
	remove_files();
}
END_TEST

static Suite *trace_align_suite(void)
{
	Suite *s = suite_create("trace_align");
	TCase *al = tcase_create("align");
	tcase_add_test(al, test_identical_and_empty);
	tcase_add_test(al, test_insert_delete_substitute);
	tcase_add_test(al, test_minimal_is_longest);
	tcase_add_test(al, test_equal_keys_checked);
	tcase_add_test(al, test_cost_limit_stays_valid);
	tcase_add_test(al, test_patience_anchors);
	tcase_add_test(al, test_patience_ignores_far_coincidence);
	suite_add_tcase(s, al);
	TCase *cmp = tcase_create("compare");
	tcase_add_test(cmp, test_masked_fields);
	tcase_add_test(cmp, test_one_sided_fields_and_synthetic_init);
	tcase_add_test(cmp, test_ratios_and_divergences);
	tcase_add_test(cmp, test_garbage_args_masked);
	tcase_add_test(cmp, test_frames_masked);
	tcase_add_test(cmp, test_paced_split);
	tcase_add_test(cmp, test_cli_exit_status);
	tcase_add_test(cmp, test_cli_guest_paced_ratio);
	tcase_add_test(cmp, test_cli_timer_divergences_shown_last);
	tcase_add_test(cmp, test_cli_exact);
	tcase_add_test(cmp, test_cli_cpu_flags_hint);
	tcase_add_test(cmp, test_cli_option_hints);
	suite_add_tcase(s, cmp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_align_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
