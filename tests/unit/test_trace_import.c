/*
 * trace_load(): the in-kernel lguest's ftrace text, lgkvm's text (v1, v0)
 * and JSON lines, plain, gzip and xz, and what each refuses.
 */
#include <check.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vmm/trace/trace_model.h"

static char path[64];
static char err[512];

static void write_bytes(const void *data, size_t len)
{
	strcpy(path, "/tmp/lgkvm-trace-import-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Loads text as a trace file; the caller checks ok. */
static bool load(const char *text, struct trace *t)
{
	write_bytes(text, strlen(text));
	bool ok = trace_load(path, t, err, sizeof(err));
	unlink(path);
	return ok;
}

static void load_ok(const char *text, struct trace *t)
{
	bool ok = load(text, t);
	ck_assert_msg(ok, "load failed: %s", err);
}

/* ---- ftrace ---- */

static const char ftrace_basic[] =
	"# tracer: nop\n"
	"#\n"
	"# entries-in-buffer/entries-written: 20/24   #P:2\n"
	"#\n"
	"#                                _-----=> irqs-off\n"
	"#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION\n"
	"#              | |         |   ||||      |         |\n"
	/* line 8: LGUEST_INIT's trap, before any hcall */
	"          lguest-1234  [000] d..1   100.000001: trap: (lguest_arch_handle_trap+0x0/0x300) nr=31 err=0x0 eip=0xc0100000 eax=0x1 cr2=0x0\n"
	"          <idle>-0     [001] d..2   100.000002: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=foo next_pid=5 next_prio=120\n"
	/* line 10: a sync hcall (args == regs), hex */
	"          lguest-1234  [000] d..1   100.000003: hcall: (do_hcall+0x0/0x2a0) nr=9 a1=0x3b9aca0 a2=0x0 a3=0x0 a4=0x0 args=0xc5a3e0a4 regs=0xc5a3e0a4\n"
	/* line 11: an async one (args != regs), decimal, fields reordered, no flags column */
	"          lguest-1234  [000]   100.000004: hcall: (do_hcall+0x0/0x2a0) regs=3315851428 a4=0 nr=14 a1=4096 a3=4660 a2=3221225472 args=3315851264 extra=7\n"
	/* line 12: a foreign kprobe group's event */
	"            bash-999   [001] ....   100.000005: p_vfs_read_0: (vfs_read+0x0/0x100) fd=3\n"
	"CPU:0 [LOST 1234 EVENTS]\n"
	"##### CPU 1 buffer started ####\n"
	/* line 15: a host interrupt while the guest ran; a system call */
	"          lguest-1234  [000] d.h.   100.000006: trap: (lguest_arch_handle_trap+0x0/0x300) nr=239 err=0x0 eip=0xc0100024 eax=0x0 cr2=0x0\n"
	"          lguest-1234  [000] d..1   100.000007: trap: (lguest_arch_handle_trap+0x0/0x300) nr=128 err=0x0 eip=0x8048000 eax=0x4 cr2=0xdead\n"
	/* a second LGUEST_INIT-looking trap: no second synthetic hcall */
	"          lguest-1234  [000] d..1   100.000008: trap: (lguest_arch_handle_trap+0x0/0x300) nr=31 err=0x0 eip=0xc0100000 eax=0x1 cr2=0x0\n"
	"          lguest-1234  [000] d..1   100.000009: set_irq: (set_interrupt+0x0/0x50) irq=3 caller=0xc0000000\n"
	"          lguest-1234  [000] d..1   100.000010: irq: (try_deliver_interrupt+0x0/0x200) irq=0 more=1 halted=-1 irqen=0x200 eip=0xc0100030\n"
	"          lguest-1234  [000] d..1   100.000011: irq_run: (try_deliver_interrupt+0x5a/0x200) irq=0 eip=0xc0100030\n"
	"          lguest-1234  [000] d..1   100.000012: deliver: (deliver_trap+0x0/0x100) num=13 err=0x10 eip=0xc0100040 caller=0xc0123456\n"
	"<...>-77 [001] ..... 100.000013: bprint: some_function: a printk-style message\n";

START_TEST(test_ftrace_events_markers_and_skipped_lines)
{
	struct trace t;
	load_ok(ftrace_basic, &t);
	ck_assert_int_eq(t.source, TRACE_SRC_FTRACE);
	ck_assert_int_eq(t.version, 0);
	ck_assert_ptr_null(t.header);
	/* sched_switch, the foreign probe, the printk */
	ck_assert_uint_eq(t.skipped_lines, 3);
	/* 24 written, 20 kept: 4 overwritten; then 1234 lost; then a buffer
	 * start whose count is unknown */
	ck_assert_uint_eq(t.lost_events, 4 + 1234);

	static const enum trace_kind kinds[] = {
		TK_LOST, TK_TRAP, TK_HCALL, TK_HCALL, TK_HCALL, TK_LOST, TK_LOST, TK_HOST_IRQ,
		TK_TRAP, TK_TRAP, TK_SET_IRQ, TK_IRQ_PENDING, TK_IRQ, TK_DELIVER,
	};
	ck_assert_uint_eq(t.n, sizeof(kinds) / sizeof(kinds[0]));
	for (size_t i = 0; i < t.n; i++)
		ck_assert_msg(t.ev[i].kind == kinds[i], "event %zu: kind %s", i,
			      trace_kind_name(t.ev[i].kind));

	ck_assert_uint_eq(t.ev[0].nr, 4);
	/* the synthetic LGUEST_INIT right after its trap, without args */
	ck_assert_uint_eq(t.ev[1].nr, 31);
	ck_assert_uint_eq(t.ev[1].v[TF_EAX], 1);
	ck_assert(!(t.ev[1].present & (1u << TF_CR2)));
	ck_assert_uint_eq(t.ev[2].nr, 1);
	ck_assert_uint_eq(t.ev[2].flags, TRACE_EV_SYNTHETIC);
	ck_assert_uint_eq(t.ev[2].present, 0);
	/* sync SET_CLOCKEVENT, hex */
	ck_assert_uint_eq(t.ev[3].nr, 9);
	ck_assert_uint_eq(t.ev[3].v[TF_A1], 0x3b9aca0);
	ck_assert_uint_eq(t.ev[3].present, 0xf);
	ck_assert_uint_eq(t.ev[3].flags, 0);
	ck_assert_uint_eq(t.ev[3].seq, 10); /* an ftrace event's seq is its line */
	ck_assert_uint_eq(t.ev[3].t_ns, 2000); /* since the first lguest event */
	/* async SET_PTE, decimal, any field order */
	ck_assert_uint_eq(t.ev[4].nr, 14);
	ck_assert_uint_eq(t.ev[4].v[TF_A1], 4096);
	ck_assert_uint_eq(t.ev[4].v[TF_A2], 0xc0000000u);
	ck_assert_uint_eq(t.ev[4].v[TF_A3], 0x1234);
	ck_assert_uint_eq(t.ev[4].v[TF_A4], 0);
	ck_assert_uint_eq(t.ev[4].flags, TRACE_EV_ASYNC);
	ck_assert_uint_eq(t.ev[5].nr, 1234);
	ck_assert_uint_eq(t.ev[6].nr, 0);
	ck_assert_uint_eq(t.ev[7].nr, 239);
	ck_assert_uint_eq(t.ev[8].nr, 128);
	ck_assert(!(t.ev[8].present & (1u << TF_CR2))); /* cr2 only for #PF */
	ck_assert_uint_eq(t.ev[9].nr, 31);
	ck_assert_uint_eq(t.ev[10].nr, 3);
	ck_assert_uint_eq(t.ev[11].nr, 0);
	ck_assert_uint_eq(t.ev[11].v[TF_MORE], 1);
	ck_assert_uint_eq(t.ev[11].v[TF_HALTED], 0xffffffffu);
	ck_assert_uint_eq(t.ev[11].v[TF_IRQEN], 0x200);
	ck_assert_uint_eq(t.ev[11].v[TF_IRQ_EIP], 0xc0100030);
	ck_assert_uint_eq(t.ev[12].nr, 0);
	ck_assert_uint_eq(t.ev[12].present, 1u << TF_IRQ_EIP);
	ck_assert_uint_eq(t.ev[13].nr, 13);
	ck_assert_uint_eq(t.ev[13].v[TF_ERR], 0x10);
	ck_assert_uint_eq(t.ev[13].v[TF_EIP], 0xc0100040);
	trace_free(&t);
}
END_TEST

#define L(ts, what) "          lguest-1234  [000] d..1   " ts ": " what "\n"
#define TRAP14 "trap: (lguest_arch_handle_trap+0x0/0x300) nr=14 err=0x2 eip=0xc0100010 eax=0x0 cr2=0x8000"
#define PF(va) "pf: (demand_page+0x0/0x200) vaddr=" va " err=0x2 eip=0xc0100010 caller=0xc0123456"
#define PF_RET(r) "pf_ret: (handle_trap+0x1a3/0x4c0 <- demand_page) ret=" r

START_TEST(test_ftrace_page_fault_outcomes)
{
	static const char text[] =
		"# tracer: nop\n"
		L("1.000001", "hcall: (do_hcall+0x0/0x2a0) nr=5 a1=0 a2=0 a3=0 a4=0")
		/* fixed */
		L("1.000002", TRAP14) L("1.000003", PF("0x1000")) L("1.000004", PF_RET("1"))
		/* ret=0, then a #PF reflected: the guest's own fault */
		L("1.000005", TRAP14) L("1.000006", PF("0x2000")) L("1.000007", PF_RET("0"))
		L("1.000008", "deliver: (deliver_trap+0x0/0x100) num=14 err=0x2 eip=0xc0100010 caller=0x0")
		/* ret=0, then the next trap without a deliver 14: MMIO */
		L("1.000009", TRAP14) L("1.000010", PF("0x3000")) L("1.000011", PF_RET("0"))
		/* its pf_ret lost: the next trap comes first */
		L("1.000012", TRAP14) L("1.000013", PF("0x4000"))
		/* pf_ret lost in a LOST marker */
		L("1.000014", TRAP14) L("1.000015", PF("0x5000"))
		"CPU:0 [LOST 2 EVENTS]\n"
		/* a pf_ret whose pf was lost: skipped */
		L("1.000016", PF_RET("1"))
		/* nested: a second pf before the first's ret */
		L("1.000017", TRAP14) L("1.000018", PF("0x6000")) L("1.000019", PF("0x7000"))
		L("1.000020", PF_RET("1"))
		/* ret=0 at the very end: cannot be told */
		L("1.000021", TRAP14) L("1.000022", PF("0x8000")) L("1.000023", PF_RET("0"));
	static const struct {
		uint32_t vaddr;
		enum trace_pf_outcome o;
	} want[] = {
		{ 0x1000, PF_FIXED },   { 0x2000, PF_GUEST },   { 0x3000, PF_MMIO },
		{ 0x4000, PF_UNKNOWN }, { 0x5000, PF_UNKNOWN }, { 0x6000, PF_UNKNOWN },
		{ 0x7000, PF_FIXED },   { 0x8000, PF_UNKNOWN },
	};
	struct trace t;
	size_t pf = 0;

	load_ok(text, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (t.ev[i].kind != TK_PF)
			continue;
		ck_assert_uint_lt(pf, sizeof(want) / sizeof(want[0]));
		ck_assert_uint_eq(t.ev[i].v[TF_VADDR], want[pf].vaddr);
		ck_assert_uint_eq(t.ev[i].v[TF_PF_ERR], 2);
		ck_assert_uint_eq(t.ev[i].v[TF_PF_EIP], 0xc0100010);
		ck_assert_msg(t.ev[i].outcome == want[pf].o, "pf %#x: %s, want %s", want[pf].vaddr,
			      trace_pf_outcome_name(t.ev[i].outcome), trace_pf_outcome_name(want[pf].o));
		pf++;
	}
	ck_assert_uint_eq(pf, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(t.skipped_lines, 1);
	ck_assert_uint_eq(t.lost_events, 2);
	/* an hcall came first: no synthetic LGUEST_INIT */
	for (size_t i = 0; i < t.n; i++)
		ck_assert(!(t.ev[i].flags & TRACE_EV_SYNTHETIC));
	trace_free(&t);
}
END_TEST

START_TEST(test_ftrace_without_header_is_detected)
{
	/* trace_pipe output: no "# tracer:" header at all */
	struct trace t;
	load_ok(L("5.5", "set_irq: (set_interrupt+0x0/0x50) irq=2 caller=0x0")
		L("5.500001", "lguest:set_irq: irq=4"), &t);
	ck_assert_int_eq(t.source, TRACE_SRC_FTRACE);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.ev[1].nr, 4);
	ck_assert_uint_eq(t.ev[1].t_ns, 1000);
	trace_free(&t);
}
END_TEST

/* scripts/lguest-host-trace's note of the host's CPU flags, after the
 * ftrace header: kept (the first one), not counted as skipped. */
START_TEST(test_ftrace_host_cpu_flags_note)
{
	struct trace t;
	load_ok("# tracer: nop\n"
		"#\n"
		"# lguest-host-trace: cpu flags:  fpu tsc sse2 constant_tsc pni\n"
		"# lguest-host-trace: cpu flags: a second note\n"
		L("5.5", "set_irq: (set_interrupt+0x0/0x50) irq=2 caller=0x0"), &t);
	ck_assert_int_eq(t.source, TRACE_SRC_FTRACE);
	ck_assert_ptr_nonnull(t.host_cpu_flags);
	ck_assert_str_eq(t.host_cpu_flags, "fpu tsc sse2 constant_tsc pni");
	ck_assert_ptr_null(t.header);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.skipped_lines, 0);
	trace_free(&t);
	load_ok(ftrace_basic, &t);
	ck_assert_ptr_null(t.host_cpu_flags);
	trace_free(&t);
}
END_TEST

/* ---- compressed ---- */

static void gzip_file(const char *text)
{
	strcpy(path, "/tmp/lgkvm-trace-import-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	gzFile gz = gzdopen(fd, "wb");
	ck_assert_ptr_nonnull(gz);
	ck_assert_int_eq(gzwrite(gz, text, (unsigned)strlen(text)), (int)strlen(text));
	ck_assert_int_eq(gzclose(gz), Z_OK);
}

static void xz_file(const char *text)
{
	size_t cap = strlen(text) + 1024, len = 0;
	uint8_t *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text,
						 strlen(text), buf, &len, cap),
			 LZMA_OK);
	write_bytes(buf, len);
	free(buf);
}

static void assert_same_events(const struct trace *a, const struct trace *b)
{
	ck_assert_uint_eq(a->n, b->n);
	ck_assert_uint_eq(a->lost_events, b->lost_events);
	ck_assert_uint_eq(a->skipped_lines, b->skipped_lines);
	ck_assert_int_eq(memcmp(a->ev, b->ev, a->n * sizeof(*a->ev)), 0);
}

START_TEST(test_gzip_and_xz)
{
	struct trace plain, packed;

	load_ok(ftrace_basic, &plain);

	gzip_file(ftrace_basic);
	ck_assert_msg(trace_load(path, &packed, err, sizeof(err)), "gzip: %s", err);
	unlink(path);
	assert_same_events(&plain, &packed);
	trace_free(&packed);

	xz_file(ftrace_basic);
	ck_assert_msg(trace_load(path, &packed, err, sizeof(err)), "xz: %s", err);
	unlink(path);
	assert_same_events(&plain, &packed);
	trace_free(&packed);

	/* Cut short: an error naming the file, not a shorter trace. */
	gzip_file(ftrace_basic);
	FILE *f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	ck_assert_int_eq(ftruncate(fileno(f), ftell(f) - 20), 0);
	fclose(f);
	ck_assert(!trace_load(path, &packed, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) && strstr(err, "gzip"), "%s", err);
	unlink(path);

	xz_file(ftrace_basic);
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	ck_assert_int_eq(ftruncate(fileno(f), ftell(f) - 20), 0);
	fclose(f);
	ck_assert(!trace_load(path, &packed, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) && strstr(err, "xz"), "%s", err);
	unlink(path);
	trace_free(&plain);
}
END_TEST

/* ---- lgkvm text ---- */

START_TEST(test_lgkvm_text_v1)
{
	static const char text[] =
		"# lgkvm-trace 1 kernel=\"/boot/bz Image\" initrd=\"\" mem_mib=64 cmdline=\"console=hvc0\" engine=\"x\" options=\"run\"\n"
		"# a comment\n"
		"0 0.000001000 trap nr=31 err=0 eip=0xc0100000 eax=1 cs=0x61\n"
		"1 0.000002000 hcall nr=1 name=LGUEST_INIT a1=0xc0500000 a2=0 a3=0 a4=0 src=sync\n"
		"2 0.000003000 hcall nr=14 name=SET_PTE a1=4096 a2=0xc0000000 a3=0x1234 a4=0 src=async\n"
		"3 0.000004000 trap nr=14 err=0x2 eip=0xc0100010 eax=0x5 cr2=0xc1000000 cs=0x61\n"
		"4 0.000005000 pf vaddr=0xc1000000 err=0x2 eip=0xc0100010 result=guest\n"
		"5 0.000006000 deliver nr=14 err=0x2 eip=0xc0100010 cs=0x61 handler=0xc0101000\n"
		"6 0.000007000 irq_pending nr=0 more=0 halted=1 irqen=0x200 eip=0xc0100020\n"
		"7 0.000008000 irq nr=0 eip=0xc0100020 vector=32 cs=0x61\n"
		"8 0.000009000 set_irq nr=3\n"
		"9 0.000010000 exit cause=page-fault-guest guest_ns=100 host_ns=200 idle_ns=0\n"
		"10 0.000011000 host_irq nr=240 eip=0xc0100020\n"
		"11 0.000012000 dev vq=\"rx queue\" used=3 something without equals\n"
		"12 0.000013000 newkind whatever=1\n"
		"13 1.5 mmu op=reset\n";
	struct trace t;

	load_ok(text, &t);
	ck_assert_int_eq(t.source, TRACE_SRC_LGKVM_TEXT);
	ck_assert_int_eq(t.version, 1);
	ck_assert_ptr_nonnull(t.header);
	ck_assert_ptr_nonnull(strstr(t.header, "lgkvm-trace 1"));
	ck_assert_uint_eq(t.n, 14);
	ck_assert_uint_eq(t.ev[0].kind, TK_TRAP);
	ck_assert_uint_eq(t.ev[0].v[TF_EAX], 1);
	ck_assert_uint_eq(t.ev[1].kind, TK_HCALL);
	ck_assert_uint_eq(t.ev[1].v[TF_A1], 0xc0500000);
	ck_assert_uint_eq(t.ev[1].flags, 0);
	ck_assert_uint_eq(t.ev[2].flags, TRACE_EV_ASYNC);
	ck_assert_uint_eq(t.ev[2].v[TF_A1], 4096);
	ck_assert_uint_eq(t.ev[2].t_ns, 3000);
	ck_assert_uint_eq(t.ev[2].seq, 2);
	ck_assert_uint_eq(t.ev[3].v[TF_CR2], 0xc1000000);
	ck_assert_uint_eq(t.ev[4].kind, TK_PF);
	ck_assert_uint_eq(t.ev[4].outcome, PF_GUEST);
	ck_assert_uint_eq(t.ev[4].v[TF_PF_EIP], 0xc0100010);
	ck_assert_uint_eq(t.ev[5].kind, TK_DELIVER);
	ck_assert_uint_eq(t.ev[6].kind, TK_IRQ_PENDING);
	ck_assert_uint_eq(t.ev[6].v[TF_HALTED], 1);
	ck_assert_uint_eq(t.ev[7].kind, TK_IRQ);
	ck_assert_uint_eq(t.ev[7].v[TF_IRQ_EIP], 0xc0100020);
	ck_assert_uint_eq(t.ev[8].kind, TK_SET_IRQ);
	ck_assert_uint_eq(t.ev[8].nr, 3);
	ck_assert_uint_eq(t.ev[9].kind, TK_EXIT);
	ck_assert_uint_eq(t.ev[9].nr, EXIT_PF_GUEST);
	ck_assert_uint_eq(t.ev[9].host_ns, 200);
	ck_assert_uint_eq(t.ev[10].kind, TK_HOST_IRQ);
	ck_assert_uint_eq(t.ev[11].kind, TK_OTHER);
	ck_assert_uint_eq(t.ev[12].kind, TK_OTHER);
	ck_assert_uint_eq(t.ev[13].t_ns, 1500000000u);
	trace_free(&t);
}
END_TEST

START_TEST(test_lgkvm_text_v0)
{
	/* What the first --trace wrote: no header, microseconds. */
	static const char text[] =
		"0 0.000010 hcall nr=1 name=LGUEST_INIT args=0xc0500000\n"
		"1 0.000020 hcall nr=14 name=SET_PTE args=0x1000,0xc0000000,0,0x1234\n"
		"2 0.000030 trap vector=14 err=0x2 eip=0xc0100010 cs=0x61 handler=0xc0101000\n"
		"3 0.000040 trap softint vector=128 eip=0x8048002\n"
		"4 0.000050 trap softint vector=3 refused (dpl=0 cpl=3)\n"
		"5 0.000060 trap hw vector=13 err=0 eip=0xc0100000 cs=0x61 eflags=0x2\n"
		"6 0.000070 irq irq=0 vector=32 eip=0xc0100020 cs=0x61\n"
		"7 0.000080 pf vaddr=0x1000 err=0x2 result=fixed gpte=0x1 spte=0x2\n"
		"8 0.000090 exit reason=-1\n"
		"9 0.000100 exit reason=2\n"
		"10 0.000110 mmu op=set_pte gpgdir=0x1000 vaddr=0x0 gpte=0x0 spte=0x0 shadows=1\n";
	static const enum trace_kind kinds[] = {
		TK_HCALL, TK_HCALL, TK_DELIVER, TK_DELIVER, TK_OTHER, TK_TRAP,
		TK_IRQ, TK_PF, TK_EXIT, TK_EXIT, TK_OTHER,
	};
	struct trace t;

	load_ok(text, &t);
	ck_assert_int_eq(t.version, 0);
	ck_assert_uint_eq(t.n, sizeof(kinds) / sizeof(kinds[0]));
	for (size_t i = 0; i < t.n; i++)
		ck_assert_msg(t.ev[i].kind == kinds[i], "event %zu: %s", i, trace_kind_name(t.ev[i].kind));
	ck_assert_uint_eq(t.ev[0].present, 1u << TF_A1);
	ck_assert_uint_eq(t.ev[0].v[TF_A1], 0xc0500000);
	ck_assert_uint_eq(t.ev[1].present, 0xf);
	ck_assert_uint_eq(t.ev[1].v[TF_A4], 0x1234);
	ck_assert_uint_eq(t.ev[1].t_ns, 20000);
	ck_assert_uint_eq(t.ev[2].nr, 14);
	ck_assert_uint_eq(t.ev[3].nr, 128);
	ck_assert_uint_eq(t.ev[3].v[TF_EIP], 0x8048002);
	ck_assert_uint_eq(t.ev[5].nr, 13);
	ck_assert_uint_eq(t.ev[6].nr, 0);
	ck_assert_uint_eq(t.ev[7].outcome, PF_FIXED);
	ck_assert(!(t.ev[7].present & (1u << TF_PF_EIP)));
	ck_assert_uint_eq(t.ev[8].nr, EXIT_KICK);
	ck_assert_uint_eq(t.ev[9].nr, EXIT_IO);
	trace_free(&t);
}
END_TEST

START_TEST(test_lgkvm_json)
{
	static const char text[] =
		"{\"format\":\"lgkvm-trace\",\"version\":1,\"kernel\":\"k\",\"mem_mib\":64}\n"
		"{\"seq\":0,\"t_ns\":1234,\"kind\":\"hcall\",\"nr\":1,\"name\":\"LGUEST_INIT\",\"a1\":3920896,\"a2\":0,\"a3\":0,\"a4\":0,\"src\":\"sync\"}\n"
		"\n"
		"{\"seq\":7,\"t_ns\":99120,\"kind\":\"pf\",\"vaddr\":3221225472,\"err\":2,\"eip\":3222274048,\"result\":\"fixed\"}\n"
		"{\"seq\":8,\"t_ns\":99200,\"kind\":\"hcall\",\"nr\":14,\"a1\":\"0x1000\",\"src\":\"async\"}\n"
		"{\"seq\":9,\"t_ns\":99300,\"kind\":\"irq_pending\",\"nr\":1,\"halted\":-1}\n"
		"{\"seq\":10,\"t_ns\":99400,\"kind\":\"exit\",\"cause\":\"kick\",\"guest_ns\":5,\"host_ns\":6,\"idle_ns\":7}\n"
		"{\"seq\":11,\"t_ns\":99500,\"kind\":\"dev\",\"vq\":\"rx\",\"text\":\"blk ring-full\"}\n";
	struct trace t;

	load_ok(text, &t);
	ck_assert_int_eq(t.source, TRACE_SRC_LGKVM_JSON);
	ck_assert_int_eq(t.version, 1);
	ck_assert_uint_eq(t.n, 6);
	ck_assert_uint_eq(t.ev[0].kind, TK_HCALL);
	ck_assert_uint_eq(t.ev[0].v[TF_A1], 3920896);
	ck_assert_uint_eq(t.ev[0].t_ns, 1234);
	ck_assert_uint_eq(t.ev[1].kind, TK_PF);
	ck_assert_uint_eq(t.ev[1].v[TF_VADDR], 3221225472u);
	ck_assert_uint_eq(t.ev[1].outcome, PF_FIXED);
	ck_assert_uint_eq(t.ev[1].seq, 7);
	ck_assert_uint_eq(t.ev[2].v[TF_A1], 0x1000);
	ck_assert_uint_eq(t.ev[2].present, 1u << TF_A1);
	ck_assert_uint_eq(t.ev[2].flags, TRACE_EV_ASYNC);
	ck_assert_uint_eq(t.ev[3].v[TF_HALTED], 0xffffffffu);
	ck_assert_uint_eq(t.ev[4].nr, EXIT_KICK);
	ck_assert_uint_eq(t.ev[4].idle_ns, 7);
	ck_assert_uint_eq(t.ev[5].kind, TK_OTHER);
	trace_free(&t);
}
END_TEST

/* ---- refused ---- */

static void assert_refused(const char *text, const char *want1, const char *want2)
{
	struct trace t;
	ck_assert_msg(!load(text, &t), "loaded: %s", text);
	ck_assert_msg(strstr(err, path), "no file name in: %s", err);
	ck_assert_msg(!strchr(err, '\n'), "not one line: %s", err);
	ck_assert_msg(strstr(err, want1), "'%s' not in: %s", want1, err);
	if (want2)
		ck_assert_msg(strstr(err, want2), "'%s' not in: %s", want2, err);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(t.ev);
}

START_TEST(test_unknown_version_refused)
{
	assert_refused("# lgkvm-trace 2 kernel=\"k\"\n0 0.1 hcall nr=1\n", "version 2", NULL);
	assert_refused("# lgkvm-trace\n", "without a version", NULL);
	assert_refused("{\"format\":\"lgkvm-trace\",\"version\":7}\n", "version 7", NULL);
	assert_refused("{\"format\":\"something-else\",\"version\":1}\n", "header", NULL);
}
END_TEST

START_TEST(test_garbage_lines_name_the_line)
{
	assert_refused("# lgkvm-trace 1\n0 0.1 hcall nr=1\n1 0.2 hcall nr=1\nthis is not an event\n",
		       "line 4", "not an event");
	assert_refused("# lgkvm-trace 1\n0 0.1 hcall nr=zz\n", "line 2", "nr");
	assert_refused("# lgkvm-trace 1\n0 0.1 hcall a1=5\n", "line 2", "without nr");
	assert_refused("# lgkvm-trace 1\n0 0.1 hcall nr=1 a1=0x100000000\n", "line 2", "a1");
	assert_refused("# lgkvm-trace 1\n0 0.1 hcall nr=1 src=maybe\n", "line 2", "src");
	assert_refused("# lgkvm-trace 1\n0 0.1 pf vaddr=1 result=odd\n", "line 2", "result");
	assert_refused("# lgkvm-trace 1\n0 0.1 exit cause=nope\n", "line 2", "cause");
	assert_refused("0 0.000010 hcall nr=1 args=1,2,3,4,5\n", "line 1", "args");
	assert_refused("{\"format\":\"lgkvm-trace\",\"version\":1}\n{\"seq\":0,\"t_ns\":1,\"kind\":\"hcall\"}\n",
		       "line 2", "nr");
	assert_refused("{\"format\":\"lgkvm-trace\",\"version\":1}\n{\"seq\":0,\"t_ns\":1,\n", "line 2",
		       "JSON");
	assert_refused("{\"format\":\"lgkvm-trace\",\"version\":1}\n[1,2]\n", "line 2", "JSON");
	assert_refused("hello world\n", "line 1", "not a trace");
	assert_refused("", "empty", NULL);
	assert_refused("\n# only a comment\n", "empty", NULL);
}
END_TEST

START_TEST(test_missing_file)
{
	struct trace t;
	ck_assert(!trace_load("/nonexistent/lgkvm-trace", &t, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/lgkvm-trace"));
}
END_TEST

START_TEST(test_long_line_kept_whole)
{
	/* 3 MiB of one free-form line, then an event: nothing cut. */
	size_t big = 3u << 20;
	const char *head = "# lgkvm-trace 1\n0 0.1 dev ";
	const char *tail = "\n1 0.2 hcall nr=10 a1=0x77\n";
	char *text = malloc(strlen(head) + big + strlen(tail) + 1);
	ck_assert_ptr_nonnull(text);
	strcpy(text, head);
	memset(text + strlen(head), 'x', big);
	strcpy(text + strlen(head) + big, tail);
	struct trace t;
	load_ok(text, &t);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.ev[1].nr, 10);
	ck_assert_uint_eq(t.ev[1].v[TF_A1], 0x77);
	trace_free(&t);
	free(text);
}
END_TEST

/* Any bytes: an error or a trace, never a crash (the sanitizer build
 * checks the "never"). */
START_TEST(test_garbage_never_crashes)
{
	static const char *const seeds[] = { ftrace_basic,
		"# lgkvm-trace 1\n0 0.1 hcall nr=1 a1=2 src=sync\n1 0.2 pf vaddr=1 result=fixed\n",
		"{\"format\":\"lgkvm-trace\",\"version\":1}\n{\"seq\":0,\"t_ns\":1,\"kind\":\"trap\",\"nr\":14}\n",
		"0 0.000010 hcall nr=14 name=SET_PTE args=0x1000,0xc0000000,0,0x1234\n" };
	unsigned seed = 12345;
	char buf[4096];

	for (int round = 0; round < 600; round++) {
		const char *s = seeds[round % 4];
		size_t n = strlen(s);
		memcpy(buf, s, n);
		for (int m = 0; m < 1 + round % 8; m++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			buf[at] = (char)(seed >> 20);
		}
		if (round % 5 == 0)
			n = (seed >> 4) % n;
		struct trace t;
		write_bytes(buf, n);
		if (trace_load(path, &t, err, sizeof(err)))
			trace_free(&t);
		else
			ck_assert(err[0] != '\0');
		unlink(path);
	}
}
END_TEST

static Suite *trace_import_suite(void)
{
	Suite *s = suite_create("trace_import");
	TCase *ftrace = tcase_create("ftrace");
	tcase_add_test(ftrace, test_ftrace_events_markers_and_skipped_lines);
	tcase_add_test(ftrace, test_ftrace_page_fault_outcomes);
	tcase_add_test(ftrace, test_ftrace_without_header_is_detected);
	tcase_add_test(ftrace, test_ftrace_host_cpu_flags_note);
	tcase_add_test(ftrace, test_gzip_and_xz);
	suite_add_tcase(s, ftrace);
	TCase *lgkvm = tcase_create("lgkvm");
	tcase_add_test(lgkvm, test_lgkvm_text_v1);
	tcase_add_test(lgkvm, test_lgkvm_text_v0);
	tcase_add_test(lgkvm, test_lgkvm_json);
	suite_add_tcase(s, lgkvm);
	TCase *refused = tcase_create("refused");
	tcase_add_test(refused, test_unknown_version_refused);
	tcase_add_test(refused, test_garbage_lines_name_the_line);
	tcase_add_test(refused, test_missing_file);
	tcase_add_test(refused, test_long_line_kept_whole);
	tcase_add_test(refused, test_garbage_never_crashes);
	suite_add_tcase(s, refused);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_import_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
