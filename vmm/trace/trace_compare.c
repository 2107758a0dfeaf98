/*
 * `lgkvm trace compare A B`: aligns the two traces kind by kind on the
 * fields that should agree, then reports counts, match ratios, the first
 * divergences with context, and per-kind count tables side by side.
 * COMPARE.md documents the masks and the ratio.
 */
#include "vmm/trace/trace_compare.h"

#include <stdlib.h>
#include <string.h>

#include "vmm/trace/trace_tools.h"

#define NR_BUCKETS 257 /* per-number presence: 0..255, then "256 and up" */
#define HUNK_LINES_MAX 8 /* unmatched events shown per side of a divergence */
#define SLOT_BITS ((1u << TRACE_FIELDS) - 1) /* the v[] fields among the mask bits */

static unsigned nr_bucket(uint32_t nr)
{
	return nr < 256 ? nr : 256;
}

/* A kind's events by number (pf: by outcome), NR_BUCKETS counts. */
static void count_by(const struct trace *t, enum trace_kind k, bool by_outcome, size_t *out)
{
	memset(out, 0, NR_BUCKETS * sizeof(*out));
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].kind == k)
			out[by_outcome ? t->ev[i].outcome % NR_BUCKETS : nr_bucket(t->ev[i].nr)]++;
}

/* What each aligned kind compares before any mask. */
static uint8_t kind_fields(enum trace_kind k)
{
	switch (k) {
	case TK_HCALL:
		return SLOT_BITS | TRACE_CMP_NR | TRACE_CMP_ASYNC;
	case TK_TRAP:
		return (1u << TF_ERR) | (1u << TF_EIP) | (1u << TF_EAX) | (1u << TF_CR2) | TRACE_CMP_NR;
	case TK_DELIVER:
		return (1u << TF_ERR) | (1u << TF_EIP) | TRACE_CMP_NR;
	case TK_IRQ:
		return (1u << TF_IRQ_EIP) | TRACE_CMP_NR;
	case TK_SET_IRQ:
		return TRACE_CMP_NR;
	case TK_PF:
		return (1u << TF_VADDR) | (1u << TF_PF_ERR) | (1u << TF_PF_EIP) | TRACE_CMP_OUTCOME;
	default:
		return 0;
	}
}

/* The v[] slots' names per kind, as the text format spells them. */
static const char *slot_name(enum trace_kind k, unsigned slot)
{
	static const char *const names[TK_KINDS][TRACE_FIELDS] = {
		[TK_HCALL] = { "a1", "a2", "a3", "a4" },
		[TK_TRAP] = { "err", "eip", "eax", "cr2" },
		[TK_DELIVER] = { "err", "eip", NULL, NULL },
		[TK_IRQ_PENDING] = { "more", "halted", "irqen", "eip" },
		[TK_IRQ] = { NULL, NULL, NULL, "eip" },
		[TK_PF] = { "vaddr", "err", "eip", NULL },
	};
	return (unsigned)k < TK_KINDS && slot < TRACE_FIELDS ? names[k][slot] : NULL;
}

void trace_compare_default_opts(struct trace_compare_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kinds = TRACE_CMP_DEFAULT_KINDS;
}

bool trace_hcall_timer_paced(uint32_t nr)
{
	return nr == 9 || nr == 10 || nr == 19;
}

static unsigned stream_of(const struct trace_ev *e)
{
	return e->kind == TK_HCALL && trace_hcall_timer_paced(e->nr) ? TRACE_STREAM_PACED
								      : TRACE_STREAM_MAIN;
}

static bool is_aligned(const struct trace_ev *e, const struct trace_compare_opts *o)
{
	if (e->kind >= TK_KINDS || !(o->kinds & (1u << e->kind)))
		return false;
	/* lgkvm gets device accesses as KVM MMIO exits, never as faults. */
	return !(e->kind == TK_PF && e->outcome == PF_MMIO && !o->no_mask);
}

/* Which v[] slots some aligned event of each (kind, number) has. */
struct presence {
	uint8_t any[TK_KINDS][NR_BUCKETS];
};

static void find_presence(const struct trace *t, const struct trace_compare_opts *o,
			  struct presence *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_ev *e = &t->ev[i];
		if (is_aligned(e, o))
			p->any[e->kind][nr_bucket(e->nr)] |= e->present;
	}
}

/* The default masks (COMPARE.md: each and why).  A mask takes whole v[]
 * slots out (drop) or compares only some bits of one (keep: 0 for a slot
 * it leaves whole). */
#define S(slot) (1u << (slot))
static const struct mask_rule {
	uint8_t drop;
	uint32_t keep[TRACE_FIELDS];
	bool frames; /* follows allocation order: --exact-frames compares it */
	const char *text;
} mask_rules[TRACE_CMP_MASKS] = {
	[TRACE_MASK_CLOCKEVENT] = { S(TF_A1), { 0 }, false, "SET_CLOCKEVENT a1" },
	[TRACE_MASK_INIT_ARGS] = { S(TF_A2) | S(TF_A3) | S(TF_A4), { 0 }, false,
				   "LGUEST_INIT a2,a3,a4" },
	[TRACE_MASK_SEND_INTERRUPTS] = { S(TF_A1) | S(TF_A2) | S(TF_A3) | S(TF_A4), { 0 }, false,
					 "SEND_INTERRUPTS a1,a2,a3,a4" },
	[TRACE_MASK_SET_PTE] = { S(TF_A1), { 0, 0, 0xfff, 0x80000000u }, true,
				 "SET_PTE a1, a3 but its flags (& 0xfff), a4 but NX (& 0x80000000)" },
	[TRACE_MASK_SET_PMD] = { S(TF_A1), { 0 }, true, "SET_PMD a1" },
	[TRACE_MASK_SET_PGD] = { S(TF_A1), { 0 }, true, "SET_PGD a1" },
	[TRACE_MASK_NEW_PGTABLE] = { S(TF_A1), { 0 }, true, "NEW_PGTABLE a1" },
	[TRACE_MASK_SET_STACK] = { S(TF_A2), { 0 }, true, "SET_STACK a2" },
	[TRACE_MASK_LOAD_TLS] = { S(TF_A1), { 0 }, true, "LOAD_TLS a1" },
	[TRACE_MASK_TRAP_EAX] = { S(TF_EAX), { 0 }, false, "trap eax but for nr=31" },
	[TRACE_MASK_TRAP_CR2] = { S(TF_CR2), { 0 }, false, "trap cr2 but for nr=14" },
	[TRACE_MASK_IRQ_EIP] = { S(TF_IRQ_EIP), { 0 }, false, "irq eip" },
};

/* The slots a rule touches, dropped or cut down to some bits. */
static uint8_t rule_slots(const struct mask_rule *r)
{
	uint8_t s = r->drop;
	for (unsigned i = 0; i < TRACE_FIELDS; i++)
		if (r->keep[i])
			s |= (uint8_t)S(i);
	return s;
}
#undef S

/* The default masks that apply to e (bits of enum trace_cmp_mask). */
static unsigned mask_rules_for(const struct trace_ev *e, const struct trace_compare_opts *o)
{
	unsigned r = 0;

	if (o->no_mask)
		return 0;
	switch (e->kind) {
	case TK_HCALL: {
		int m;
		switch (e->nr) {
		case 1: m = TRACE_MASK_INIT_ARGS; break;
		case 4: m = TRACE_MASK_NEW_PGTABLE; break;
		case 7: m = TRACE_MASK_SET_STACK; break;
		case 9: m = TRACE_MASK_CLOCKEVENT; break;
		case 13: m = TRACE_MASK_SET_PMD; break;
		case 14: m = TRACE_MASK_SET_PTE; break;
		case 15: m = TRACE_MASK_SET_PGD; break;
		case 16: m = TRACE_MASK_LOAD_TLS; break;
		case 19: m = TRACE_MASK_SEND_INTERRUPTS; break;
		default: m = -1; break;
		}
		if (m >= 0 && !(o->exact_frames && mask_rules[m].frames))
			r = 1u << m;
		break;
	}
	case TK_TRAP:
		if (e->nr != 31)
			r |= 1u << TRACE_MASK_TRAP_EAX; /* the hypercall number only at 31 */
		if (e->nr != 14)
			r |= 1u << TRACE_MASK_TRAP_CR2;
		break;
	case TK_IRQ:
		r = 1u << TRACE_MASK_IRQ_EIP; /* where it lands: timing */
		break;
	default:
		break;
	}
	return r;
}

/* An event reduced to its compared fields; zeroed where not compared. */
struct view {
	uint32_t nr;
	uint32_t v[TRACE_FIELDS];
	uint8_t present, flags, outcome, unused;
};

/* e's view after the masks; counts in masked[] (when given) the events
 * each default mask touched. */
static void make_view(const struct trace_ev *e, const struct trace_compare_opts *o,
		      const struct presence *pa, const struct presence *pb, struct view *w,
		      size_t *masked)
{
	uint8_t f = kind_fields(e->kind);
	uint32_t keep[TRACE_FIELDS] = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX };
	unsigned rules = mask_rules_for(e, o);

	for (unsigned m = 0; rules >> m; m++) {
		const struct mask_rule *r = &mask_rules[m];
		if (!(rules & (1u << m)))
			continue;
		f &= (uint8_t)~r->drop;
		for (unsigned s = 0; s < TRACE_FIELDS; s++)
			if (r->keep[s])
				keep[s] &= r->keep[s];
		if (masked && (e->present & rule_slots(r)))
			masked[m]++;
	}
	if (!o->no_mask) {
		/* A field one side never has (an older format, a probe
		 * without it, the synthetic LGUEST_INIT) says nothing. */
		unsigned b = nr_bucket(e->nr);
		f &= (uint8_t)((pa->any[e->kind][b] & pb->any[e->kind][b]) | ~SLOT_BITS);
	}
	f &= (uint8_t)~o->mask[e->kind];

	memset(w, 0, sizeof(*w));
	if (f & TRACE_CMP_NR)
		w->nr = e->nr;
	for (unsigned s = 0; s < TRACE_FIELDS; s++)
		if ((f & (1u << s)) && (e->present & (1u << s))) {
			w->v[s] = e->v[s] & keep[s];
			w->present |= (uint8_t)(1u << s);
		}
	if (f & TRACE_CMP_ASYNC)
		w->flags = e->flags & TRACE_EV_ASYNC;
	if (f & TRACE_CMP_OUTCOME)
		w->outcome = e->outcome;
}

static uint64_t view_key(const struct view *w)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t words[TRACE_FIELDS + 2] = { w->nr, w->v[0], w->v[1], w->v[2], w->v[3],
					     (uint32_t)w->present | (uint32_t)w->flags << 8 |
						     (uint32_t)w->outcome << 16 };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		h = (h ^ words[i]) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

struct views {
	struct view *side[2];
};

static bool same_view(void *ctx, int sx, size_t x, int sy, size_t y)
{
	const struct views *v = ctx;
	return memcmp(&v->side[sx][x], &v->side[sy][y], sizeof(struct view)) == 0;
}

/* The events of one kind and stream on one side: their indices, views
 * and keys. */
static bool collect(const struct trace *t, enum trace_kind k, unsigned stream,
		    const struct trace_compare_opts *o, const struct presence *pa,
		    const struct presence *pb, size_t **idx, size_t *n, struct view **views,
		    uint64_t **keys, struct trace_comparison *c)
{
	size_t count = 0;

	for (size_t i = 0; i < t->n; i++)
		count += t->ev[i].kind == k && is_aligned(&t->ev[i], o) &&
			 stream_of(&t->ev[i]) == stream;
	*idx = malloc((count ? count : 1) * sizeof(**idx));
	*views = malloc((count ? count : 1) * sizeof(**views));
	*keys = malloc((count ? count : 1) * sizeof(**keys));
	if (!*idx || !*views || !*keys)
		return false;
	*n = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_ev *e = &t->ev[i];
		if (e->kind != k || !is_aligned(e, o) || stream_of(e) != stream)
			continue;
		(*idx)[*n] = i;
		make_view(e, o, pa, pb, &(*views)[*n], c->masked);
		(*keys)[*n] = view_key(&(*views)[*n]);
		(*n)++;
	}
	return true;
}

static double ratio(size_t matched, size_t of)
{
	return of ? (double)matched / (double)of : 1.0;
}

static size_t max_size(size_t x, size_t y)
{
	return x > y ? x : y;
}

/* One kind: each of its streams aligned on its own (timing noise in the
 * timer-paced hypercalls cannot pull the guest-paced ones out of line),
 * the kind's counts their sums. */
static bool align_kind(const struct trace *a, const struct trace *b, enum trace_kind k,
		       const struct trace_compare_opts *o, const struct presence *pa,
		       const struct presence *pb, struct trace_comparison *c)
{
	struct trace_kind_match *m = &c->k[k];
	bool ok = true;

	m->nstreams = k == TK_HCALL ? 2 : 1;
	for (unsigned st = 0; ok && st < m->nstreams; st++) {
		struct trace_stream_match *s = &m->s[st];
		struct views v = { { NULL, NULL } };
		uint64_t *ka = NULL, *kb = NULL;
		ok = collect(a, k, st, o, pa, pb, &s->ev_a, &s->n_a, &v.side[0], &ka, c) &&
		     collect(b, k, st, o, pa, pb, &s->ev_b, &s->n_b, &v.side[1], &kb, c) &&
		     trace_align(ka, s->n_a, kb, s->n_b, same_view, &v, o->max_cost, &s->align);
		if (ok) {
			s->matched = s->align.n;
			s->ratio = ratio(s->matched, max_size(s->n_a, s->n_b));
			m->n_a += s->n_a;
			m->n_b += s->n_b;
			m->matched += s->matched;
			c->approximate |= s->align.approximate;
		}
		free(v.side[0]);
		free(v.side[1]);
		free(ka);
		free(kb);
	}
	m->ratio = ratio(m->matched, max_size(m->n_a, m->n_b));
	return ok;
}

/* Where a divergence is in each trace, for ordering them. */
struct div_sort {
	size_t a_pos, b_pos;
	struct trace_divergence d;
};

static int div_order(const void *x, const void *y)
{
	const struct div_sort *p = x, *q = y;
	if (p->a_pos != q->a_pos)
		return p->a_pos < q->a_pos ? -1 : 1;
	if (p->b_pos != q->b_pos)
		return p->b_pos < q->b_pos ? -1 : 1;
	if (p->d.kind != q->d.kind)
		return (int)p->d.kind - (int)q->d.kind;
	return (int)p->d.stream - (int)q->d.stream;
}

static size_t position(const size_t *ev, size_t from, size_t to, const struct trace_stream_match *m,
		       size_t pair, bool side_a, size_t end)
{
	if (from < to)
		return ev[from];
	if (pair < m->align.n)
		return ev[side_a ? m->align.pairs[pair].a : m->align.pairs[pair].b];
	return end;
}

/* The runs of unmatched events between matched ones, all kinds and
 * streams, in trace order (by A, then B). */
static bool find_divergences(const struct trace *a, const struct trace *b,
			     struct trace_comparison *c)
{
	struct div_sort *all = NULL;
	size_t n = 0, cap = 0;

	for (unsigned k = 0; k < TK_KINDS; k++) {
		if (!(c->kinds & (1u << k)))
			continue;
		for (unsigned st = 0; st < c->k[k].nstreams; st++) {
			const struct trace_stream_match *m = &c->k[k].s[st];
			size_t next_a = 0, next_b = 0;
			for (size_t p = 0; p <= m->align.n; p++) {
				size_t at_a = p < m->align.n ? m->align.pairs[p].a : m->n_a;
				size_t at_b = p < m->align.n ? m->align.pairs[p].b : m->n_b;
				if (at_a > next_a || at_b > next_b) {
					if (n == cap) {
						cap = cap ? cap * 2 : 64;
						struct div_sort *more = realloc(all, cap * sizeof(*all));
						if (!more) {
							free(all);
							return false;
						}
						all = more;
					}
					struct trace_divergence d = { (enum trace_kind)k, st, next_a,
								      at_a, next_b, at_b, p };
					all[n++] = (struct div_sort){
						position(m->ev_a, next_a, at_a, m, p, true, a->n),
						position(m->ev_b, next_b, at_b, m, p, false, b->n), d
					};
				}
				next_a = at_a + 1;
				next_b = at_b + 1;
			}
		}
	}
	if (n)
		qsort(all, n, sizeof(*all), div_order);
	c->div = malloc((n ? n : 1) * sizeof(*c->div));
	if (!c->div) {
		free(all);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		c->div[i] = all[i].d;
	c->ndiv = n;
	free(all);
	return true;
}

bool trace_compare(const struct trace *a, const struct trace *b,
		   const struct trace_compare_opts *o, struct trace_comparison *c)
{
	struct presence *pa = malloc(sizeof(*pa)), *pb = malloc(sizeof(*pb));
	bool ok = pa && pb;

	memset(c, 0, sizeof(*c));
	c->kinds = o->kinds & TRACE_CMP_DEFAULT_KINDS;
	if (ok) {
		find_presence(a, o, pa);
		find_presence(b, o, pb);
		/* For the report: what the presence mask takes out. */
		for (unsigned k = 0; k < TK_KINDS && !o->no_mask; k++)
			for (unsigned nr = 0; nr < NR_BUCKETS; nr++) {
				uint8_t f = kind_fields((enum trace_kind)k) & SLOT_BITS;
				c->one_sided[0][k][nr] = pa->any[k][nr] & (uint8_t)~pb->any[k][nr] & f;
				c->one_sided[1][k][nr] = pb->any[k][nr] & (uint8_t)~pa->any[k][nr] & f;
			}
		for (size_t i = 0; i < a->n; i++)
			c->mmio_pf[0] += a->ev[i].kind == TK_PF && a->ev[i].outcome == PF_MMIO;
		for (size_t i = 0; i < b->n; i++)
			c->mmio_pf[1] += b->ev[i].kind == TK_PF && b->ev[i].outcome == PF_MMIO;
	}
	for (unsigned k = 0; ok && k < TK_KINDS; k++) {
		struct trace_kind_match *m = &c->k[k];
		if (!(c->kinds & (1u << k)))
			continue;
		ok = align_kind(a, b, (enum trace_kind)k, o, pa, pb, c);
		c->matched += m->matched;
		c->compared += max_size(m->n_a, m->n_b);
	}
	c->ratio = ratio(c->matched, c->compared);
	ok = ok && find_divergences(a, b, c);
	free(pa);
	free(pb);
	if (!ok)
		trace_comparison_free(c);
	return ok;
}

void trace_comparison_free(struct trace_comparison *c)
{
	for (unsigned k = 0; k < TK_KINDS; k++)
		for (unsigned st = 0; st < TRACE_STREAMS; st++) {
			free(c->k[k].s[st].ev_a);
			free(c->k[k].s[st].ev_b);
			trace_align_free(&c->k[k].s[st].align);
		}
	free(c->div);
	memset(c, 0, sizeof(*c));
}

/* ---- the report ---- */

/* One event as a text trace line: "SEQ SECONDS KIND key=value ..." (an
 * ftrace event's SEQ is its line number in that file). */
static void print_event(FILE *out, const char *prefix, const struct trace *t, size_t i,
			const struct trace *other, size_t other_i)
{
	const struct trace_ev *e = &t->ev[i];
	enum trace_kind k = e->kind < TK_KINDS ? (enum trace_kind)e->kind : TK_OTHER;

	fprintf(out, "%s%s%llu %llu.%09llu %s", prefix, t->source == TRACE_SRC_FTRACE ? "line " : "",
		(unsigned long long)e->seq, (unsigned long long)(e->t_ns / 1000000000u),
		(unsigned long long)(e->t_ns % 1000000000u), trace_kind_name(k));
	if (k == TK_EXIT) {
		fprintf(out, " cause=%s guest_ns=%llu host_ns=%llu idle_ns=%llu\n",
			trace_exit_cause_name((enum trace_exit_cause)e->nr),
			(unsigned long long)e->guest_ns, (unsigned long long)e->host_ns,
			(unsigned long long)e->idle_ns);
		return;
	}
	if (k != TK_PF && k != TK_OTHER)
		fprintf(out, " nr=%u", e->nr);
	if (k == TK_HCALL)
		fprintf(out, " name=%s", trace_hcall_name(e->nr));
	for (unsigned s = 0; s < TRACE_FIELDS; s++) {
		const char *name = slot_name(k, s);
		if (!name || !(e->present & (1u << s)))
			continue;
		if (k == TK_IRQ_PENDING && s != TF_IRQEN && s != TF_IRQ_EIP)
			fprintf(out, " %s=%d", name, (int32_t)e->v[s]);
		else
			fprintf(out, " %s=%#x", name, e->v[s]);
	}
	if (k == TK_HCALL)
		fprintf(out, " src=%s%s", e->flags & TRACE_EV_ASYNC ? "async" : "sync",
			e->flags & TRACE_EV_SYNTHETIC ? " synthetic" : "");
	if (k == TK_PF)
		fprintf(out, " result=%s", trace_pf_outcome_name((enum trace_pf_outcome)e->outcome));
	/* A matched event: where its partner is in B. */
	if (other)
		fprintf(out, "   [B %s%llu]", other->source == TRACE_SRC_FTRACE ? "line " : "",
			(unsigned long long)other->ev[other_i].seq);
	fputc('\n', out);
}

static void describe(FILE *out, const char *label, const char *path, const struct trace *t)
{
	static const char *const sources[] = { "lgkvm text", "lgkvm JSON lines",
					       "ftrace (in-kernel lguest)" };
	fprintf(out, "%s: %s: %s", label, path, sources[t->source]);
	if (t->source != TRACE_SRC_FTRACE)
		fprintf(out, " v%d", t->version);
	fprintf(out, ", %zu events", t->n);
	if (t->lost_events)
		fprintf(out, ", %llu lost", (unsigned long long)t->lost_events);
	if (t->skipped_lines)
		fprintf(out, ", %llu line%s skipped (other events, malformed)",
			(unsigned long long)t->skipped_lines, t->skipped_lines == 1 ? "" : "s");
	fputc('\n', out);
	if (t->header)
		fprintf(out, "   %s\n", t->header);
	if (t->host_cpu_flags)
		fprintf(out, "   host cpu flags: %s\n", t->host_cpu_flags);
}

/* lgkvm options that make a guest run as under an lguest 4.10 Host, and
 * what in an in-kernel trace shows that its Host did what they do. */
static bool lgkvm_ran_with(const struct trace *lg, const char *option)
{
	return lg->header && strstr(lg->header, option);
}

#define HCALL_SEND_INTERRUPTS 19 /* LHCALL_SEND_INTERRUPTS */

/* A bzImage's decompressor runs at 1 MiB, below any i386 kernel. */
static bool ran_decompressor(const struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].kind == TK_PF && (t->ev[i].present & (1u << TF_PF_EIP)) &&
		    t->ev[i].v[TF_PF_EIP] < 0x1000000u)
			return true;
	return false;
}

/* Each hint names what differs and the option that removes it. */
static void hint_options(FILE *out, const struct trace t[2])
{
	for (int s = 0; s < 2; s++) {
		const struct trace *in = &t[s], *lg = &t[!s];
		char a = s ? 'B' : 'A', b = s ? 'A' : 'B';
		if (in->source != TRACE_SRC_FTRACE || lg->source == TRACE_SRC_FTRACE)
			continue;
		if (in->host_cpu_flags && !lgkvm_ran_with(lg, "--cpu-flags"))
			fprintf(out, "   note: %c's host CPU flags are known and %c ran without them: "
				     "lgkvm run --cpu-flags '%s' shows the guest the same CPU features\n",
				a, b, in->host_cpu_flags);
		if (ran_decompressor(in) && !ran_decompressor(lg) &&
		    !lgkvm_ran_with(lg, "--boot-as-launcher"))
			fprintf(out, "   note: %c's guest ran the bzImage's own decompressor (faults "
				     "below 16 MiB): lgkvm run --boot-as-launcher loads it so too\n", a);
		size_t in_n[NR_BUCKETS], lg_n[NR_BUCKETS];
		count_by(in, TK_HCALL, false, in_n);
		count_by(lg, TK_HCALL, false, lg_n);
		size_t in_si = in_n[HCALL_SEND_INTERRUPTS], lg_si = lg_n[HCALL_SEND_INTERRUPTS];
		if (in_si >= 1000 && in_si > 10 * lg_si && !lgkvm_ran_with(lg, "--sticky-irq-pending"))
			fprintf(out, "   note: %zu SEND_INTERRUPTS in %c against %zu in %c: lguest 4.10 "
				     "never cleared irq_pending; lgkvm run --sticky-irq-pending does "
				     "the same\n", in_si, a, lg_si, b);
	}
}

static void print_kind_counts(FILE *out, const struct trace *a, const struct trace *b)
{
	size_t ca[TK_KINDS] = { 0 }, cb[TK_KINDS] = { 0 };

	for (size_t i = 0; i < a->n; i++)
		ca[a->ev[i].kind < TK_KINDS ? a->ev[i].kind : TK_OTHER]++;
	for (size_t i = 0; i < b->n; i++)
		cb[b->ev[i].kind < TK_KINDS ? b->ev[i].kind : TK_OTHER]++;
	fprintf(out, "\n%-14s %12s %12s %12s\n", "events", "A", "B", "B-A");
	for (unsigned k = 0; k < TK_KINDS; k++)
		if (ca[k] || cb[k])
			fprintf(out, "%-14s %12zu %12zu %+12lld\n", trace_kind_name((enum trace_kind)k),
				ca[k], cb[k], (long long)cb[k] - (long long)ca[k]);
}

static void print_masks(FILE *out, const struct trace_comparison *c,
			const struct trace_compare_opts *o)
{
	fprintf(out, "\nnot compared: seq, time");
	if (o->no_mask) {
		fprintf(out, " (--no-mask: every other field is)\n");
	} else {
		if (c->mmio_pf[0] || c->mmio_pf[1])
			fprintf(out, "; pf result=mmio, counted only (A %zu, B %zu)", c->mmio_pf[0],
				c->mmio_pf[1]);
		for (unsigned m = 0; m < TRACE_CMP_MASKS; m++)
			if (c->masked[m])
				fprintf(out, "; %s (%zu event%s)", mask_rules[m].text, c->masked[m],
					c->masked[m] == 1 ? "" : "s");
		fputc('\n', out);
		bool frames = false;
		for (unsigned m = 0; m < TRACE_CMP_MASKS; m++)
			frames |= mask_rules[m].frames && c->masked[m];
		if (frames)
			fprintf(out, "  (SET_PTE, SET_PMD, SET_PGD, NEW_PGTABLE, SET_STACK, LOAD_TLS: "
				     "physical frames and per-task kernel addresses follow allocation "
				     "order; --exact-frames compares them)\n");
		/* Fields one trace never has for an event (kind, number). */
		for (int side = 0; side < 2; side++)
			for (unsigned k = 0; k < TK_KINDS; k++)
				for (unsigned nr = 0; nr < NR_BUCKETS; nr++) {
					uint8_t m = c->one_sided[side][k][nr];
					const char *sep = "";
					if (!m || !(c->kinds & (1u << k)))
						continue;
					fprintf(out, "  only in %c: %s", side ? 'B' : 'A',
						trace_kind_name((enum trace_kind)k));
					if (k != TK_PF)
						fprintf(out, " nr=%u%s%s", nr, k == TK_HCALL ? " " : "",
							k == TK_HCALL ? trace_hcall_name(nr) : "");
					fputc(' ', out);
					for (unsigned s = 0; s < TRACE_FIELDS; s++)
						if (m & (1u << s)) {
							fprintf(out, "%s%s", sep, slot_name((enum trace_kind)k, s));
							sep = ",";
						}
					fputc('\n', out);
				}
	}
	for (unsigned k = 0; k < TK_KINDS; k++) {
		const char *sep = "";
		if (!o->mask[k])
			continue;
		fprintf(out, "  --mask %s:", trace_kind_name((enum trace_kind)k));
		for (unsigned s = 0; s < TRACE_FIELDS; s++)
			if (o->mask[k] & (1u << s)) {
				fprintf(out, "%s%s", sep, slot_name((enum trace_kind)k, s));
				sep = ",";
			}
		if (o->mask[k] & TRACE_CMP_NR)
			fprintf(out, "%snr", sep), sep = ",";
		if (o->mask[k] & TRACE_CMP_ASYNC)
			fprintf(out, "%ssrc", sep), sep = ",";
		if (o->mask[k] & TRACE_CMP_OUTCOME)
			fprintf(out, "%sresult", sep);
		fputc('\n', out);
	}
}

/* A stream's name in the report: only hcall has two. */
static const char *stream_name(unsigned kind, unsigned stream)
{
	if (kind != TK_HCALL)
		return trace_kind_name((enum trace_kind)kind);
	return stream == TRACE_STREAM_PACED ? "timer-paced" : "guest-paced";
}

static void print_matches(FILE *out, const struct trace_comparison *c)
{
	fprintf(out, "\n%-14s %12s %12s %12s %8s\n", "aligned", "A", "B", "matched", "ratio");
	for (unsigned k = 0; k < TK_KINDS; k++) {
		const struct trace_kind_match *m = &c->k[k];
		if (!(c->kinds & (1u << k)))
			continue;
		if (!m->n_a && !m->n_b)
			fprintf(out, "%-14s %12d %12d %12d %8s\n", trace_kind_name((enum trace_kind)k),
				0, 0, 0, "-");
		else
			fprintf(out, "%-14s %12zu %12zu %12zu %7.2f%%\n",
				trace_kind_name((enum trace_kind)k), m->n_a, m->n_b, m->matched,
				100.0 * m->ratio);
		for (unsigned st = 0; m->nstreams > 1 && st < m->nstreams; st++) {
			const struct trace_stream_match *s = &m->s[st];
			if (!s->n_a && !s->n_b)
				fprintf(out, "  %-12s %12d %12d %12d %8s\n", stream_name(k, st), 0, 0, 0,
					"-");
			else
				fprintf(out, "  %-12s %12zu %12zu %12zu %7.2f%%\n", stream_name(k, st),
					s->n_a, s->n_b, s->matched, 100.0 * s->ratio);
		}
	}
	fprintf(out, "%-14s %12s %12s %12zu %7.2f%%  (of %zu)\n", "all", "", "", c->matched,
		100.0 * c->ratio, c->compared);
	fprintf(out, "ratio = matched / max(A, B), per kind; all = sum(matched) / sum(max(A, B))\n");
	if (c->kinds & (1u << TK_HCALL))
		fprintf(out, "hcall: guest-paced and timer-paced (SET_CLOCKEVENT, SEND_INTERRUPTS, "
			     "HALT) aligned each on its own; hcall = their sums\n");
	if (c->approximate)
		fprintf(out, "note: an alignment hit its cost limit: matched counts are a lower bound "
			     "(--exact finds the longest)\n");
}

static void print_divergence(FILE *out, const struct trace *a, const struct trace *b,
			     const struct trace_comparison *c, size_t i, unsigned context)
{
	const struct trace_divergence *d = &c->div[i];
	const struct trace_stream_match *m = &c->k[d->kind].s[d->stream];
	size_t from = d->pair > context ? d->pair - context : 0;
	size_t to = d->pair + context < m->align.n ? d->pair + context : m->align.n;

	fprintf(out, "\ndivergence %zu of %zu (%s%s%s): %zu in A, %zu in B\n", i + 1, c->ndiv,
		trace_kind_name(d->kind), c->k[d->kind].nstreams > 1 ? ", " : "",
		c->k[d->kind].nstreams > 1 ? stream_name(d->kind, d->stream) : "",
		d->a_to - d->a_from, d->b_to - d->b_from);
	for (size_t p = from; p < d->pair; p++)
		print_event(out, "    A ", a, m->ev_a[m->align.pairs[p].a], b,
			    m->ev_b[m->align.pairs[p].b]);
	for (size_t j = d->a_from; j < d->a_to; j++) {
		if (j - d->a_from == HUNK_LINES_MAX) {
			fprintf(out, "  - ... %zu more in A\n", d->a_to - j);
			break;
		}
		print_event(out, "  - A ", a, m->ev_a[j], NULL, 0);
	}
	for (size_t j = d->b_from; j < d->b_to; j++) {
		if (j - d->b_from == HUNK_LINES_MAX) {
			fprintf(out, "  + ... %zu more in B\n", d->b_to - j);
			break;
		}
		print_event(out, "  + B ", b, m->ev_b[j], NULL, 0);
	}
	for (size_t p = d->pair; p < to; p++)
		print_event(out, "    A ", a, m->ev_a[m->align.pairs[p].a], b,
			    m->ev_b[m->align.pairs[p].b]);
}

/* Counts by number for one kind (and pf outcomes), side by side. */
static void print_table(FILE *out, const struct trace *a, const struct trace *b,
			enum trace_kind k, const char *title)
{
	size_t ca[NR_BUCKETS], cb[NR_BUCKETS];
	bool by_outcome = k == TK_PF, any = false;

	count_by(a, k, by_outcome, ca);
	count_by(b, k, by_outcome, cb);
	for (unsigned i = 0; i < NR_BUCKETS; i++)
		any |= ca[i] || cb[i];
	if (!any)
		return;
	fprintf(out, "\n%-22s %12s %12s %12s\n", title, "A", "B", "B-A");
	for (unsigned i = 0; i < NR_BUCKETS; i++) {
		char label[40];
		if (!ca[i] && !cb[i])
			continue;
		if (by_outcome)
			snprintf(label, sizeof(label), "%s", trace_pf_outcome_name((enum trace_pf_outcome)i));
		else if (i == 256)
			snprintf(label, sizeof(label), "256 and up");
		else if (k == TK_HCALL)
			snprintf(label, sizeof(label), "%3u %s", i, trace_hcall_name(i));
		else
			snprintf(label, sizeof(label), "%3u", i);
		fprintf(out, "  %-20s %12zu %12zu %+12lld\n", label, ca[i], cb[i],
			(long long)cb[i] - (long long)ca[i]);
	}
}

/* ---- the command line ---- */

static const char usage[] =
	"usage: lgkvm trace compare A B [--min-match PCT] [--min-match-paced PCT]\n"
	"                               [--context N] [--divergences N] [--kinds LIST]\n"
	"                               [--mask KIND:FIELD,...] [--exact-frames] [--no-mask]\n"
	"                               [--exact]\n"
	"  A, B: lgkvm traces (text or JSON lines) or the in-kernel lguest's ftrace text,\n"
	"        plain, gzip or xz\n"
	"  --min-match PCT   exit 1 when the hypercall match ratio is below PCT percent\n"
	"  --min-match-paced PCT\n"
	"                    exit 1 when the guest-paced hypercalls' ratio (all but\n"
	"                    SET_CLOCKEVENT, SEND_INTERRUPTS, HALT) is below PCT percent\n"
	"  --context N       matched events shown around each divergence (3)\n"
	"  --divergences N   divergences shown (5)\n"
	"  --kinds LIST      kinds aligned: hcall,trap,deliver,irq,set_irq,pf (all)\n"
	"  --mask LIST       more fields never compared, e.g. trap:eip,hcall:a2\n"
	"  --exact-frames    compare physical frames and per-task kernel addresses too\n"
	"                    (SET_PTE a1 and frame, SET_PMD/SET_PGD/NEW_PGTABLE a1,\n"
	"                    SET_STACK a2, LOAD_TLS a1)\n"
	"  --no-mask         compare every field, timer delta, garbage args and MMIO\n"
	"                    faults too\n"
	"  --exact           no cost limit: the longest common subsequence, however\n"
	"                    long two very different traces take\n"
	"see vmm/trace/COMPARE.md for the masks and the ratio\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "lgkvm trace compare: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (lgkvm trace compare --help)\n");
	return 2;
}

static bool parse_count(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v > 1000000 || *s == '-')
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_kinds(const char *list, unsigned *kinds)
{
	char buf[256], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	*kinds = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int k = trace_kind_from_name(w);
		if (!strcmp(w, "all"))
			*kinds |= TRACE_CMP_DEFAULT_KINDS;
		else if (k >= 0 && (TRACE_CMP_DEFAULT_KINDS & (1u << k)))
			*kinds |= 1u << k;
		else
			return false;
	}
	return *kinds != 0;
}

static int mask_bit(enum trace_kind k, const char *field)
{
	if (!strcmp(field, "nr"))
		return TRACE_CMP_NR;
	if (k == TK_HCALL && (!strcmp(field, "src") || !strcmp(field, "async")))
		return TRACE_CMP_ASYNC;
	if (k == TK_PF && (!strcmp(field, "result") || !strcmp(field, "outcome")))
		return TRACE_CMP_OUTCOME;
	for (unsigned s = 0; s < TRACE_FIELDS; s++)
		if (slot_name(k, s) && !strcmp(slot_name(k, s), field) &&
		    (kind_fields(k) & (1u << s)))
			return 1 << s;
	return -1;
}

static bool parse_masks(const char *list, uint8_t *mask)
{
	char buf[512], *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return false;
	strcpy(buf, list);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(w, ':');
		if (!colon)
			return false;
		*colon = '\0';
		int k = trace_kind_from_name(w), bit;
		if (k < 0 || !(TRACE_CMP_DEFAULT_KINDS & (1u << k)) ||
		    (bit = mask_bit((enum trace_kind)k, colon + 1)) < 0)
			return false;
		mask[k] |= (uint8_t)bit;
	}
	return true;
}

int trace_cmd_compare(int argc, char **argv)
{
	struct trace_compare_opts o;
	const char *paths[2] = { NULL, NULL };
	unsigned context = 3, ndiv = 5, npaths = 0;
	double min_match = -1, min_paced = -1;

	trace_compare_default_opts(&o);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		const char *eq = strncmp(arg, "--", 2) ? NULL : strchr(arg, '=');
		char opt[32];
		if (strncmp(arg, "--", 2) || !arg[2]) {
			if (npaths == 2)
				return bad_usage("one trace too many: %s", arg);
			paths[npaths++] = arg;
			continue;
		}
		snprintf(opt, sizeof(opt), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		if (!strcmp(opt, "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(opt, "--no-mask")) {
			o.no_mask = true;
			continue;
		}
		if (!strcmp(opt, "--exact-frames")) {
			o.exact_frames = true;
			continue;
		}
		if (!strcmp(opt, "--exact")) {
			o.max_cost = TRACE_ALIGN_MINIMAL;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return bad_usage("%s needs a value", opt);
		if (!strcmp(opt, "--min-match") || !strcmp(opt, "--min-match-paced")) {
			bool paced = !strcmp(opt, "--min-match-paced");
			char *end;
			double pct = strtod(val, &end);
			if (!*val || *end || !(pct >= 0 && pct <= 100))
				return bad_usage(paced ? "--min-match-paced takes a percentage, not %s"
						       : "--min-match takes a percentage, not %s",
						 val);
			*(paced ? &min_paced : &min_match) = pct;
		} else if (!strcmp(opt, "--context")) {
			if (!parse_count(val, &context))
				return bad_usage("--context takes a count, not %s", val);
		} else if (!strcmp(opt, "--divergences")) {
			if (!parse_count(val, &ndiv))
				return bad_usage("--divergences takes a count, not %s", val);
		} else if (!strcmp(opt, "--kinds")) {
			if (!parse_kinds(val, &o.kinds))
				return bad_usage("--kinds: %s is not a list of hcall,trap,deliver,irq,set_irq,pf", val);
		} else if (!strcmp(opt, "--mask")) {
			if (!parse_masks(val, o.mask))
				return bad_usage("--mask: %s is not a list of KIND:FIELD", val);
		} else {
			return bad_usage("unknown option %s", opt);
		}
	}
	if (npaths != 2)
		return bad_usage("%s", "two traces needed, A and B");
	if ((min_match >= 0 || min_paced >= 0) && !(o.kinds & (1u << TK_HCALL)))
		return bad_usage("%s", min_match >= 0 ? "--min-match checks hypercalls: keep hcall in --kinds"
						      : "--min-match-paced checks hypercalls: keep hcall in --kinds");

	struct trace t[2];
	for (int s = 0; s < 2; s++)
		if (!trace_load_for("compare", paths[s], &t[s])) {
			if (s)
				trace_free(&t[0]);
			return 2;
		}

	struct trace_comparison c;
	int rc = 0;
	if (!trace_compare(&t[0], &t[1], &o, &c)) {
		fprintf(stderr, "lgkvm trace compare: out of memory\n");
		trace_free(&t[0]);
		trace_free(&t[1]);
		return 2;
	}
	FILE *out = stdout;
	describe(out, "A", paths[0], &t[0]);
	describe(out, "B", paths[1], &t[1]);
	hint_options(out, t);
	print_kind_counts(out, &t[0], &t[1]);
	print_masks(out, &c, &o);
	print_matches(out, &c);
	const struct trace_kind_match *h = &c.k[TK_HCALL];
	const struct trace_stream_match *g = &h->s[TRACE_STREAM_MAIN];
	if (o.kinds & (1u << TK_HCALL)) {
		fprintf(out, "\nhypercall match %.2f%% (%zu of %zu), all compared events %.2f%%\n",
			100.0 * h->ratio, h->matched, max_size(h->n_a, h->n_b), 100.0 * c.ratio);
		fprintf(out, "guest-paced hypercalls %.2f%% (%zu of %zu): without SET_CLOCKEVENT, "
			     "SEND_INTERRUPTS, HALT (their number follows the timer)\n",
			100.0 * g->ratio, g->matched, max_size(g->n_a, g->n_b));
	} else
		fprintf(out, "\nall compared events %.2f%%\n", 100.0 * c.ratio);

	fprintf(out, "\n%zu divergence%s", c.ndiv, c.ndiv == 1 ? "" : "s");
	if (c.ndiv > ndiv)
		fprintf(out, " (the first %u shown, timer-paced hypercalls last)", ndiv);
	fprintf(out, "; around each: matched events of its kind (A, [its B]), '-' only in A, '+' only in B\n");
	/* Timer-paced runs say how long each run took, not what the Host did:
	 * the others first, so the first divergences shown are the telling
	 * ones. */
	unsigned shown = 0;
	for (int timer = 0; timer < 2; timer++)
		for (size_t i = 0; i < c.ndiv && shown < ndiv; i++) {
			bool is_timer = c.div[i].kind == TK_HCALL &&
					c.div[i].stream == TRACE_STREAM_PACED;
			if (is_timer == (timer == 1)) {
				print_divergence(out, &t[0], &t[1], &c, i, context);
				shown++;
			}
		}

	print_table(out, &t[0], &t[1], TK_HCALL, "hypercalls");
	print_table(out, &t[0], &t[1], TK_TRAP, "traps by vector");
	print_table(out, &t[0], &t[1], TK_PF, "page faults by result");
	print_table(out, &t[0], &t[1], TK_IRQ, "interrupts by line");
	print_table(out, &t[0], &t[1], TK_SET_IRQ, "interrupts raised");
	print_table(out, &t[0], &t[1], TK_DELIVER, "deliveries by vector");

	/* No hypercalls on either side vouches for nothing.  Both checks
	 * failing still make one line. */
	char why[2][160];
	int nwhy = 0;
	if (min_match >= 0 && !h->n_a && !h->n_b)
		snprintf(why[nwhy++], sizeof(why[0]), "no hypercalls in either trace (--min-match %g%%)",
			 min_match);
	else if (min_match >= 0 && 100.0 * h->ratio < min_match)
		snprintf(why[nwhy++], sizeof(why[0]), "hypercall match %.2f%% is below --min-match %g%%",
			 100.0 * h->ratio, min_match);
	if (min_paced >= 0 && !g->n_a && !g->n_b)
		snprintf(why[nwhy++], sizeof(why[0]),
			 "no guest-paced hypercalls in either trace (--min-match-paced %g%%)", min_paced);
	else if (min_paced >= 0 && 100.0 * g->ratio < min_paced)
		snprintf(why[nwhy++], sizeof(why[0]),
			 "guest-paced hypercalls %.2f%% is below --min-match-paced %g%%", 100.0 * g->ratio,
			 min_paced);
	if (nwhy) {
		fprintf(stderr, "lgkvm trace compare: FAIL: %s%s%s\n", why[0], nwhy > 1 ? "; " : "",
			nwhy > 1 ? why[1] : "");
		rc = 1;
	}
	trace_comparison_free(&c);
	trace_free(&t[0]);
	trace_free(&t[1]);
	return rc;
}
