/*
 * x87 emulation: the kernel's boot sequences, stack/tag rules, addressing,
 * faults, and every supported encoding compared with the host FPU running the
 * very same bytes (the memory operand is [eax] in the guest and [rax] on the
 * host: the same encoding).
 */
#include "vmm/x87_emulate.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- guest memory seen through the callbacks ---- */

#define GMEM_BASE  0x00100000u
#define GMEM_SIZE  0x2000u
#define G_OPERAND  (GMEM_BASE + 0x100) /* the [eax] operand of compared runs */

static uint8_t gmem[GMEM_SIZE];
static struct { int seg; uint32_t addr; unsigned len; } last_read, last_write;
static unsigned reads, writes;
static bool fail_read, fail_write;

static uint8_t *gptr(uint32_t addr, unsigned len)
{
	if (addr < GMEM_BASE || addr - GMEM_BASE > GMEM_SIZE - len)
		return NULL;
	return gmem + (addr - GMEM_BASE);
}

static bool mem_read(void *opaque, int seg, uint32_t addr, void *buf, unsigned len)
{
	uint8_t *p = gptr(addr, len);

	(void)opaque;
	reads++;
	last_read.seg = seg;
	last_read.addr = addr;
	last_read.len = len;
	if (fail_read || !p)
		return false;
	memcpy(buf, p, len);
	return true;
}

static bool mem_write(void *opaque, int seg, uint32_t addr, const void *buf, unsigned len)
{
	uint8_t *p = gptr(addr, len);

	(void)opaque;
	writes++;
	last_write.seg = seg;
	last_write.addr = addr;
	last_write.len = len;
	if (fail_write || !p)
		return false;
	memcpy(p, buf, len);
	return true;
}

static struct x87_env new_env(void)
{
	struct x87_env env = { .read = mem_read, .write = mem_write, .eflags = 0x202 };

	memset(gmem, 0, sizeof(gmem));
	reads = writes = 0;
	fail_read = fail_write = false;
	return env;
}

/* ---- x87 state helpers ---- */

static void set_fninit(struct kvm_fpu *fpu)
{
	memset(fpu, 0, sizeof(*fpu));
	fpu->fcw = 0x037f;
	fpu->mxcsr = 0x1f80;
}

static unsigned top_of(const struct kvm_fpu *fpu)
{
	return (fpu->fsw >> 11) & 7;
}

/* Puts v in ST(i), tagging its physical register valid. */
static void set_st(struct kvm_fpu *fpu, unsigned i, long double v)
{
	memset(fpu->fpr[i], 0, 16);
	memcpy(fpu->fpr[i], &v, 10);
	fpu->ftwx |= 1u << ((top_of(fpu) + i) & 7);
}

static long double get_st(const struct kvm_fpu *fpu, unsigned i)
{
	long double v = 0;

	memcpy(&v, fpu->fpr[i], 10);
	return v;
}

static void set_top(struct kvm_fpu *fpu, unsigned top)
{
	fpu->fsw = (uint16_t)((fpu->fsw & ~0x3800u) | (top << 11));
}

/* Runs one instruction, expecting X87_DONE and the given length. */
static void emulate_ok(struct kvm_fpu *fpu, struct x87_env *env, const uint8_t *code,
		       unsigned n)
{
	unsigned len = 0;
	enum x87_result r = x87_emulate(fpu, env, code, n, &len);

	ck_assert_int_eq(r, X87_DONE);
	ck_assert_uint_eq(len, n);
}

/* ---- the host FPU running the same bytes ---- */

struct host_result {
	uint16_t ax;
	uint32_t eflags;
};

/* One writable and executable page: x86 sees its own stores to code. */
static uint8_t *host_code_page(void)
{
	static uint8_t *page;

	if (!page) {
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ck_assert_ptr_ne(page, MAP_FAILED);
	}
	return page;
}

/*
 * Executes code (one instruction) on the host with the state in fpu and %rax
 * pointing at mem; leaves the resulting state in fpu.
 */
static struct host_result host_exec(struct kvm_fpu *fpu, uint32_t eflags, const uint8_t *code,
				    unsigned n, void *mem)
{
	static const uint8_t head[] = {
		0xf3, 0x0f, 0x1e, 0xfa,             /* endbr64 */
		0xff, 0xb7, 0xf0, 0x01, 0x00, 0x00, /* push 0x1f0(%rdi) */
		0x9d,                               /* popfq */
		0x48, 0x89, 0xf0,                   /* mov %rsi,%rax */
		0x0f, 0xae, 0x0f,                   /* fxrstor (%rdi) */
	};
	static const uint8_t tail[] = {
		0x0f, 0xae, 0x07,                   /* fxsave (%rdi) */
		0x9c,                               /* pushfq */
		0x8f, 0x87, 0xf8, 0x01, 0x00, 0x00, /* pop 0x1f8(%rdi) */
		0xdb, 0xe3,                         /* fninit */
		0xc3,                               /* ret */
	};
	_Alignas(16) uint8_t fx[512];
	uint64_t (*fn)(uint8_t *, void *);
	uint64_t rax, flags_in = 0x2 | (eflags & 0x8d5), flags_out;
	uint32_t mxcsr;
	uint16_t fcw;
	uint8_t *page;
	struct host_result hr;

	page = host_code_page();
	memcpy(page, head, sizeof(head));
	memcpy(page + sizeof(head), code, n);
	memcpy(page + sizeof(head) + n, tail, sizeof(tail));

	memset(fx, 0, sizeof(fx));
	memcpy(fx + 0, &fpu->fcw, 2);
	memcpy(fx + 2, &fpu->fsw, 2);
	fx[4] = fpu->ftwx;
	memcpy(fx + 6, &fpu->last_opcode, 2);
	memcpy(fx + 32, fpu->fpr, 128);
	memcpy(fx + 0x1f0, &flags_in, 8);
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fcw) : : "memory");
	memcpy(fx + 24, &mxcsr, 4);

	fn = (uint64_t (*)(uint8_t *, void *))(uintptr_t)page;
	rax = fn(fx, mem);
	__asm__ volatile("fldcw %0" : : "m"(fcw) : "memory");

	memcpy(&fpu->fcw, fx + 0, 2);
	memcpy(&fpu->fsw, fx + 2, 2);
	fpu->ftwx = fx[4];
	memcpy(fpu->fpr, fx + 32, 128);
	memcpy(&flags_out, fx + 0x1f8, 8);
	hr.ax = (uint16_t)rax;
	hr.eflags = (eflags & ~0x8d5u) | ((uint32_t)flags_out & 0x8d5u);
	return hr;
}

/* Hot paths assert only on a difference: Check logs every passing ck_assert. */
static void assert_same_x87(const struct kvm_fpu *emu, const struct kvm_fpu *host, const char *what)
{
	unsigned i;

	if (emu->fcw != host->fcw)
		ck_abort_msg("%s: fcw %04x, host %04x", what, emu->fcw, host->fcw);
	if (emu->fsw != host->fsw)
		ck_abort_msg("%s: fsw %04x, host %04x", what, emu->fsw, host->fsw);
	if (emu->ftwx != host->ftwx)
		ck_abort_msg("%s: ftwx %02x, host %02x", what, emu->ftwx, host->ftwx);
	for (i = 0; i < 8; i++)
		if (memcmp(emu->fpr[i], host->fpr[i], 10))
			ck_abort_msg("%s: st(%u) differs", what, i);
}

/*
 * Emulates code with %eax = G_OPERAND holding mem[0..112), runs the same bytes
 * on the host, and asserts the same state, memory, AX and EFLAGS.
 */
static void compare_with_host(const struct kvm_fpu *start, uint32_t eflags, const uint8_t *code,
			      unsigned n, const uint8_t mem[112], const char *what)
{
	struct kvm_fpu emu = *start, host = *start;
	_Alignas(16) uint8_t hmem[128];
	struct x87_env env = new_env();
	struct host_result hr;
	unsigned len = 0, i;
	enum x87_result r;
	uint32_t want_eax;
	/* FNSTENV/FNSAVE images: the pointer fields hold the guest's values, not the host's. */
	bool env_store = (code[0] == 0xd9 && code[1] == 0x30) || (code[0] == 0xdd && code[1] == 0x30);

	memcpy(gptr(G_OPERAND, 112), mem, 112);
	memcpy(hmem, mem, 112);
	env.gpr[0] = G_OPERAND;
	env.eflags = eflags;

	r = x87_emulate(&emu, &env, code, n, &len);
	if (r != X87_DONE || len != n)
		ck_abort_msg("%s: result %d length %u", what, r, len);
	hr = host_exec(&host, eflags, code, n, hmem);

	assert_same_x87(&emu, &host, what);
	for (i = 0; i < 112; i++) {
		if (env_store && i >= 12 && i < 26)
			continue;
		if (gmem[G_OPERAND - GMEM_BASE + i] != hmem[i])
			ck_abort_msg("%s: memory byte %u: %02x, host %02x", what, i,
				     gmem[G_OPERAND - GMEM_BASE + i], hmem[i]);
	}
	want_eax = G_OPERAND;
	if (code[0] == 0xdf && code[1] == 0xe0) /* fnstsw %ax */
		want_eax = (G_OPERAND & 0xffff0000u) | hr.ax;
	if (env.gpr[0] != want_eax)
		ck_abort_msg("%s: eax %08x, want %08x", what, env.gpr[0], want_eax);
	if (env.eflags != hr.eflags)
		ck_abort_msg("%s: eflags %x, host %x", what, env.eflags, hr.eflags);
}

/* ---- states to compare on ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Values that exercise rounding, specials and integer conversion. */
static void random_reg(uint8_t reg[16])
{
	static const long double pool[] = {
		1.5L, -2.75L, 1e10L, 0.1L, -0.0L, 0.0L, 3.0L, 2.5L, -2.5L, 0x1p70L, 7e-4940L,
		__builtin_infl(), -__builtin_infl(), __builtin_nanl(""), 1.0L / 3.0L,
		32767.5L, -32768.0L, 2147483647.0L, 123456789.123456789L, 0x1p-16400L,
	};
	unsigned k = rng() % 24;
	uint64_t mant;
	uint16_t se;

	memset(reg, 0, 16);
	if (k < sizeof(pool) / sizeof(pool[0])) {
		memcpy(reg, &pool[k], 10);
		return;
	}
	mant = rng();
	se = (uint16_t)rng();
	if (k == 20)
		mant &= ~(1ull << 63); /* unnormal */
	else if (k == 21)
		mant = (mant | (1ull << 63)) & ~(1ull << 62), se |= 0x7fff; /* signalling NaN */
	else
		mant |= 1ull << 63, se = (uint16_t)((se & 0x8000) | (0x3fff + (int)(rng() % 80) - 40));
	if ((mant << 1) == 0 && (se & 0x7fff) == 0x7fff)
		mant |= 1; /* keep the NaN a NaN */
	memcpy(reg, &mant, 8);
	memcpy(reg + 8, &se, 2);
}

/* A state with no exception pending: any unmasked flag is clear. */
static void random_state(struct kvm_fpu *fpu, uint32_t *eflags)
{
	unsigned i;
	uint16_t masks = (rng() % 3) ? 0x3f : (uint16_t)(rng() & 0x3f);

	set_fninit(fpu);
	fpu->fcw = (uint16_t)(0x0040 | masks | ((rng() % 4) << 8) | ((rng() % 4) << 10));
	fpu->fsw = (uint16_t)(((rng() % 8) << 11) | (rng() & masks) | ((rng() & 0x4700) & 0x4700));
	fpu->ftwx = (uint8_t)rng();
	if (rng() % 4 == 0)
		fpu->ftwx = 0xff;
	for (i = 0; i < 8; i++)
		random_reg(fpu->fpr[i]);
	fpu->last_opcode = 0x123;
	*eflags = (uint32_t)rng() & 0x8d5;
}

static void fixed_states(struct kvm_fpu s[6])
{
	unsigned i;

	set_fninit(&s[0]); /* empty */

	set_fninit(&s[1]); /* three values, TOP 5 */
	set_top(&s[1], 5);
	set_st(&s[1], 0, 1.5L);
	set_st(&s[1], 1, -2.75L);
	set_st(&s[1], 2, 1e10L);

	set_fninit(&s[2]); /* full stack */
	for (i = 0; i < 8; i++)
		set_st(&s[2], i, (long double)i + 0.25L);

	s[3] = s[1]; /* round toward zero, single precision */
	s[3].fcw = 0x0c7f & ~0x0300;

	s[4] = s[1]; /* divide-by-zero and invalid unmasked */
	s[4].fcw = 0x037a;

	set_fninit(&s[5]); /* specials; ST(4) empty */
	set_top(&s[5], 2);
	set_st(&s[5], 0, __builtin_infl());
	set_st(&s[5], 1, __builtin_nanl(""));
	set_st(&s[5], 2, 0x1p-16400L);
	set_st(&s[5], 3, -0.0L);
	set_st(&s[5], 5, 0x1p70L);
	s[5].fsw |= 0x0024; /* PE and ZE already set, masked */
}

/* ---- the kernel's sequences ---- */

/* init.c fpu__init_system_early_generic: fninit; fnstsw; fnstcw. */
START_TEST(test_fpu_probe_sees_fsw_0_and_fcw_037f)
{
	static const uint8_t fninit[] = { 0xdb, 0xe3 };
	static const uint8_t fnstsw[] = { 0xdd, 0x3d, 0x00, 0x02, 0x10, 0x00 }; /* fnstsw 0x100200 */
	static const uint8_t fnstcw[] = { 0xd9, 0x3d, 0x02, 0x02, 0x10, 0x00 }; /* fnstcw 0x100202 */
	struct x87_env env = new_env();
	struct kvm_fpu fpu;
	uint16_t fsw, fcw;
	uint32_t flags;

	random_state(&fpu, &flags);
	fpu.fcw &= ~0x1u;
	fpu.fsw |= 0x8081; /* an invalid-operation exception pending: FNINIT does not wait */
	memset(gptr(0x100200, 4), 0xff, 4); /* fsw = fcw = 0xffff, as the kernel does */

	emulate_ok(&fpu, &env, fninit, sizeof(fninit));
	emulate_ok(&fpu, &env, fnstsw, sizeof(fnstsw));
	emulate_ok(&fpu, &env, fnstcw, sizeof(fnstcw));

	memcpy(&fsw, gptr(0x100200, 2), 2);
	memcpy(&fcw, gptr(0x100202, 2), 2);
	ck_assert_uint_eq(fsw, 0);
	ck_assert_uint_eq(fcw, 0x037f);
	ck_assert(fsw == 0 && (fcw & 0x103f) == 0x003f); /* the kernel's X86_FEATURE_FPU test */
	ck_assert_uint_eq(fpu.ftwx, 0);
}
END_TEST

/* bugs.c fpu__init_check_bugs, the bytes gas makes of its asm. */
START_TEST(test_fdiv_bug_check_gives_zero_like_the_host)
{
	static const uint8_t code[] = {
		0xdb, 0xe3,                         /* fninit */
		0xdd, 0x05, 0x00, 0x03, 0x10, 0x00, /* fldl x */
		0xdc, 0x35, 0x08, 0x03, 0x10, 0x00, /* fdivl y */
		0xdc, 0x0d, 0x08, 0x03, 0x10, 0x00, /* fmull y */
		0xdd, 0x05, 0x00, 0x03, 0x10, 0x00, /* fldl x */
		0xde, 0xe1,                         /* fsubp %st,%st(1) */
		0xdb, 0x1d, 0x10, 0x03, 0x10, 0x00, /* fistpl fdiv_bug */
		0x9b,                               /* fwait */
		0xdb, 0xe3,                         /* fninit */
	};
	static double x = 4195835.0, y = 3145727.0;
	struct x87_env env = new_env();
	struct kvm_fpu fpu;
	int32_t fdiv_bug = -1, host_bug = -1;
	unsigned off = 0, len, steps = 0;
	uint32_t flags;

	memcpy(gptr(0x100300, 8), &x, 8);
	memcpy(gptr(0x100308, 8), &y, 8);
	memset(gptr(0x100310, 4), 0x55, 4);
	random_state(&fpu, &flags);

	while (off < sizeof(code)) {
		ck_assert_int_eq(x87_emulate(&fpu, &env, code + off, sizeof(code) - off, &len),
				 X87_DONE);
		off += len;
		steps++;
	}
	ck_assert_uint_eq(off, sizeof(code));
	ck_assert_uint_eq(steps, 9);
	memcpy(&fdiv_bug, gptr(0x100310, 4), 4);

	__asm__ volatile("fninit\n\tfldl %1\n\tfdivl %2\n\tfmull %2\n\tfldl %1\n\t"
			 "fsubp %%st,%%st(1)\n\tfistpl %0\n\tfwait\n\tfninit"
			 : "=m"(host_bug) : "m"(x), "m"(y));
	ck_assert_int_eq(fdiv_bug, 0);
	ck_assert_int_eq(fdiv_bug, host_bug);
	ck_assert_uint_eq(fpu.fcw, 0x037f);
	ck_assert_uint_eq(fpu.fsw, 0);
	ck_assert_uint_eq(fpu.ftwx, 0);
}
END_TEST

/* internal.h copy_kernel_to_fpregs (X86_BUG_FXSAVE_LEAK): fnclex; emms; fildl. */
START_TEST(test_fxsave_leak_sequence_matches_host)
{
	static const uint8_t fnclex[] = { 0xdb, 0xe2 }, emms[] = { 0x0f, 0x77 };
	static const uint8_t fildl[] = { 0xdb, 0x00 }; /* fildl (%eax) */
	struct kvm_fpu s[6], fpu, host;
	struct x87_env env = new_env();
	_Alignas(16) uint8_t mem[112] = { 0x2a, 0, 0, 0 };
	int32_t v;

	fixed_states(s);
	fpu = s[5]; /* flags set, several registers in use */
	emulate_ok(&fpu, &env, fnclex, sizeof(fnclex));
	ck_assert_uint_eq(fpu.fsw & 0x80ff, 0);
	ck_assert_uint_eq(top_of(&fpu), 2);
	host = s[5];
	host_exec(&host, 0, fnclex, sizeof(fnclex), mem);
	assert_same_x87(&fpu, &host, "fnclex");

	emulate_ok(&fpu, &env, emms, sizeof(emms));
	ck_assert_uint_eq(fpu.ftwx, 0);
	ck_assert_uint_eq(top_of(&fpu), 2); /* EMMS leaves TOP alone */

	compare_with_host(&fpu, 0, fildl, sizeof(fildl), mem, "fildl after emms");
	env = new_env();
	memcpy(gptr(G_OPERAND, 4), mem, 4);
	env.gpr[0] = G_OPERAND;
	emulate_ok(&fpu, &env, fildl, sizeof(fildl));
	ck_assert_uint_eq(top_of(&fpu), 1);
	ck_assert_uint_eq(fpu.ftwx, 1u << 1);
	v = (int32_t)get_st(&fpu, 0);
	ck_assert_int_eq(v, 42);
}
END_TEST

/* internal.h copy_fpregs_to_fpstate without FXSR: fnsave; fwait; later frstor. */
START_TEST(test_fnsave_then_frstor_restores_the_state)
{
	static const uint8_t fnsave[] = { 0xdd, 0x35, 0x00, 0x04, 0x10, 0x00 };
	static const uint8_t fwait[] = { 0x9b };
	static const uint8_t frstor[] = { 0xdd, 0x25, 0x00, 0x04, 0x10, 0x00 };
	static const uint8_t fadd[] = { 0xd8, 0x05, 0x00, 0x05, 0x10, 0x00 };
	struct kvm_fpu s[6], fpu, saved;
	struct x87_env env = new_env();
	float three = 3.0f;
	uint32_t fip, fop_fcs, fdp;

	fixed_states(s);
	fpu = s[1];
	memcpy(gptr(0x100500, 4), &three, 4);
	env.eip = 0xc1000010;
	emulate_ok(&fpu, &env, fadd, sizeof(fadd)); /* gives the pointers a value */
	ck_assert(get_st(&fpu, 0) == 4.5L);
	saved = fpu;

	env.eip = 0xc1000020;
	emulate_ok(&fpu, &env, fnsave, sizeof(fnsave));
	emulate_ok(&fpu, &env, fwait, sizeof(fwait));
	ck_assert_uint_eq(last_write.len, 108);
	/* FNSAVE leaves the FPU as FNINIT does. */
	ck_assert_uint_eq(fpu.fcw, 0x037f);
	ck_assert_uint_eq(fpu.fsw, 0);
	ck_assert_uint_eq(fpu.ftwx, 0);
	ck_assert_uint_eq(fpu.last_ip, 0);
	/* The image names the guest's fadd, not the host's code. */
	memcpy(&fip, gptr(0x100400 + 12, 4), 4);
	memcpy(&fop_fcs, gptr(0x100400 + 16, 4), 4);
	memcpy(&fdp, gptr(0x100400 + 20, 4), 4);
	ck_assert_uint_eq(fip, 0xc1000010);
	ck_assert_uint_eq(fop_fcs >> 16, 0x005);
	ck_assert_uint_eq(fdp, 0x100500);

	emulate_ok(&fpu, &env, frstor, sizeof(frstor));
	ck_assert_uint_eq(fpu.fcw, saved.fcw);
	ck_assert_uint_eq(fpu.fsw, saved.fsw);
	ck_assert_uint_eq(fpu.ftwx, saved.ftwx);
	for (unsigned i = 0; i < 8; i++)
		if (saved.ftwx & (1u << ((top_of(&saved) + i) & 7)))
			ck_assert(!memcmp(fpu.fpr[i], saved.fpr[i], 10));
	ck_assert_uint_eq(fpu.last_ip, 0xc1000010);
	ck_assert_uint_eq(fpu.last_dp, 0x100500);
	ck_assert_uint_eq(fpu.last_opcode, 0x005);
}
END_TEST

/* ---- stack, tags, rounding ---- */

START_TEST(test_push_decrements_top_and_tags_until_overflow)
{
	static const uint8_t fld1[] = { 0xd9, 0xe8 };
	struct x87_env env = new_env();
	struct kvm_fpu fpu, host;
	unsigned i;
	uint64_t mant;
	uint16_t se;

	set_fninit(&fpu);
	for (i = 1; i <= 8; i++) {
		emulate_ok(&fpu, &env, fld1, sizeof(fld1));
		ck_assert_uint_eq(top_of(&fpu), (8 - i) & 7);
		ck_assert_uint_eq(fpu.ftwx, (uint8_t)(0xff << (8 - i)));
		ck_assert(get_st(&fpu, 0) == 1.0L);
	}
	ck_assert_uint_eq(fpu.fsw & 0x00ff, 0);

	/* Ninth push: stack fault, C1 = 1, the masked response is the real indefinite. */
	host = fpu;
	emulate_ok(&fpu, &env, fld1, sizeof(fld1));
	host_exec(&host, 0, fld1, sizeof(fld1), NULL);
	assert_same_x87(&fpu, &host, "fld1 on a full stack");
	ck_assert_uint_eq(fpu.fsw & 0x0241, 0x0241); /* C1 SF IE */
	memcpy(&mant, fpu.fpr[0], 8);
	memcpy(&se, fpu.fpr[0] + 8, 2);
	ck_assert_uint_eq(se, 0xffff);
	ck_assert_uint_eq(mant, 0xc000000000000000ull);
	ck_assert_uint_eq(top_of(&fpu), 7);
}
END_TEST

START_TEST(test_pop_empties_the_register_and_underflow_sets_sf)
{
	static const uint8_t fstp_st0[] = { 0xdd, 0xd8 }, faddp[] = { 0xde, 0xc1 };
	struct kvm_fpu s[6], fpu, host;
	struct x87_env env = new_env();

	fixed_states(s);
	fpu = s[1]; /* TOP 5, physical 5 6 7 in use */
	emulate_ok(&fpu, &env, fstp_st0, sizeof(fstp_st0));
	ck_assert_uint_eq(top_of(&fpu), 6);
	ck_assert_uint_eq(fpu.ftwx, 0xc0);
	ck_assert(get_st(&fpu, 0) == -2.75L);
	emulate_ok(&fpu, &env, faddp, sizeof(faddp));
	ck_assert_uint_eq(top_of(&fpu), 7);
	ck_assert_uint_eq(fpu.ftwx, 0x80);
	ck_assert(get_st(&fpu, 0) == 1e10L - 2.75L);

	/* faddp with ST(1) empty: invalid, stack fault, C1 = 0. */
	host = fpu;
	emulate_ok(&fpu, &env, faddp, sizeof(faddp));
	host_exec(&host, 0, faddp, sizeof(faddp), NULL);
	assert_same_x87(&fpu, &host, "faddp on one register");
	ck_assert_uint_eq(fpu.fsw & 0x0241, 0x0041);
}
END_TEST

START_TEST(test_fistp_rounds_as_the_control_word_says)
{
	static const uint8_t fistpl[] = { 0xdb, 0x18 }; /* fistpl (%eax) */
	static const struct { long double v; unsigned rc; int32_t want; } cases[] = {
		{ 2.5L, 0, 2 }, { 3.5L, 0, 4 }, { -2.5L, 0, -2 }, { 2.7L, 3, 2 }, { -2.7L, 3, -2 },
		{ -2.5L, 1, -3 }, { 2.1L, 2, 3 }, { -2.1L, 2, -2 }, { 2.9L, 1, 2 },
	};
	_Alignas(16) uint8_t mem[112] = { 0 };

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x87_env env = new_env();
		struct kvm_fpu fpu;
		int32_t got;

		set_fninit(&fpu);
		fpu.fcw = (uint16_t)(0x037f | (cases[i].rc << 10));
		set_top(&fpu, 7);
		set_st(&fpu, 0, cases[i].v);
		compare_with_host(&fpu, 0, fistpl, sizeof(fistpl), mem, "fistpl");

		env.gpr[0] = G_OPERAND;
		emulate_ok(&fpu, &env, fistpl, sizeof(fistpl));
		memcpy(&got, gptr(G_OPERAND, 4), 4);
		ck_assert_int_eq(got, cases[i].want);
		ck_assert_uint_eq(fpu.ftwx, 0);
		ck_assert_uint_eq(top_of(&fpu), 0);
		ck_assert_uint_eq(fpu.fsw & 0x20, 0x20); /* inexact */
	}
}
END_TEST

START_TEST(test_fnstsw_ax_writes_only_ax)
{
	static const uint8_t fnstsw_ax[] = { 0xdf, 0xe0 };
	struct kvm_fpu s[6], fpu;
	struct x87_env env = new_env();

	fixed_states(s);
	fpu = s[5];
	env.gpr[0] = 0xdeadbeef;
	env.gpr[2] = 0x12345678;
	emulate_ok(&fpu, &env, fnstsw_ax, sizeof(fnstsw_ax));
	ck_assert_uint_eq(env.gpr[0], 0xdead0000u | s[5].fsw);
	ck_assert_uint_eq(env.gpr[2], 0x12345678);
	ck_assert_uint_eq(reads + writes, 0);
}
END_TEST

START_TEST(test_fcomi_sets_eflags_and_keeps_the_rest)
{
	static const uint8_t fcomi[] = { 0xdb, 0xf1 }, fucomip[] = { 0xdf, 0xe9 };
	static const uint8_t fcmovb[] = { 0xda, 0xc1 };
	struct kvm_fpu s[6], fpu;
	struct x87_env env = new_env();
	_Alignas(16) uint8_t mem[112] = { 0 };

	fixed_states(s);
	fpu = s[1]; /* 1.5 > -2.75: ZF PF CF clear */
	env.eflags = 0x00000ed5; /* OF DF IF SF ZF AF PF CF */
	emulate_ok(&fpu, &env, fcomi, sizeof(fcomi));
	ck_assert_uint_eq(env.eflags & (X87_EFLAGS_ZF | X87_EFLAGS_PF | X87_EFLAGS_CF), 0);
	ck_assert_uint_eq(env.eflags & 0x400, 0x400); /* DF is not the FPU's */
	compare_with_host(&s[1], 0x00000ed5, fcomi, sizeof(fcomi), mem, "fcomi");
	compare_with_host(&s[5], 0x00000ed5, fucomip, sizeof(fucomip), mem, "fucomip with NaN");
	compare_with_host(&s[1], X87_EFLAGS_CF, fcmovb, sizeof(fcmovb), mem, "fcmovb taken");
	compare_with_host(&s[1], 0, fcmovb, sizeof(fcmovb), mem, "fcmovb not taken");
}
END_TEST

/* ---- addressing ---- */

START_TEST(test_modrm_sib_forms_address_like_hardware)
{
	static const struct {
		uint8_t code[10];
		unsigned n;
		uint32_t addr;
		int seg;
	} cases[] = {
		{ { 0xd9, 0x3d, 0x10, 0x00, 0x10, 0x00 }, 6, 0x100010, X87_SEG_DS },  /* [disp32] */
		{ { 0xd9, 0x7b, 0x08 }, 3, 0x100808, X87_SEG_DS },                    /* [ebx+8] */
		{ { 0xd9, 0x7b, 0xf8 }, 3, 0x1007f8, X87_SEG_DS },                    /* [ebx-8] */
		{ { 0xd9, 0xbe, 0x00, 0x01, 0x00, 0x00 }, 6, 0x100a00, X87_SEG_DS },  /* [esi+disp32] */
		{ { 0xd9, 0x7d, 0xf8 }, 3, 0x100ff8, X87_SEG_SS },                    /* [ebp-8] */
		{ { 0xd9, 0xbd, 0x10, 0x00, 0x00, 0x00 }, 6, 0x101010, X87_SEG_SS },  /* [ebp+disp32] */
		{ { 0xd9, 0x3c, 0x24 }, 3, 0x101800, X87_SEG_SS },                    /* [esp] */
		{ { 0xd9, 0x7c, 0x24, 0x04 }, 4, 0x101804, X87_SEG_SS },              /* [esp+4] */
		{ { 0xd9, 0x7c, 0xbe, 0x10 }, 4, 0x100910 + 4 * 0x20, X87_SEG_DS },  /* [esi+edi*4+0x10] */
		{ { 0xd9, 0x3c, 0xfd, 0x00, 0x01, 0x10, 0x00 }, 7, 0x100100 + 8 * 0x20,
		  X87_SEG_DS },                                                         /* [edi*8+disp32] */
		{ { 0xd9, 0x7c, 0x25, 0x04 }, 4, 0x101004, X87_SEG_SS },              /* SIB [ebp+4] */
		{ { 0xd9, 0x3c, 0x4b }, 3, 0x100800 + 2 * 0x10, X87_SEG_DS },         /* [ebx+ecx*2] */
		{ { 0x64, 0xd9, 0x3b }, 3, 0x100800, X87_SEG_FS },                    /* fs:[ebx] */
		{ { 0x26, 0xd9, 0x7d, 0xf8 }, 4, 0x100ff8, X87_SEG_ES },              /* es:[ebp-8] */
		{ { 0x65, 0x3e, 0xd9, 0x3c, 0x24 }, 5, 0x101800, X87_SEG_DS },        /* last wins */
		{ { 0x2e, 0xd9, 0x38 }, 3, 0x100100, X87_SEG_CS },                    /* cs:[eax] */
		{ { 0x36, 0xd9, 0x3e }, 3, 0x100900, X87_SEG_SS },                    /* ss:[esi] */
		{ { 0xd9, 0xba, 0x10, 0x00, 0xf0, 0xff }, 6, 0x100010, X87_SEG_DS },  /* wraps at 4 GiB */
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x87_env env = new_env();
		struct kvm_fpu fpu;
		unsigned len = 0;

		env.gpr[0] = 0x100100; /* eax */
		env.gpr[1] = 0x10;     /* ecx */
		env.gpr[2] = 0x200000; /* edx */
		env.gpr[3] = 0x100800; /* ebx */
		env.gpr[4] = 0x101800; /* esp */
		env.gpr[5] = 0x101000; /* ebp */
		env.gpr[6] = 0x100900; /* esi */
		env.gpr[7] = 0x20;     /* edi */
		set_fninit(&fpu);
		ck_assert_int_eq(x87_emulate(&fpu, &env, cases[i].code, sizeof(cases[i].code), &len),
				 X87_DONE);
		ck_assert_msg(len == cases[i].n, "case %u: length %u", i, len);
		ck_assert_uint_eq(writes, 1);
		ck_assert_msg(last_write.addr == cases[i].addr, "case %u: address %x", i,
			      last_write.addr);
		ck_assert_msg(last_write.seg == cases[i].seg, "case %u: segment %d", i,
			      last_write.seg);
		ck_assert_uint_eq(last_write.len, 2);
	}
}
END_TEST

START_TEST(test_address_size_prefix_is_refused)
{
	static const uint8_t code[] = { 0x67, 0xd9, 0x3f, 0x90 };
	struct x87_env env = new_env();
	struct kvm_fpu fpu, before;
	unsigned len = 0;
	char reason[80];

	set_fninit(&fpu);
	before = fpu;
	ck_assert_int_eq(x87_emulate(&fpu, &env, code, sizeof(code), &len), X87_UNSUPPORTED);
	ck_assert(!memcmp(&fpu, &before, sizeof(fpu)));
	ck_assert_uint_eq(reads + writes, 0);
	x87_unsupported_reason(code, sizeof(code), reason, sizeof(reason));
	ck_assert_str_eq(reason, "unsupported x87 instruction 67 d9 3f");
}
END_TEST

/* ---- what is refused ---- */

START_TEST(test_reserved_x87_encodings_are_unsupported)
{
	static const struct { uint8_t code[8]; unsigned n; const char *reason; } cases[] = {
		{ { 0xd9, 0xd1 }, 2, "unsupported x87 instruction d9 d1" },
		{ { 0xd9, 0xd8 }, 2, "unsupported x87 instruction d9 d8" }, /* fstp1 alias */
		{ { 0xd9, 0xef }, 2, "unsupported x87 instruction d9 ef" },
		{ { 0xdd, 0x2d, 1, 2, 3, 4, 0x90 }, 7, "unsupported x87 instruction dd 2d 01 02 03 04" },
		{ { 0xdb, 0x60, 0x08 }, 3, "unsupported x87 instruction db 60 08" },
		{ { 0xdf, 0xc0 }, 2, "unsupported x87 instruction df c0" }, /* ffreep */
		{ { 0xf0, 0xd8, 0xc1 }, 3, "unsupported x87 instruction f0 d8 c1" }, /* lock */
		{ { 0x66, 0xd9, 0x30 }, 3, "unsupported x87 instruction 66 d9 30" }, /* 16-bit fnstenv */
		{ { 0xd9 }, 1, "unsupported x87 instruction d9" },                   /* cut short */
		{ { 0xd9, 0x05, 0x00, 0x10 }, 4, "unsupported x87 instruction d9 05 00 10" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x87_env env = new_env();
		struct kvm_fpu fpu, before;
		unsigned len = 0;
		char reason[80];

		set_fninit(&fpu);
		before = fpu;
		ck_assert_msg(x87_emulate(&fpu, &env, cases[i].code, cases[i].n, &len) ==
			      X87_UNSUPPORTED, "case %u", i);
		ck_assert(!memcmp(&fpu, &before, sizeof(fpu)));
		x87_unsupported_reason(cases[i].code, cases[i].n, reason, sizeof(reason));
		ck_assert_str_eq(reason, cases[i].reason);
	}
}
END_TEST

START_TEST(test_non_x87_bytes_are_not_claimed)
{
	static const struct { uint8_t code[4]; unsigned n; } cases[] = {
		{ { 0x90 }, 1 }, { { 0x0f, 0x05 }, 2 }, { { 0xcd, 0x80 }, 2 }, { { 0x66, 0x90 }, 2 },
		{ { 0x0f, 0xae, 0x07 }, 3 }, { { 0x66, 0x0f, 0x77 }, 3 }, { { 0x64 }, 1 }, { { 0 }, 0 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x87_env env = new_env();
		struct kvm_fpu fpu;
		unsigned len = 0;

		set_fninit(&fpu);
		ck_assert_msg(x87_emulate(&fpu, &env, cases[i].code, cases[i].n, &len) ==
			      X87_NOT_X87, "case %u", i);
	}
}
END_TEST

START_TEST(test_over_15_bytes_is_unsupported)
{
	uint8_t code[16];
	struct x87_env env = new_env();
	struct kvm_fpu fpu;
	unsigned len = 0;

	memset(code, 0x3e, 14);
	code[14] = 0xd9;
	code[15] = 0xe8;
	set_fninit(&fpu);
	ck_assert_int_eq(x87_emulate(&fpu, &env, code, 16, &len), X87_UNSUPPORTED);
	ck_assert_int_eq(x87_emulate(&fpu, &env, code + 1, 15, &len), X87_DONE);
	ck_assert_uint_eq(len, 15);
}
END_TEST

/* ---- faults ---- */

START_TEST(test_read_fault_changes_nothing)
{
	static const uint8_t fld_m32[] = { 0xd9, 0x05, 0x00, 0x00, 0x10, 0x00 };
	struct kvm_fpu s[6], fpu;
	struct x87_env env = new_env();
	unsigned len;

	fixed_states(s);
	fpu = s[1];
	fail_read = true;
	ck_assert_int_eq(x87_emulate(&fpu, &env, fld_m32, sizeof(fld_m32), &len), X87_MEM_FAULT);
	ck_assert(!memcmp(&fpu, &s[1], sizeof(fpu)));
	ck_assert_uint_eq(last_read.addr, 0x100000);
	ck_assert_uint_eq(last_read.len, 4);
}
END_TEST

START_TEST(test_write_fault_does_not_pop)
{
	static const uint8_t fstpl[] = { 0xdd, 0x1d, 0x00, 0x00, 0x10, 0x00 };
	struct kvm_fpu s[6], fpu;
	struct x87_env env = new_env();
	unsigned len;

	fixed_states(s);
	fpu = s[1];
	fail_write = true;
	ck_assert_int_eq(x87_emulate(&fpu, &env, fstpl, sizeof(fstpl), &len), X87_MEM_FAULT);
	ck_assert(!memcmp(&fpu, &s[1], sizeof(fpu)));
	ck_assert_uint_eq(last_write.len, 8);
}
END_TEST

/* ---- unmasked exceptions ---- */

START_TEST(test_unmasked_exception_is_delivered_at_the_next_waiting_insn)
{
	static const uint8_t fdiv_zero[] = { 0xd8, 0xf1 };      /* fdiv %st(1),%st with ST(1) = 0 */
	static const uint8_t fadd[] = { 0xd8, 0xc1 }, fwait[] = { 0x9b }, emms[] = { 0x0f, 0x77 };
	static const uint8_t fnstsw_ax[] = { 0xdf, 0xe0 }, fnclex[] = { 0xdb, 0xe2 };
	struct kvm_fpu fpu, host, before;
	struct x87_env env = new_env();
	unsigned len;

	set_fninit(&fpu);
	fpu.fcw = 0x037b; /* ZM clear */
	set_top(&fpu, 6);
	set_st(&fpu, 0, 1.0L);
	set_st(&fpu, 1, 0.0L);
	host = fpu;
	emulate_ok(&fpu, &env, fdiv_zero, sizeof(fdiv_zero));
	host_exec(&host, 0, fdiv_zero, sizeof(fdiv_zero), NULL);
	assert_same_x87(&fpu, &host, "unmasked divide by zero");
	ck_assert_uint_eq(fpu.fsw & 0x8084, 0x8084); /* B ES ZE */
	ck_assert(get_st(&fpu, 0) == 1.0L);          /* the destination is kept */

	before = fpu;
	ck_assert_int_eq(x87_emulate(&fpu, &env, fadd, sizeof(fadd), &len), X87_MATH_FAULT);
	ck_assert_int_eq(x87_emulate(&fpu, &env, fwait, sizeof(fwait), &len), X87_MATH_FAULT);
	ck_assert_int_eq(x87_emulate(&fpu, &env, emms, sizeof(emms), &len), X87_MATH_FAULT);
	ck_assert(!memcmp(&fpu, &before, sizeof(fpu)));

	emulate_ok(&fpu, &env, fnstsw_ax, sizeof(fnstsw_ax)); /* the handler's look */
	ck_assert_uint_eq(env.gpr[0] & 0xffff, before.fsw);
	emulate_ok(&fpu, &env, fnclex, sizeof(fnclex));
	ck_assert_uint_eq(fpu.fsw & 0x80ff, 0);
	emulate_ok(&fpu, &env, fwait, sizeof(fwait));
}
END_TEST

START_TEST(test_unmasked_invalid_store_leaves_memory)
{
	static const uint8_t fistps[] = { 0xdf, 0x18 }; /* fistp (%eax), m16 */
	struct x87_env env = new_env();
	_Alignas(16) uint8_t mem[112];
	struct kvm_fpu fpu;

	memset(mem, 0xa5, sizeof(mem));
	set_fninit(&fpu);
	fpu.fcw = 0x037e; /* IM clear */
	set_top(&fpu, 7);
	set_st(&fpu, 0, 1e10L); /* does not fit 16 bits */
	compare_with_host(&fpu, 0, fistps, sizeof(fistps), mem, "unmasked fistp overflow");

	memcpy(gptr(G_OPERAND, 112), mem, 112);
	env.gpr[0] = G_OPERAND;
	emulate_ok(&fpu, &env, fistps, sizeof(fistps));
	ck_assert_uint_eq(writes, 0);
	ck_assert_uint_eq(top_of(&fpu), 7); /* not popped */
}
END_TEST

/* ---- FPU instruction and data pointers ---- */

START_TEST(test_pointers_follow_the_last_non_control_instruction)
{
	static const uint8_t fadds[] = { 0xd8, 0x43, 0x04 };   /* fadds 4(%ebx) */
	static const uint8_t fnclex[] = { 0xdb, 0xe2 }, fchs[] = { 0xd9, 0xe0 };
	static const uint8_t fnstenv[] = { 0xd9, 0x33 }, fldenv[] = { 0xd9, 0x23 };
	static const uint8_t fninit[] = { 0xdb, 0xe3 };
	struct kvm_fpu s[6], fpu;
	struct x87_env env = new_env();
	uint32_t v;

	fixed_states(s);
	fpu = s[1];
	env.gpr[3] = 0x100800;
	env.eip = 0x8048000;
	emulate_ok(&fpu, &env, fadds, sizeof(fadds));
	ck_assert_uint_eq(fpu.last_ip, 0x8048000);
	ck_assert_uint_eq(fpu.last_dp, 0x100804);
	ck_assert_uint_eq(fpu.last_opcode, 0x043);

	env.eip = 0x8048010;
	emulate_ok(&fpu, &env, fnclex, sizeof(fnclex));
	ck_assert_uint_eq(fpu.last_ip, 0x8048000);

	emulate_ok(&fpu, &env, fchs, sizeof(fchs)); /* register form: DP stays */
	ck_assert_uint_eq(fpu.last_ip, 0x8048010);
	ck_assert_uint_eq(fpu.last_opcode, 0x1e0);
	ck_assert_uint_eq(fpu.last_dp, 0x100804);

	emulate_ok(&fpu, &env, fnstenv, sizeof(fnstenv));
	ck_assert_uint_eq(last_write.len, 28);
	memcpy(&v, gptr(0x100800 + 12, 4), 4);
	ck_assert_uint_eq(v, 0x8048010);
	memcpy(&v, gptr(0x100800 + 16, 4), 4);
	ck_assert_uint_eq(v, 0x1e0u << 16);
	memcpy(&v, gptr(0x100800 + 20, 4), 4);
	ck_assert_uint_eq(v, 0x100804);
	ck_assert_uint_eq(fpu.fcw & 0x3f, 0x3f); /* FNSTENV masks everything */

	emulate_ok(&fpu, &env, fninit, sizeof(fninit));
	ck_assert_uint_eq(fpu.last_ip | fpu.last_dp | fpu.last_opcode, 0);
	emulate_ok(&fpu, &env, fldenv, sizeof(fldenv));
	ck_assert_uint_eq(fpu.last_ip, 0x8048010);
	ck_assert_uint_eq(fpu.last_dp, 0x100804);
	ck_assert_uint_eq(fpu.last_opcode, 0x1e0);
	ck_assert_uint_eq(fpu.fcw, s[1].fcw);
	ck_assert_uint_eq(fpu.ftwx, s[1].ftwx);
	ck_assert_uint_eq(top_of(&fpu), 5);
}
END_TEST

/* ---- every supported encoding against the host ---- */

static void compare_all_forms(const struct kvm_fpu *state, uint32_t eflags, const uint8_t mem[112])
{
	for (unsigned op = 0xd8; op <= 0xdf; op++) {
		for (unsigned m = 0; m < 72; m++) {
			/* Memory forms use (%eax); the register forms follow. */
			uint8_t code[2] = { (uint8_t)op,
					    (uint8_t)(m < 8 ? m << 3 : 0xc0 | (m - 8)) };
			struct x87_env env = new_env();
			struct kvm_fpu probe = *state;
			char what[64];
			unsigned len;

			env.gpr[0] = G_OPERAND;
			if (x87_emulate(&probe, &env, code, 2, &len) == X87_UNSUPPORTED)
				continue;
			snprintf(what, sizeof(what), "%02x %02x fcw %04x fsw %04x", code[0], code[1],
				 state->fcw, state->fsw);
			compare_with_host(state, eflags, code, 2, mem, what);
		}
	}
}

START_TEST(test_every_form_matches_the_host_on_fixed_states)
{
	struct kvm_fpu s[6];
	_Alignas(16) uint8_t mem[112];
	double d = 0.1;
	float f = 3.0f;

	fixed_states(s);
	for (unsigned k = 0; k < 3; k++) {
		memset(mem, 0, sizeof(mem));
		if (k == 0)
			memcpy(mem, &f, 4); /* also int32 0x40400000 and int16 0 */
		else if (k == 1)
			memcpy(mem, &d, 8);
		else
			for (unsigned i = 0; i < sizeof(mem); i++)
				mem[i] = (uint8_t)rng();
		mem[0x20] = 0x7f; /* an FCW in a loaded image: not all zero */
		for (unsigned i = 0; i < 6; i++)
			compare_all_forms(&s[i], 0x41, mem);
	}
}
END_TEST

START_TEST(test_every_form_matches_the_host_on_random_states)
{
	_Alignas(16) uint8_t mem[112];
	struct kvm_fpu fpu;
	uint32_t eflags;

	for (unsigned k = 0; k < 40; k++) {
		random_state(&fpu, &eflags);
		for (unsigned i = 0; i < sizeof(mem); i++)
			mem[i] = (uint8_t)rng();
		if (k % 2)
			random_reg(mem); /* a sensible m80 (and its low bytes as m16/m32/m64) */
		compare_all_forms(&fpu, eflags, mem);
	}
}
END_TEST

START_TEST(test_documented_forms_are_all_supported)
{
	/* Spot checks that the whitelist holds what the kernel and libm use. */
	static const uint8_t forms[][2] = {
		{ 0xd9, 0xc9 }, { 0xd9, 0xe0 }, { 0xd9, 0xe1 }, { 0xd9, 0xe8 }, { 0xd9, 0xee },
		{ 0xd9, 0xfa }, { 0xd9, 0xfc }, { 0xd9, 0xfd }, { 0xdd, 0xc3 }, { 0xde, 0xd9 },
		{ 0xda, 0xe9 }, { 0xdb, 0xe2 }, { 0xdb, 0xe3 }, { 0xdf, 0xe0 }, { 0xdd, 0xe1 },
		{ 0xdd, 0xe9 }, { 0xde, 0xf9 }, { 0xdc, 0xc1 }, { 0xdb, 0xe0 },
	};
	for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct x87_env env = new_env();
		struct kvm_fpu fpu;
		unsigned len;

		set_fninit(&fpu);
		set_top(&fpu, 6);
		set_st(&fpu, 0, 2.0L);
		set_st(&fpu, 1, 3.0L);
		ck_assert_msg(x87_emulate(&fpu, &env, forms[i], 2, &len) == X87_DONE, "%02x %02x",
			      forms[i][0], forms[i][1]);
	}
}
END_TEST

static Suite *x87_suite(void)
{
	Suite *s = suite_create("x87");
	TCase *kernel = tcase_create("kernel"), *stack = tcase_create("stack");
	TCase *decode = tcase_create("decode"), *faults = tcase_create("faults");
	TCase *host = tcase_create("host");

	tcase_add_test(kernel, test_fpu_probe_sees_fsw_0_and_fcw_037f);
	tcase_add_test(kernel, test_fdiv_bug_check_gives_zero_like_the_host);
	tcase_add_test(kernel, test_fxsave_leak_sequence_matches_host);
	tcase_add_test(kernel, test_fnsave_then_frstor_restores_the_state);
	tcase_add_test(stack, test_push_decrements_top_and_tags_until_overflow);
	tcase_add_test(stack, test_pop_empties_the_register_and_underflow_sets_sf);
	tcase_add_test(stack, test_fistp_rounds_as_the_control_word_says);
	tcase_add_test(stack, test_fnstsw_ax_writes_only_ax);
	tcase_add_test(stack, test_fcomi_sets_eflags_and_keeps_the_rest);
	tcase_add_test(stack, test_pointers_follow_the_last_non_control_instruction);
	tcase_add_test(decode, test_modrm_sib_forms_address_like_hardware);
	tcase_add_test(decode, test_address_size_prefix_is_refused);
	tcase_add_test(decode, test_reserved_x87_encodings_are_unsupported);
	tcase_add_test(decode, test_non_x87_bytes_are_not_claimed);
	tcase_add_test(decode, test_over_15_bytes_is_unsupported);
	tcase_add_test(decode, test_documented_forms_are_all_supported);
	tcase_add_test(faults, test_read_fault_changes_nothing);
	tcase_add_test(faults, test_write_fault_does_not_pop);
	tcase_add_test(faults, test_unmasked_exception_is_delivered_at_the_next_waiting_insn);
	tcase_add_test(faults, test_unmasked_invalid_store_leaves_memory);
	tcase_add_test(host, test_every_form_matches_the_host_on_fixed_states);
	tcase_add_test(host, test_every_form_matches_the_host_on_random_states);
	suite_add_tcase(s, kernel);
	suite_add_tcase(s, stack);
	suite_add_tcase(s, decode);
	suite_add_tcase(s, faults);
	suite_add_tcase(s, host);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(x87_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
