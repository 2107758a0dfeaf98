/*
 * The in-kernel lguest Host traced with ftrace kprobe events (group
 * "lguest", definitions in COMPARE.md), as the `trace` or `trace_pipe`
 * file prints them:
 *
 *   lguest-1234  [000] d..1   123.456789: hcall: (do_hcall+0x0/0x2a0) nr=9 a1=0x3b9aca0 ...
 *
 * Everything else ftrace may print (other events, other probe groups,
 * printk) is skipped and counted, never an error: a trace is captured on a
 * busy host.  The lguest Host does not say everything lgkvm writes, so
 * some events are inferred (LGUEST_INIT, a page fault's outcome); how is
 * told where it is done.
 */
#include "vmm/trace/trace_model.h"

#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)
#define MAX_FIELDS 16

struct ftrace_reader {
	struct trace *t;
	bool have_t0;
	uint64_t t0, now; /* first and latest timestamp, ns */
	bool seen_hcall, init_made;
	size_t pf_wait_ret;     /* a pf whose pf_ret has not come yet */
	size_t pf_wait_deliver; /* a pf with ret=0: a deliver 14 would make it GUEST */
	unsigned long lineno;
};

struct kv {
	const char *key, *val;
};

struct event_line {
	uint64_t ts_ns;
	const char *name;
	struct kv f[MAX_FIELDS];
	size_t n;
};

/* Decimal or 0x hexadecimal, the whole string; '-' allowed for s32. */
static bool parse_number(const char *s, uint32_t *out)
{
	bool negative = *s == '-';
	uint64_t v;

	if (!trace_parse_u64(s + negative, &v) || v > (negative ? 0x80000000u : UINT32_MAX))
		return false;
	*out = negative ? 0u - (uint32_t)v : (uint32_t)v;
	return true;
}

static const char *skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* "123.456789" (or the integer of a counter clock) to ns; s ends at ':'. */
static bool parse_timestamp(const char *s, const char *end, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	unsigned digits = 0;
	const char *p = s;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (uint64_t)(*p - '0');
		if (sec > UINT64_MAX / 1000000000u - 1)
			return false; /* over 584 years: not a timestamp */
	}
	if (p == s)
		return false;
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				digits++;
			}
	if (p != end)
		return false;
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

/* Cuts the probe's "key=value ..." in place; "(FUNC+OFF/SIZE <- FUNC)"
 * and words without '=' are passed over. */
static void split_fields(char *s, struct event_line *ev)
{
	ev->n = 0;
	while (*s) {
		s += strspn(s, " \t");
		if (*s == '(') {
			char *close = strchr(s, ')');
			s = close ? close + 1 : s + strlen(s);
			continue;
		}
		if (!*s)
			break;
		char *start = s, *eq = NULL;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '=' && !eq)
				eq = s;
			if (*s == '"' && eq) {
				char *q = strchr(s + 1, '"');
				s = q ? q : s + strlen(s) - 1;
			}
			s++;
		}
		if (*s)
			*s++ = '\0';
		if (eq && eq > start && ev->n < MAX_FIELDS) {
			*eq = '\0';
			ev->f[ev->n++] = (struct kv){ start, eq + 1 };
		}
	}
}

/* "COMM-PID [CPU] FLAGS TIMESTAMP: EVENT: fields"; FLAGS may be missing
 * (irq-info off), COMM may hold spaces.  False for anything else. */
static bool parse_event_line(char *line, struct event_line *ev)
{
	char *p = NULL;

	for (char *b = strchr(line, '['); b; b = strchr(b + 1, '[')) {
		char *e = (char *)skip_digits(b + 1);
		if (e != b + 1 && *e == ']') {
			p = e + 1;
			break;
		}
	}
	/* The timestamp: the first word after "[CPU]", or the second when
	 * the flags column is there. */
	for (int word = 0; p && word < 2; word++) {
		p += strspn(p, " \t");
		char *end = p + strcspn(p, " \t");
		if (end > p && end[-1] == ':' && parse_timestamp(p, end - 1, &ev->ts_ns)) {
			p = end;
			break;
		}
		p = word ? NULL : end;
	}
	if (!p)
		return false;
	p += strspn(p, " \t");
	char *name_end = strstr(p, ": ");
	if (!name_end) {
		size_t n = strlen(p);
		if (!n || p[n - 1] != ':')
			return false;
		name_end = p + n - 1;
	}
	if (name_end == p || memchr(p, ' ', (size_t)(name_end - p)))
		return false;
	*name_end = '\0';
	ev->name = p;
	split_fields(name_end[1] ? name_end + 2 : name_end + 1, ev);
	return true;
}

static const char *field(const struct event_line *ev, const char *key)
{
	for (size_t i = 0; i < ev->n; i++)
		if (strcmp(ev->f[i].key, key) == 0)
			return ev->f[i].val;
	return NULL;
}

/* v[slot] from key when there and well formed. */
static void get_slot(const struct event_line *ev, const char *key, struct trace_ev *e, int slot)
{
	const char *s = field(ev, key);
	if (s && parse_number(s, &e->v[slot]))
		e->present |= (uint8_t)(1u << slot);
}

static bool get_nr(const struct event_line *ev, const char *key, struct trace_ev *e)
{
	const char *s = field(ev, key);
	if (!s)
		s = field(ev, "nr");
	return s && parse_number(s, &e->nr);
}

/* What one line comes to: an event (or part of one), a line to skip
 * (another group's, or malformed), or no memory left. */
enum line_result { LINE_OK, LINE_SKIPPED, LINE_OOM };

static enum line_result push(struct ftrace_reader *r, const struct trace_ev *e)
{
	return trace_push(r->t, e) ? LINE_OK : LINE_OOM;
}

static void set_outcome(struct ftrace_reader *r, size_t *slot, enum trace_pf_outcome o)
{
	if (*slot != NONE)
		r->t->ev[*slot].outcome = (uint8_t)o;
	*slot = NONE;
}

/* A trap ends the wait for a pf's outcome: its ret=1/0 should have come
 * (else it was lost: UNKNOWN), and no deliver 14 after a ret=0 means the
 * Host sent the access to the Launcher as MMIO. */
static void next_trap_seen(struct ftrace_reader *r)
{
	set_outcome(r, &r->pf_wait_ret, PF_UNKNOWN);
	set_outcome(r, &r->pf_wait_deliver, PF_MMIO);
}

static enum line_result on_trap(struct ftrace_reader *r, const struct event_line *ev,
			       struct trace_ev *e)
{
	if (!get_nr(ev, "nr", e))
		return LINE_SKIPPED;
	next_trap_seen(r);
	/* Vectors from 32 up (but the system call) are the host's own
	 * interrupts taking the CPU while the guest ran. */
	if (e->nr >= 32 && e->nr != 128) {
		e->kind = TK_HOST_IRQ;
		return push(r, e);
	}
	e->kind = TK_TRAP;
	get_slot(ev, "err", e, TF_ERR);
	get_slot(ev, "eip", e, TF_EIP);
	get_slot(ev, "eax", e, TF_EAX);
	if (e->nr == 14)
		get_slot(ev, "cr2", e, TF_CR2);
	if (push(r, e) != LINE_OK)
		return LINE_OOM;
	/* LGUEST_INIT is run by the Host before do_hcall is ever reached:
	 * the first hypercall trap asking for it stands for it. */
	if (e->nr == 31 && (e->present & (1u << TF_EAX)) && e->v[TF_EAX] == 1 &&
	    !r->seen_hcall && !r->init_made) {
		struct trace_ev init = { .t_ns = e->t_ns, .seq = e->seq, .kind = TK_HCALL,
					 .nr = 1, .flags = TRACE_EV_SYNTHETIC };
		r->init_made = true;
		return push(r, &init);
	}
	return LINE_OK;
}

static bool is_lguest_event(const char *name)
{
	static const char *const names[] = {
		"hcall", "trap", "deliver", "irq", "irq_run", "set_irq", "pf", "pf_ret",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static enum line_result on_event(struct ftrace_reader *r, const struct event_line *ev)
{
	struct trace_ev e = { .seq = r->lineno };
	const char *name = ev->name;

	if (!strncmp(name, "lguest:", 7))
		name += 7;
	if (!is_lguest_event(name))
		return LINE_SKIPPED; /* another event, or another group's probe */
	if (!r->have_t0) {
		r->have_t0 = true;
		r->t0 = ev->ts_ns;
	}
	r->now = ev->ts_ns;
	e.t_ns = ev->ts_ns > r->t0 ? ev->ts_ns - r->t0 : 0;

	if (!strcmp(name, "hcall")) {
		uint32_t args, regs;
		const char *a = field(ev, "args"), *g = field(ev, "regs");
		if (!get_nr(ev, "nr", &e))
			return LINE_SKIPPED;
		e.kind = TK_HCALL;
		get_slot(ev, "a1", &e, TF_A1);
		get_slot(ev, "a2", &e, TF_A2);
		get_slot(ev, "a3", &e, TF_A3);
		get_slot(ev, "a4", &e, TF_A4);
		/* A sync call's args are the saved registers themselves; an
		 * async ring entry is copied out first. */
		if (a && g && parse_number(a, &args) && parse_number(g, &regs) && args != regs)
			e.flags |= TRACE_EV_ASYNC;
		r->seen_hcall = true;
	} else if (!strcmp(name, "trap")) {
		return on_trap(r, ev, &e);
	} else if (!strcmp(name, "deliver")) {
		if (!get_nr(ev, "num", &e))
			return LINE_SKIPPED;
		e.kind = TK_DELIVER;
		get_slot(ev, "err", &e, TF_ERR);
		get_slot(ev, "eip", &e, TF_EIP);
		if (e.nr == 14)
			set_outcome(r, &r->pf_wait_deliver, PF_GUEST);
	} else if (!strcmp(name, "irq")) {
		if (!get_nr(ev, "irq", &e))
			return LINE_SKIPPED;
		e.kind = TK_IRQ_PENDING;
		get_slot(ev, "more", &e, TF_MORE);
		get_slot(ev, "halted", &e, TF_HALTED);
		get_slot(ev, "irqen", &e, TF_IRQEN);
		get_slot(ev, "eip", &e, TF_IRQ_EIP);
	} else if (!strcmp(name, "irq_run")) {
		if (!get_nr(ev, "irq", &e))
			return LINE_SKIPPED;
		e.kind = TK_IRQ;
		get_slot(ev, "eip", &e, TF_IRQ_EIP);
	} else if (!strcmp(name, "set_irq")) {
		if (!get_nr(ev, "irq", &e))
			return LINE_SKIPPED;
		e.kind = TK_SET_IRQ;
	} else if (!strcmp(name, "pf")) {
		e.kind = TK_PF;
		get_slot(ev, "vaddr", &e, TF_VADDR);
		get_slot(ev, "err", &e, TF_PF_ERR);
		get_slot(ev, "eip", &e, TF_PF_EIP);
		if (!(e.present & (1u << TF_VADDR)))
			return LINE_SKIPPED;
		e.outcome = PF_UNKNOWN;
		/* A new fault before the last one's outcome: that one's
		 * lines were lost, its rule still holds. */
		set_outcome(r, &r->pf_wait_ret, PF_UNKNOWN);
		set_outcome(r, &r->pf_wait_deliver, PF_MMIO);
		if (push(r, &e) != LINE_OK)
			return LINE_OOM;
		r->pf_wait_ret = r->t->n - 1;
		return LINE_OK;
	} else { /* pf_ret */
		uint32_t ret;
		const char *s = field(ev, "ret");
		if (r->pf_wait_ret == NONE || !s || !parse_number(s, &ret))
			return LINE_SKIPPED; /* its pf was lost */
		if (ret) {
			set_outcome(r, &r->pf_wait_ret, PF_FIXED);
		} else {
			r->pf_wait_deliver = r->pf_wait_ret;
			r->pf_wait_ret = NONE;
		}
		return LINE_OK;
	}
	return push(r, &e);
}

/* Lost events: what was waiting for them can no longer be told. */
static enum line_result lost(struct ftrace_reader *r, uint64_t count)
{
	struct trace_ev e = { .seq = r->lineno, .kind = TK_LOST,
			      .nr = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count };

	e.t_ns = r->have_t0 && r->now > r->t0 ? r->now - r->t0 : 0;
	set_outcome(r, &r->pf_wait_ret, PF_UNKNOWN);
	set_outcome(r, &r->pf_wait_deliver, PF_UNKNOWN);
	r->t->lost_events += count;
	return push(r, &e);
}

/* "CPU:0 [LOST 1234 EVENTS]"; count 0 when not given. */
static bool lost_marker(const char *s, uint64_t *count)
{
	const char *p = strstr(s, "[LOST ");
	uint32_t n;
	char num[16];
	size_t len;

	if (strncmp(s, "CPU:", 4) || !p)
		return false;
	p += 6;
	len = strspn(p, "0123456789");
	*count = 0;
	if (len && len < sizeof(num)) {
		memcpy(num, p, len);
		num[len] = '\0';
		if (parse_number(num, &n))
			*count = n;
	}
	return true;
}

/* "# entries-in-buffer/entries-written: 1000/5000   #P:4": the ring
 * overwrote the oldest 4000, before the first line printed. */
static bool overwritten(const char *s, uint64_t *count)
{
	const char *p = strstr(s, "entries-in-buffer/entries-written:");
	uint32_t kept, written;
	char a[16], b[16];
	size_t la, lb;

	if (!p)
		return false;
	p += strlen("entries-in-buffer/entries-written:");
	p += strspn(p, " \t");
	la = strspn(p, "0123456789");
	if (!la || la >= sizeof(a) || p[la] != '/')
		return false;
	lb = strspn(p + la + 1, "0123456789");
	if (!lb || lb >= sizeof(b))
		return false;
	memcpy(a, p, la);
	a[la] = '\0';
	memcpy(b, p + la + 1, lb);
	b[lb] = '\0';
	if (!parse_number(a, &kept) || !parse_number(b, &written) || written <= kept)
		return false;
	*count = written - kept;
	return true;
}

/* scripts/lguest-host-trace notes the host's /proc/cpuinfo flags, which
 * `lgkvm run --cpu-flags` takes (compare says so). */
#define HOST_FLAGS_NOTE "# lguest-host-trace: cpu flags:"

static enum line_result host_flags(struct trace *t, const char *flags)
{
	if (t->host_cpu_flags)
		return LINE_OK; /* the first note counts */
	t->host_cpu_flags = strdup(flags + strspn(flags, " \t"));
	return t->host_cpu_flags ? LINE_OK : LINE_OOM;
}

bool trace_read_ftrace(struct trace_lines *in, struct trace *t, char *err, size_t errlen)
{
	struct ftrace_reader r = { .t = t, .pf_wait_ret = NONE, .pf_wait_deliver = NONE };
	struct event_line ev;
	char *line;
	size_t len;
	uint64_t count;

	t->version = 0;
	while ((line = trace_lines_next(in, &len))) {
		enum line_result res = LINE_OK;
		r.lineno = trace_lines_number(in);
		char *s = line + strspn(line, " \t");
		if (!*s)
			continue;
		if (!strncmp(s, "#####", 5) && strstr(s, "buffer started"))
			res = lost(&r, 0);
		else if (!strncmp(s, HOST_FLAGS_NOTE, strlen(HOST_FLAGS_NOTE)))
			res = host_flags(t, s + strlen(HOST_FLAGS_NOTE));
		else if (*s == '#')
			res = overwritten(s, &count) ? lost(&r, count) : LINE_OK;
		else if (lost_marker(s, &count))
			res = lost(&r, count);
		else
			res = parse_event_line(s, &ev) ? on_event(&r, &ev) : LINE_SKIPPED;
		if (res == LINE_SKIPPED)
			t->skipped_lines++;
		if (res == LINE_OOM) {
			snprintf(err, errlen, "line %lu: out of memory", r.lineno);
			return false;
		}
	}
	/* The trace ended before these could be told. */
	set_outcome(&r, &r.pf_wait_ret, PF_UNKNOWN);
	set_outcome(&r, &r.pf_wait_deliver, PF_UNKNOWN);
	return true;
}
