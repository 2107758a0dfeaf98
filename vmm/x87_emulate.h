/*
 * x87 instruction emulation for engines that do not execute x87 themselves.
 *
 * kvm_pvm runs compatibility-mode guest code but not its x87 instructions: at
 * CPL 1 the vCPU exits with KVM_EXIT_INTERNAL_ERROR, at CPL 3 the guest gets
 * #UD, in both cases with RIP at the instruction.  The VMM then does
 * KVM_GET_FPU, calls x87_emulate() with the instruction's bytes, and on
 * X87_DONE does KVM_SET_FPU and advances RIP by *len.  On hardware KVM this
 * path never fires.
 *
 * The instruction itself runs on the host's x87 (the VMM's own FPU, loaded with
 * the guest's state), so results, rounding, precision control, condition codes,
 * tags and exception flags are those of real hardware.  What is emulated here is
 * decoding, 32-bit addressing, memory operands through the callbacks, exception
 * delivery and the x87 instruction/data pointers.
 *
 * Covered: every documented x87 instruction (D8-DF, FWAIT, EMMS) except the
 * 16-bit forms of FLDENV/FNSTENV/FRSTOR/FNSAVE (0x66 prefix) and the reserved
 * aliases (FSTP1, FXCH4, FCOM2, FFREEP ...): those, 0x67 and LOCK are
 * X87_UNSUPPORTED.
 */
#ifndef LGKVM_X87_EMULATE_H
#define LGKVM_X87_EMULATE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Segment registers as x86 encodes them (prefixes, Sreg fields). */
enum x87_seg { X87_SEG_ES, X87_SEG_CS, X87_SEG_SS, X87_SEG_DS, X87_SEG_FS, X87_SEG_GS };

/* EFLAGS bits FCOMI/FUCOMI write and FCMOVcc read. */
#define X87_EFLAGS_CF 0x0001u
#define X87_EFLAGS_PF 0x0004u
#define X87_EFLAGS_AF 0x0010u
#define X87_EFLAGS_ZF 0x0040u
#define X87_EFLAGS_SF 0x0080u
#define X87_EFLAGS_OF 0x0800u

struct x87_env {
	uint32_t gpr[8];                 /* eax ecx edx ebx esp ebp esi edi (ModRM order) */
	uint32_t eflags;                 /* in/out: FCOMI writes ZF PF CF, FCMOVcc reads them */
	uint32_t eip;                    /* the instruction's offset in CS: becomes the FPU IP */
	/* Memory operands: the segment-relative effective address is computed here
	 * from ModRM/SIB/disp (32-bit addressing only); the callback applies the
	 * segment (the override prefix, else SS for an ESP/EBP base, else DS) and
	 * returns false on a fault; x87_emulate then returns X87_MEM_FAULT with
	 * nothing changed, and the caller delivers the fault. */
	bool (*read)(void *opaque, int seg, uint32_t addr, void *buf, unsigned len);
	bool (*write)(void *opaque, int seg, uint32_t addr, const void *buf, unsigned len);
	void *opaque;
};

enum x87_result {
	X87_DONE,        /* executed: *len is the length; fpu, gpr[0], eflags updated */
	X87_NOT_X87,     /* not an x87 instruction: nothing changed */
	X87_UNSUPPORTED, /* x87 opcode we do not run: kill the guest, see x87_unsupported_reason */
	X87_MEM_FAULT,   /* a callback failed: nothing changed; deliver the fault */
	X87_MATH_FAULT,  /* an unmasked x87 exception is pending: deliver #MF (vector 16)
			  * at this instruction; nothing changed */
};

/*
 * Emulates the instruction at code[0..avail) (avail up to 15) on the state of
 * KVM_GET_FPU.  fpu->fpr[i] is ST(i) (stack order, as FXSAVE and KVM store it);
 * ftwx bit n tags physical register n.  FNSTSW AX updates env->gpr[0] bits
 * 0-15.  FWAIT is its own one-byte instruction: "9b db e3" is two calls.
 */
enum x87_result x87_emulate(struct kvm_fpu *fpu, struct x87_env *env,
			    const uint8_t *code, unsigned avail, unsigned *len);

/* "unsupported x87 instruction d9 d1": the message to kill the guest with. */
void x87_unsupported_reason(const uint8_t *code, unsigned avail, char *buf, size_t size);

#endif
