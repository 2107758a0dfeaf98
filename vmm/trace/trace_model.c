/*
 * The trace event model's names (every output spells a kind, cause or
 * hypercall the same way) and the growable event array.
 */
#include "vmm/trace/trace_model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[TK_KINDS] = {
	[TK_HCALL] = "hcall",
	[TK_TRAP] = "trap",
	[TK_DELIVER] = "deliver",
	[TK_IRQ_PENDING] = "irq_pending",
	[TK_IRQ] = "irq",
	[TK_SET_IRQ] = "set_irq",
	[TK_PF] = "pf",
	[TK_EXIT] = "exit",
	[TK_HOST_IRQ] = "host_irq",
	[TK_LOST] = "lost",
	[TK_OTHER] = "other",
};

/* FORMAT.md's exit causes, in enum order. */
static const char *const exit_cause_names[EXIT_CAUSES] = {
	[EXIT_HCALL] = "hypercall",
	[EXIT_PF_FIXED] = "page-fault-fixed",
	[EXIT_PF_GUEST] = "page-fault-guest",
	[EXIT_TRAP] = "trap",
	[EXIT_IO] = "io",
	[EXIT_MMIO] = "mmio",
	[EXIT_FALLBACK] = "engine-fallback",
	[EXIT_IRET] = "iret-emulated",
	[EXIT_KICK] = "kick",
	[EXIT_OTHER] = "other",
};

static const char *const pf_outcome_names[] = {
	[PF_UNKNOWN] = "unknown",
	[PF_FIXED] = "fixed",
	[PF_GUEST] = "guest",
	[PF_MMIO] = "mmio",
	[PF_KILLED] = "killed",
};
#define PF_OUTCOMES (sizeof(pf_outcome_names) / sizeof(pf_outcome_names[0]))

/* The hypercall numbers of hypercalls/lguest_abi.h (LHCALL_*). */
static const char *const hcall_names[] = {
	[0] = "FLUSH_ASYNC",
	[1] = "LGUEST_INIT",
	[2] = "SHUTDOWN",
	[4] = "NEW_PGTABLE",
	[5] = "FLUSH_TLB",
	[6] = "LOAD_IDT_ENTRY",
	[7] = "SET_STACK",
	[9] = "SET_CLOCKEVENT",
	[10] = "HALT",
	[13] = "SET_PMD",
	[14] = "SET_PTE",
	[15] = "SET_PGD",
	[16] = "LOAD_TLS",
	[18] = "LOAD_GDT_ENTRY",
	[19] = "SEND_INTERRUPTS",
};
#define HCALL_NAMES (sizeof(hcall_names) / sizeof(hcall_names[0]))

const char *trace_kind_name(enum trace_kind k)
{
	return (unsigned)k < TK_KINDS ? kind_names[k] : "?";
}

const char *trace_exit_cause_name(enum trace_exit_cause c)
{
	return (unsigned)c < EXIT_CAUSES ? exit_cause_names[c] : "?";
}

const char *trace_pf_outcome_name(enum trace_pf_outcome o)
{
	return (unsigned)o < PF_OUTCOMES ? pf_outcome_names[o] : "?";
}

const char *trace_hcall_name(uint32_t nr)
{
	return nr < HCALL_NAMES && hcall_names[nr] ? hcall_names[nr] : "?";
}

static int index_of(const char *const *names, size_t n, const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int trace_kind_from_name(const char *s)
{
	return index_of(kind_names, TK_KINDS, s);
}

int trace_exit_cause_from_name(const char *s)
{
	return index_of(exit_cause_names, EXIT_CAUSES, s);
}

int trace_pf_outcome_from_name(const char *s)
{
	return index_of(pf_outcome_names, PF_OUTCOMES, s);
}

bool trace_push(struct trace *t, const struct trace_ev *e)
{
	if (t->n == t->cap) {
		/* Doubling keeps a 500,000-event load to ~20 reallocations. */
		size_t cap = t->cap ? t->cap * 2 : 4096;
		if (cap < t->cap || cap > SIZE_MAX / sizeof(*t->ev))
			return false;
		struct trace_ev *ev = realloc(t->ev, cap * sizeof(*ev));
		if (!ev)
			return false;
		t->ev = ev;
		t->cap = cap;
	}
	t->ev[t->n++] = *e;
	return true;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	free(t->ev);
	free(t->header);
	free(t->host_cpu_flags);
	memset(t, 0, sizeof(*t));
}

bool trace_parse_u64(const char *s, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	char *end;

	/* strtoull alone would take signs, spaces and octal. */
	if (!((*digits >= '0' && *digits <= '9') ||
	      (hex && ((*digits >= 'a' && *digits <= 'f') || (*digits >= 'A' && *digits <= 'F')))))
		return false;
	errno = 0;
	*out = strtoull(digits, &end, hex ? 16 : 10);
	return !*end && errno == 0;
}
