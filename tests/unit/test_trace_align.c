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

static void compare(const struct trace *a, const struct trace *b, bool no_mask,
		    struct trace_comparison *c)
{
	struct trace_compare_opts o;
	trace_compare_default_opts(&o);
	o.no_mask = no_mask;
	ck_assert(trace_compare(a, b, &o, c));
}

START_TEST(test_masked_fields)
{
	struct trace a = { 0 }, b = { 0 };
	struct trace_comparison c;

	/* SET_CLOCKEVENT's delta differs: still the same hypercall. */
	hcall(&a, 9, 1000000, 0, 0);
	hcall(&b, 9, 1000123, 0, 0);
	/* SET_PTE with a different a3 (the pte): a real difference. */
	hcall(&a, 14, 0x1000, 0xc0000000, 0x1067);
	hcall(&b, 14, 0x1000, 0xc0000000, 0x2067);
	/* trap eax is what the guest computed... */
	push_ev(&a, TK_TRAP, 13, 0x7, 0, 0xc0100000, 111, 0);
	push_ev(&b, TK_TRAP, 13, 0x7, 0, 0xc0100000, 222, 0);
	/* ...but the hypercall number at vector 31 */
	push_ev(&a, TK_TRAP, 31, 0x7, 0, 0xc0100004, 14, 0);
	push_ev(&b, TK_TRAP, 31, 0x7, 0, 0xc0100004, 15, 0);
	/* where an interrupt lands is timing */
	push_ev(&a, TK_IRQ, 0, 1u << TF_IRQ_EIP, 0, 0, 0, 0xc0100100);
	push_ev(&b, TK_IRQ, 0, 1u << TF_IRQ_EIP, 0, 0, 0, 0xc0100200);

	compare(&a, &b, false, &c);
	ck_assert_uint_eq(c.k[TK_HCALL].matched, 1);
	ck_assert_uint_eq(a.ev[c.k[TK_HCALL].ev_a[c.k[TK_HCALL].align.pairs[0].a]].nr, 9);
	ck_assert_uint_eq(c.k[TK_TRAP].matched, 1);
	ck_assert_uint_eq(a.ev[c.k[TK_TRAP].ev_a[c.k[TK_TRAP].align.pairs[0].a]].nr, 13);
	ck_assert_uint_eq(c.k[TK_IRQ].matched, 1);
	ck_assert_uint_eq(c.masked_clockevent, 2);
	ck_assert_uint_eq(c.masked_trap_eax, 2);
	ck_assert_uint_eq(c.masked_irq_eip, 2);
	trace_comparison_free(&c);

	/* --no-mask: every field counts. */
	compare(&a, &b, true, &c);
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

	compare(&a, &b, false, &c);
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
		hcall(&a, 14, i, 0, 0);
		if (i == 3)
			continue; /* dropped in B */
		hcall(&b, 14, i, 0, i == 7 ? 1 : 0); /* 7 changed in B */
	}
	for (uint32_t i = 0; i < 4; i++)
		push_ev(&a, TK_TRAP, 14, 0x3, 2, 0xc0000000 + i, 0, 0);
	for (uint32_t i = 0; i < 6; i++)
		push_ev(&b, TK_TRAP, 14, 0x3, 2, 0xc0000000 + i, 0, 0);
	/* counted only */
	push_ev(&a, TK_EXIT, EXIT_HCALL, 0, 0, 0, 0, 0);

	compare(&a, &b, false, &c);
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
	ck_assert_uint_eq(a.ev[c.k[TK_HCALL].ev_a[c.div[0].a_from]].v[TF_A1], 3);
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

/* Runs `lgkvm trace ARGS...` with stdout and stderr silenced. */
static int run_trace(const char *first, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"trace";
	va_start(ap, first);
	for (const char *s = first; s && argc < 15; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	int out = dup(1), err = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	int rc = trace_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	close(null);
	return rc;
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

static Suite *trace_align_suite(void)
{
	Suite *s = suite_create("trace_align");
	TCase *al = tcase_create("align");
	tcase_add_test(al, test_identical_and_empty);
	tcase_add_test(al, test_insert_delete_substitute);
	tcase_add_test(al, test_minimal_is_longest);
	tcase_add_test(al, test_equal_keys_checked);
	tcase_add_test(al, test_cost_limit_stays_valid);
	suite_add_tcase(s, al);
	TCase *cmp = tcase_create("compare");
	tcase_add_test(cmp, test_masked_fields);
	tcase_add_test(cmp, test_one_sided_fields_and_synthetic_init);
	tcase_add_test(cmp, test_ratios_and_divergences);
	tcase_add_test(cmp, test_cli_exit_status);
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
