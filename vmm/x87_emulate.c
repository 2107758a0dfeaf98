/*
 * x87 emulation by replay on the host FPU.
 *
 * Rather than reimplementing IEEE arithmetic, tags and condition codes, each
 * guest instruction is decoded and checked here, its memory operand is read
 * through the callbacks into a local buffer, and the same opcode is executed by
 * the host with the guest's state: a stub does FXRSTOR of the guest state,
 * the instruction (its ModRM rewritten to address the buffer through %rsi),
 * FXSAVE and FNINIT.  Only non-waiting instructions follow the guest's one, so
 * an unmasked exception it raises stays pending in the saved FSW (ES set) and is
 * never delivered to the VMM; the guest's next waiting instruction gets it as
 * #MF (X87_MATH_FAULT).  x87 behaves the same in 64-bit and compatibility mode
 * except for the FPU IP/DP, which are computed here from the guest's view.
 */
#include "vmm/x87_emulate.h"

#include <stdio.h>
#include <string.h>

/* Properties of one instruction form. */
#define F_BAD     0x0001u /* reserved encoding: #UD on hardware */
#define F_CONTROL 0x0002u /* does not become the FPU's "last instruction" */
#define F_NOWAIT  0x0004u /* FN... forms: run despite a pending exception */
#define F_ENV     0x0008u /* image layout depends on 0x66: only the 32-bit one runs */
#define F_SSE3    0x0010u /* FISTTP: the host must have SSE3 */
#define F_NOP     0x0020u /* FENI, FDISI, FSETPM: no-ops since the 387 */
#define F_LOAD    0x0040u /* reads its memory operand */
#define F_STORE   0x0080u /* writes its memory operand */
#define F_INIT    0x0100u /* FNINIT, FNSAVE: FPU IP/DP/opcode become 0 */
#define F_LDENV   0x0200u /* FLDENV, FRSTOR: FPU IP/DP/opcode come from memory */
#define F_STENV   0x0400u /* FNSTENV, FNSAVE: the image holds the guest's IP/DP */
#define F_AX      0x0800u /* FNSTSW AX */

#define X87_FSW_ES      0x0080u
#define X87_EXC_MASK    0x003fu /* IE DE ZE OE UE PE, in FSW and FCW alike */
#define X87_EXC_PE      0x0020u
#define X87_ARITH_FLAGS (X87_EFLAGS_CF | X87_EFLAGS_PF | X87_EFLAGS_AF | X87_EFLAGS_ZF | \
			 X87_EFLAGS_SF | X87_EFLAGS_OF)

#define X87_OP_WAIT 0x9b
#define X87_OP_EMMS 0x77 /* 0f 77 */

/* Memory forms by opcode (d8..df) and ModRM reg field: operand size and flags. */
static const struct x87_mem_form {
	uint8_t size;
	uint16_t flags;
} x87_mem_forms[8][8] = {
	/* d8: fadd fmul fcom fcomp fsub fsubr fdiv fdivr m32fp */
	[0] = { { 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD },
		{ 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD } },
	/* d9: fld m32, -, fst m32, fstp m32, fldenv, fldcw, fnstenv, fnstcw */
	[1] = { { 4, F_LOAD }, { 0, F_BAD }, { 4, F_STORE }, { 4, F_STORE },
		{ 28, F_LOAD | F_CONTROL | F_ENV | F_LDENV }, { 2, F_LOAD | F_CONTROL },
		{ 28, F_STORE | F_CONTROL | F_NOWAIT | F_ENV | F_STENV },
		{ 2, F_STORE | F_CONTROL | F_NOWAIT } },
	/* da: fiadd fimul ficom ficomp fisub fisubr fidiv fidivr m32int */
	[2] = { { 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD },
		{ 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD }, { 4, F_LOAD } },
	/* db: fild m32, fisttp m32, fist m32, fistp m32, -, fld m80, -, fstp m80 */
	[3] = { { 4, F_LOAD }, { 4, F_STORE | F_SSE3 }, { 4, F_STORE }, { 4, F_STORE },
		{ 0, F_BAD }, { 10, F_LOAD }, { 0, F_BAD }, { 10, F_STORE } },
	/* dc: fadd fmul fcom fcomp fsub fsubr fdiv fdivr m64fp */
	[4] = { { 8, F_LOAD }, { 8, F_LOAD }, { 8, F_LOAD }, { 8, F_LOAD },
		{ 8, F_LOAD }, { 8, F_LOAD }, { 8, F_LOAD }, { 8, F_LOAD } },
	/* dd: fld m64, fisttp m64, fst m64, fstp m64, frstor, -, fnsave, fnstsw m16 */
	[5] = { { 8, F_LOAD }, { 8, F_STORE | F_SSE3 }, { 8, F_STORE }, { 8, F_STORE },
		{ 108, F_LOAD | F_CONTROL | F_ENV | F_LDENV }, { 0, F_BAD },
		{ 108, F_STORE | F_CONTROL | F_NOWAIT | F_ENV | F_STENV | F_INIT },
		{ 2, F_STORE | F_CONTROL | F_NOWAIT } },
	/* de: fiadd fimul ficom ficomp fisub fisubr fidiv fidivr m16int */
	[6] = { { 2, F_LOAD }, { 2, F_LOAD }, { 2, F_LOAD }, { 2, F_LOAD },
		{ 2, F_LOAD }, { 2, F_LOAD }, { 2, F_LOAD }, { 2, F_LOAD } },
	/* df: fild m16, fisttp m16, fist m16, fistp m16, fbld, fild m64, fbstp, fistp m64 */
	[7] = { { 2, F_LOAD }, { 2, F_STORE | F_SSE3 }, { 2, F_STORE }, { 2, F_STORE },
		{ 10, F_LOAD }, { 8, F_LOAD }, { 10, F_STORE }, { 8, F_STORE } },
};

/* Register forms (ModRM mod == 3): the documented encodings only. */
static unsigned x87_reg_form(uint8_t op, uint8_t modrm)
{
	unsigned reg = (modrm >> 3) & 7, i = modrm & 7;

	switch (op) {
	case 0xd8: /* fadd fmul fcom fcomp fsub fsubr fdiv fdivr st(0), st(i) */
		return 0;
	case 0xd9:
		switch (reg) {
		case 0: /* fld st(i) */
		case 1: /* fxch */
		case 6: /* f2xm1 fyl2x fptan fpatan fxtract fprem1 fdecstp fincstp */
		case 7: /* fprem fyl2xp1 fsqrt fsincos frndint fscale fsin fcos */
			return 0;
		case 2: /* fnop */
			return i == 0 ? 0 : F_BAD;
		case 4: /* fchs fabs - - ftst fxam - - */
			return (i == 0 || i == 1 || i == 4 || i == 5) ? 0 : F_BAD;
		case 5: /* fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz - */
			return i != 7 ? 0 : F_BAD;
		default:
			return F_BAD;
		}
	case 0xda:
		if (reg < 4) /* fcmovb fcmove fcmovbe fcmovu */
			return 0;
		return modrm == 0xe9 ? 0 : F_BAD; /* fucompp */
	case 0xdb:
		if (reg < 4 || reg == 5 || reg == 6) /* fcmovn*, fucomi, fcomi */
			return 0;
		if (reg != 4)
			return F_BAD;
		switch (i) {
		case 0: /* feni */
		case 1: /* fdisi */
		case 4: /* fsetpm */
			return F_NOP | F_CONTROL | F_NOWAIT;
		case 2: /* fnclex */
			return F_CONTROL | F_NOWAIT;
		case 3: /* fninit */
			return F_CONTROL | F_NOWAIT | F_INIT;
		default:
			return F_BAD;
		}
	case 0xdc: /* fadd fmul - - fsubr fsub fdivr fdiv st(i), st(0) */
		return (reg == 2 || reg == 3) ? F_BAD : 0;
	case 0xdd: /* ffree - fst fstp fucom fucomp - - */
		return (reg == 1 || reg >= 6) ? F_BAD : 0;
	case 0xde: /* faddp fmulp - fcompp fsubrp fsubp fdivrp fdivp */
		if (reg == 2)
			return F_BAD;
		if (reg == 3)
			return modrm == 0xd9 ? 0 : F_BAD;
		return 0;
	case 0xdf:
		if (reg == 5 || reg == 6) /* fucomip fcomip */
			return 0;
		if (modrm == 0xe0) /* fnstsw %ax */
			return F_CONTROL | F_NOWAIT | F_AX;
		return F_BAD;
	}
	return F_BAD;
}

/*
 * The host stubs, 72 per opcode d8..df: 8 memory forms (ModRM reg field, the
 * operand at (%rsi)) then the 64 register forms.  Each is
 *     void stub(uint8_t fxsave_area[512] (%rdi), void *operand (%rsi))
 * and returns %rax (FNSTSW AX); it takes EFLAGS from area[0x1f0] and leaves the
 * resulting EFLAGS in area[0x1f8], bytes FXSAVE neither reads nor writes.
 * Reserved encodings get stubs too but are never called.
 */
#define X87_STUB_SIZE     32
#define X87_STUBS_PER_OP  72
#define X87_AREA_FLAGS_IN  0x1f0
#define X87_AREA_FLAGS_OUT 0x1f8

__asm__(
	"	.pushsection .text, \"ax\", @progbits\n"
	"	.macro x87_host_stub op, modrm\n"
	"	.byte 0xf3, 0x0f, 0x1e, 0xfa\n"             /* endbr64 */
	"	.byte 0xff, 0xb7, 0xf0, 0x01, 0x00, 0x00\n" /* push 0x1f0(%rdi) */
	"	.byte 0x9d\n"                               /* popfq */
	"	.byte 0x0f, 0xae, 0x0f\n"                   /* fxrstor (%rdi) */
	"	.byte \\op, \\modrm\n"                      /* the guest's instruction */
	"	.byte 0x0f, 0xae, 0x07\n"                   /* fxsave (%rdi) */
	"	.byte 0x9c\n"                               /* pushfq */
	"	.byte 0x8f, 0x87, 0xf8, 0x01, 0x00, 0x00\n" /* pop 0x1f8(%rdi) */
	"	.byte 0xdb, 0xe3\n"                         /* fninit: nothing left pending */
	"	.byte 0xc3\n"                               /* ret */
	"	.fill 3, 1, 0xcc\n"                         /* to 32 bytes */
	"	.endm\n"
	"	.balign 32\n"
	"	.type x87_host_stubs, @function\n"
	"x87_host_stubs:\n"
	"	.irp op, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf\n"
	"	.irp reg, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"	x87_host_stub \\op, (\\reg << 3) | 6\n"
	"	.endr\n"
	"	.irp reg, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"	.irp i, 0, 1, 2, 3, 4, 5, 6, 7\n"
	"	x87_host_stub \\op, 0xc0 | (\\reg << 3) | \\i\n"
	"	.endr\n"
	"	.endr\n"
	"	.endr\n"
	"	.if . - x87_host_stubs != 8 * 72 * 32\n"
	"	.error \"x87 host stubs are not 32 bytes each\"\n"
	"	.endif\n"
	"	.size x87_host_stubs, . - x87_host_stubs\n"
	"	.purgem x87_host_stub\n"
	"	.popsection\n");

extern const char x87_host_stubs[] __attribute__((visibility("hidden")));

typedef uint64_t (*x87_stub_fn)(uint8_t *area, void *operand);

/* One decoded instruction. */
struct x87_insn {
	unsigned len;
	uint8_t op; /* 0xd8..0xdf, X87_OP_WAIT or X87_OP_EMMS */
	uint8_t modrm;
	bool opsize, addrsize, lock, rep;
	int seg_override; /* -1: none */
	bool mem;
	int base, index;  /* -1: none */
	unsigned scale;
	uint32_t disp;
};

static bool x87_is_seg_prefix(uint8_t b, int *seg)
{
	switch (b) {
	case 0x26: *seg = X87_SEG_ES; return true;
	case 0x2e: *seg = X87_SEG_CS; return true;
	case 0x36: *seg = X87_SEG_SS; return true;
	case 0x3e: *seg = X87_SEG_DS; return true;
	case 0x64: *seg = X87_SEG_FS; return true;
	case 0x65: *seg = X87_SEG_GS; return true;
	}
	return false;
}

static uint32_t x87_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/*
 * Decodes prefixes, opcode, ModRM, SIB and displacement.  in->len is the
 * length so far when the bytes run out, the full length otherwise.  Returns
 * X87_DONE, X87_NOT_X87, or X87_UNSUPPORTED for an x87 opcode that is cut
 * short, over 15 bytes, or uses 16-bit addressing.
 */
static enum x87_result x87_decode(const uint8_t *code, unsigned avail, struct x87_insn *in)
{
	unsigned n = 0, mod, rm, need;
	int seg;

	memset(in, 0, sizeof(*in));
	in->seg_override = -1;
	in->base = in->index = -1;
	if (avail > 15)
		avail = 15;

	for (;; n++) {
		in->len = n;
		if (n >= avail)
			return X87_NOT_X87; /* nothing but prefixes */
		if (x87_is_seg_prefix(code[n], &seg))
			in->seg_override = seg;
		else if (code[n] == 0x66)
			in->opsize = true;
		else if (code[n] == 0x67)
			in->addrsize = true;
		else if (code[n] == 0xf0)
			in->lock = true;
		else if (code[n] == 0xf2 || code[n] == 0xf3)
			in->rep = true;
		else
			break;
	}

	in->op = code[n++];
	in->len = n;
	if (in->op == X87_OP_WAIT)
		return in->lock ? X87_UNSUPPORTED : X87_DONE;
	if (in->op == 0x0f) {
		/* 66/f2/f3 0f 77 are not EMMS. */
		if (n >= avail || code[n] != 0x77 || in->opsize || in->rep)
			return X87_NOT_X87;
		in->op = X87_OP_EMMS;
		in->len = ++n;
		return in->lock ? X87_UNSUPPORTED : X87_DONE;
	}
	if (in->op < 0xd8 || in->op > 0xdf)
		return X87_NOT_X87;

	if (n >= avail)
		return X87_UNSUPPORTED;
	in->modrm = code[n++];
	in->len = n;
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	if (mod == 3)
		return in->lock ? X87_UNSUPPORTED : X87_DONE;
	in->mem = true;

	if (in->addrsize) {
		/* 16-bit addressing: only measured, for the message. */
		need = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
		in->len = n + need <= avail ? n + need : avail;
		return X87_UNSUPPORTED;
	}

	if (rm == 4) {
		uint8_t sib;

		if (n >= avail)
			return X87_UNSUPPORTED;
		sib = code[n++];
		in->len = n;
		in->scale = 1u << (sib >> 6);
		in->index = ((sib >> 3) & 7) == 4 ? -1 : (sib >> 3) & 7;
		in->base = (sib & 7) == 5 && mod == 0 ? -1 : sib & 7;
		need = mod == 1 ? 1 : (mod == 2 || in->base < 0) ? 4 : 0;
	} else if (rm == 5 && mod == 0) {
		need = 4;
	} else {
		in->base = rm;
		need = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	}
	if (n + need > avail) {
		in->len = avail;
		return X87_UNSUPPORTED;
	}
	if (need == 1)
		in->disp = (uint32_t)(int32_t)(int8_t)code[n];
	else if (need == 4)
		in->disp = x87_le(code + n, 4);
	in->len = n + need;
	return in->lock ? X87_UNSUPPORTED : X87_DONE;
}

void x87_unsupported_reason(const uint8_t *code, unsigned avail, char *buf, size_t size)
{
	struct x87_insn in;
	unsigned n, i;
	int used;

	x87_decode(code, avail, &in);
	n = in.len ? in.len : (avail < 15 ? avail : 15);
	used = snprintf(buf, size, "unsupported x87 instruction");
	for (i = 0; i < n && used >= 0 && (size_t)used < size; i++)
		used += snprintf(buf + used, size - used, " %02x", code[i]);
}

/*
 * The next waiting instruction takes #MF.  Hardware here decides by unmasked
 * flags (FXRSTOR recomputes ES from them); ES alone counts too so that no host
 * CPU can ever raise SIGFPE in the VMM on a state KVM hands back unchecked.
 */
static bool x87_pending(const struct kvm_fpu *fpu)
{
	return (fpu->fsw & X87_FSW_ES) || (fpu->fsw & ~fpu->fcw & X87_EXC_MASK);
}

/*
 * Runs stub idx on the host with the guest's x87 state; the state after it is
 * left in area.  Returns the stub's %rax.
 */
static uint64_t x87_host_run(const struct kvm_fpu *fpu, uint32_t eflags, unsigned idx,
			     uint8_t area[512], void *operand)
{
	x87_stub_fn stub = (x87_stub_fn)(uintptr_t)(x87_host_stubs + idx * X87_STUB_SIZE);
	uint64_t flags_in = 0x2 | (eflags & X87_ARITH_FLAGS), rax;
	uint32_t host_mxcsr;
	uint16_t host_fcw;

	memset(area, 0, 512);
	memcpy(area + 0, &fpu->fcw, 2);
	memcpy(area + 2, &fpu->fsw, 2);
	area[4] = fpu->ftwx;
	/* FOP, FIP and FDP stay 0: they are kept here, not in the host's FPU. */
	memcpy(area + 32, fpu->fpr, sizeof(fpu->fpr));
	memcpy(area + X87_AREA_FLAGS_IN, &flags_in, 8);

	/* The host keeps its own control word and MXCSR across the stub. */
	__asm__ volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(host_fcw), "=m"(host_mxcsr) : : "memory");
	memcpy(area + 24, &host_mxcsr, 4);
	rax = stub(area, operand);
	__asm__ volatile("fldcw %0" : : "m"(host_fcw) : "memory");
	return rax;
}

static bool x87_host_has_sse3(void)
{
	return __builtin_cpu_supports("sse3");
}

static uint32_t x87_effective_address(const struct x87_insn *in, const struct x87_env *env,
				      int *seg)
{
	uint32_t ea = in->disp;

	if (in->base >= 0)
		ea += env->gpr[in->base];
	if (in->index >= 0)
		ea += env->gpr[in->index] * in->scale;
	if (in->seg_override >= 0)
		*seg = in->seg_override;
	else
		*seg = (in->base == 4 || in->base == 5) ? X87_SEG_SS : X87_SEG_DS;
	return ea;
}

/* FNSTENV/FNSAVE images name the guest's last instruction: the host had none. */
static void x87_patch_env_pointers(uint8_t *image, const struct kvm_fpu *fpu)
{
	uint32_t fip = (uint32_t)fpu->last_ip, fdp = (uint32_t)fpu->last_dp;
	uint32_t fop_fcs = (uint32_t)(fpu->last_opcode & 0x7ff) << 16; /* FCS 0 */

	memcpy(image + 12, &fip, 4);
	memcpy(image + 16, &fop_fcs, 4);
	memcpy(image + 20, &fdp, 4);
	image[24] = image[25] = 0; /* FDS */
}

enum x87_result x87_emulate(struct kvm_fpu *fpu, struct x87_env *env,
			    const uint8_t *code, unsigned avail, unsigned *len)
{
	_Alignas(16) uint8_t area[512];
	_Alignas(16) uint8_t operand[112];
	struct x87_mem_form form = { 0, 0 };
	struct x87_insn in;
	enum x87_result r;
	unsigned flags, idx;
	uint32_t ea = 0, eflags_out;
	uint16_t new_fsw, fop;
	uint64_t rax;
	int seg = X87_SEG_DS;

	r = x87_decode(code, avail, &in);
	if (r != X87_DONE)
		return r;

	if (in.op == X87_OP_WAIT || in.op == X87_OP_EMMS) {
		if (x87_pending(fpu))
			return X87_MATH_FAULT;
		if (in.op == X87_OP_EMMS)
			fpu->ftwx = 0; /* all registers empty; TOP stays */
		*len = in.len;
		return X87_DONE;
	}

	if (in.mem) {
		form = x87_mem_forms[in.op - 0xd8][(in.modrm >> 3) & 7];
		flags = form.flags;
		idx = (in.op - 0xd8) * X87_STUBS_PER_OP + ((in.modrm >> 3) & 7);
	} else {
		flags = x87_reg_form(in.op, in.modrm);
		idx = (in.op - 0xd8) * X87_STUBS_PER_OP + 8 + (in.modrm & 0x3f);
	}
	if ((flags & F_BAD) || ((flags & F_ENV) && in.opsize) ||
	    ((flags & F_SSE3) && !x87_host_has_sse3()))
		return X87_UNSUPPORTED;
	if (!(flags & F_NOWAIT) && x87_pending(fpu))
		return X87_MATH_FAULT;
	if (flags & F_NOP) {
		*len = in.len;
		return X87_DONE;
	}

	memset(operand, 0, sizeof(operand));
	if (in.mem) {
		ea = x87_effective_address(&in, env, &seg);
		if ((flags & F_LOAD) && !env->read(env->opaque, seg, ea, operand, form.size))
			return X87_MEM_FAULT;
	}

	rax = x87_host_run(fpu, env->eflags, idx, area, operand);
	memcpy(&new_fsw, area + 2, 2);

	if (flags & F_STORE) {
		/*
		 * A memory destination is left alone when the instruction raised an
		 * unmasked exception other than precision (SDM vol. 1, 8.5): the
		 * register side is already what the host did.
		 */
		uint16_t raised = new_fsw & ~fpu->fsw & X87_EXC_MASK;

		if (flags & F_STENV)
			x87_patch_env_pointers(operand, fpu);
		if (!(raised & ~fpu->fcw & X87_EXC_MASK & ~X87_EXC_PE) &&
		    !env->write(env->opaque, seg, ea, operand, form.size))
			return X87_MEM_FAULT;
	}

	/* Commit: nothing above changed the guest's state. */
	memcpy(&fpu->fcw, area + 0, 2);
	fpu->fsw = new_fsw;
	fpu->ftwx = area[4];
	memcpy(fpu->fpr, area + 32, sizeof(fpu->fpr));

	if (flags & F_INIT) {
		fpu->last_opcode = 0;
		fpu->last_ip = 0;
		fpu->last_dp = 0;
	} else if (flags & F_LDENV) {
		fpu->last_ip = x87_le(operand + 12, 4);
		fpu->last_opcode = (x87_le(operand + 16, 4) >> 16) & 0x7ff;
		fpu->last_dp = x87_le(operand + 20, 4);
	} else if (!(flags & F_CONTROL)) {
		fop = (uint16_t)(((in.op & 7) << 8) | in.modrm);
		fpu->last_opcode = fop;
		fpu->last_ip = env->eip;
		if (in.mem)
			fpu->last_dp = ea;
	}

	if (flags & F_AX)
		env->gpr[0] = (env->gpr[0] & 0xffff0000u) | (uint16_t)rax;
	memcpy(&eflags_out, area + X87_AREA_FLAGS_OUT, 4);
	env->eflags = (env->eflags & ~X87_ARITH_FLAGS) | (eflags_out & X87_ARITH_FLAGS);
	*len = in.len;
	return X87_DONE;
}
