#include "vmm/engine_fallback.h"

#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/cpuid.h"
#include "vmm/port_io.h"
#include "vmm/trace.h"
#include "vmm/x87_emulate.h"

/* Linear base of a guest segment selector, from the guest's GDT. */
static uint32_t segment_base(const struct lguest_host *h, uint16_t sel)
{
	uint64_t d;

	if ((sel >> 3) >= GDT_ENTRIES || (sel & 4))
		return 0;
	d = h->gdt[sel >> 3];
	return (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000));
}

static unsigned fetch_insn(struct vm *vm, const struct guest_regs *r,
			   uint8_t *buf, unsigned max)
{
	uint32_t at = segment_base(&vm->lg, r->cs) + r->eip;
	unsigned n = max;

	/* The instruction may end before a page we cannot read: take what
	 * the first page gives if the rest fails. */
	while (n && !lguest_read_virt(&vm->lg, at, buf, n, (r->cs & 3) == 3))
		n = (n > 4096 - (at & 4095)) ? 4096 - (at & 4095) : 0;
	return n;
}

void software_interrupt_at(struct vm *vm, const struct guest_regs *r,
			   uint32_t err, unsigned *vector, unsigned *len)
{
	uint8_t code[2];
	unsigned n = fetch_insn(vm, r, code, sizeof(code));

	if (n == 2 && code[0] == 0xcd) {
		*vector = code[1];
		*len = 2;
	} else if (n >= 1 && (code[0] == 0xcc || code[0] == 0xce)) {
		*vector = code[0] == 0xcc ? 3 : 4;
		*len = 1;
	} else {
		*vector = (err >> 3) & 0xff;
		*len = 2;
	}
}

unsigned software_interrupt_len(struct vm *vm, const struct guest_regs *r,
				unsigned vector)
{
	struct guest_regs before = *r;
	uint8_t code[2];

	/* int3 and into are one byte (0xcc, 0xce), `int n` two (0xcd n):
	 * vectors 3 and 4 can come either way. */
	if (vector != 3 && vector != 4)
		return 2;
	before.eip = r->eip - 2;
	if (fetch_insn(vm, &before, code, 2) == 2 && code[0] == 0xcd && code[1] == vector)
		return 2;
	return 1;
}

struct x87_mem_ctx {
	struct vm *vm;
	const struct guest_regs *r;
	bool fault, fault_write;
	uint32_t fault_addr;
	unsigned seg_fault;   /* 12 (#SS) or 13 (#GP) for a limit violation */
};

/* Offsets addr .. addr+len-1 inside the segment of the guest descriptor
 * for sel: within the limit (expand-up), or above it (expand-down), as the
 * CPU checks a memory operand. */
static bool within_segment(const struct lguest_host *h, uint16_t sel,
			   uint32_t addr, unsigned len)
{
	uint64_t d, last = (uint64_t)addr + len - 1, limit;

	if ((sel >> 3) >= GDT_ENTRIES || (sel & 4) || !(sel >> 3))
		return false; /* null or outside the GDT: no usable segment */
	d = h->gdt[sel >> 3];
	limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
	if (d & (1ull << 55)) /* G: 4 KiB units */
		limit = (limit << 12) | 0xfff;
	if (!(d & (1ull << 43)) && (d & (1ull << 42))) /* expand-down data */
		return addr > limit && last <= ((d & (1ull << 54)) ? 0xffffffffull : 0xffffull);
	return last <= limit;
}

static uint16_t seg_selector(struct vm *vm, const struct guest_regs *r, int seg)
{
	struct kvm_sregs *s = &vm->run->s.regs.sregs;

	switch (seg) {
	case X87_SEG_ES: return s->es.selector;
	case X87_SEG_CS: return r->cs;
	case X87_SEG_SS: return r->ss;
	case X87_SEG_FS: return s->fs.selector;
	case X87_SEG_GS: return s->gs.selector;
	default: return s->ds.selector;
	}
}

static bool x87_access(void *opaque, int seg, uint32_t addr, void *buf,
		       unsigned len, bool write)
{
	struct x87_mem_ctx *m = opaque;
	uint16_t sel = seg_selector(m->vm, m->r, seg);
	uint32_t lin = segment_base(&m->vm->lg, sel) + addr;
	bool user = (m->r->cs & 3) == 3;
	bool ok;

	if (!within_segment(&m->vm->lg, sel, addr, len)) {
		if (!m->fault && !m->seg_fault)
			m->seg_fault = seg == X87_SEG_SS ? 12 : 13;
		return false;
	}
	ok = write ? lguest_write_virt(&m->vm->lg, lin, buf, len, user)
		   : lguest_read_virt(&m->vm->lg, lin, buf, len, user);

	if (!ok && !m->fault) {
		m->fault = true;
		m->fault_addr = lin;
		m->fault_write = write;
	}
	return ok;
}

static bool x87_read(void *opaque, int seg, uint32_t addr, void *buf,
		     unsigned len)
{
	return x87_access(opaque, seg, addr, buf, len, false);
}

static bool x87_write(void *opaque, int seg, uint32_t addr, const void *buf,
		      unsigned len)
{
	return x87_access(opaque, seg, addr, (void *)buf, len, true);
}

static enum fallback_result emulate_x87(struct vm *vm, struct vcpu_context *c,
					const uint8_t *code, unsigned n,
					bool *not_x87)
{
	struct kvm_fpu fpu;
	struct x87_mem_ctx m = { vm, &c->r, false, false, 0, 0 };
	struct x87_env env = { .read = x87_read, .write = x87_write, .opaque = &m };
	unsigned len = 0;
	enum x87_result res;

	*not_x87 = false;
	if (ioctl(vm->vcpu_fd, KVM_GET_FPU, &fpu) < 0) {
		guest_fault_raise(&vm->fault, "KVM_GET_FPU failed");
		return FALLBACK_KILLED;
	}
	memcpy(env.gpr, &c->r.eax, sizeof(env.gpr));
	env.eflags = c->r.eflags;
	env.eip = c->r.eip;
	res = x87_emulate(&fpu, &env, code, n, &len);
	switch (res) {
	case X87_NOT_X87:
		*not_x87 = true;
		return FALLBACK_NOT_OURS;
	case X87_UNSUPPORTED: {
		char why[96];
		x87_unsupported_reason(code, n, why, sizeof(why));
		guest_fault_raise(&vm->fault, "%s at %#x", why, c->r.eip);
		return FALLBACK_KILLED;
	}
	case X87_MEM_FAULT:
		if (m.seg_fault) {
			/* Past the segment's limit: #GP(0), or #SS(0) for SS. */
			if (!lguest_deliver_trap(&vm->lg, &c->r, m.seg_fault, 0))
				guest_fault_raise(&vm->fault, "x87 operand outside its segment and no handler for trap %u",
						  m.seg_fault);
			return vm->fault.raised ? FALLBACK_KILLED : FALLBACK_DONE;
		}
		/* As the hardware would: a page fault at the operand. */
		if (vm->lg.initialized)
			gmem_write32(&vm->mem,
				     (uint64_t)vm->lg.lguest_data +
					     LGUEST_DATA_OFFSET(cr2),
				     m.fault_addr);
		if (!lguest_deliver_trap(&vm->lg, &c->r, 14,
					 ((c->r.cs & 3) == 3 ? PF_USER : 0) |
						 (m.fault_write ? PF_WRITE : 0)))
			guest_fault_raise(&vm->fault,
					  "x87 operand %#x not mapped and no #PF handler",
					  m.fault_addr);
		return vm->fault.raised ? FALLBACK_KILLED : FALLBACK_DONE;
	case X87_MATH_FAULT:
		lguest_deliver_trap(&vm->lg, &c->r, 16, 0);
		return FALLBACK_DONE;
	case X87_DONE:
		break;
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_FPU, &fpu) < 0) {
		guest_fault_raise(&vm->fault, "KVM_SET_FPU failed");
		return FALLBACK_KILLED;
	}
	memcpy(&c->r.eax, env.gpr, sizeof(env.gpr));
	c->r.eflags = (c->r.eflags & ~0x8d5u) | (env.eflags & 0x8d5u);
	c->r.eip += len;
	TRACE("fallback", "x87 len=%u eip=%#x", len, c->r.eip - len);
	return FALLBACK_DONE;
}

static enum fallback_result emulate_iret(struct vm *vm, struct guest_regs *r)
{
	vm_count_exit(vm, EXIT_IRET);
	vm->iret_emulated = true;
	if (!lguest_emulate_iret(&vm->lg, r) && !vm->fault.raised)
		guest_fault_raise(&vm->fault, "iret at %#x with an unmapped stack %#x",
				  r->eip, r->esp);
	return vm->fault.raised ? FALLBACK_KILLED : FALLBACK_DONE;
}

/* `int n` (len bytes, r->eip already past it) through the guest's IDT;
 * with no handler for it the guest is killed. */
static enum fallback_result software_interrupt(struct vm *vm,
					       struct guest_regs *r,
					       unsigned vector, unsigned len)
{
	if (!lguest_software_interrupt(&vm->lg, r, vector, len) &&
	    !vm->fault.raised)
		guest_fault_raise(&vm->fault, "int $%#x at %#x with no handler",
				  vector, r->eip - len);
	return vm->fault.raised ? FALLBACK_KILLED : FALLBACK_DONE;
}

enum fallback_result engine_fallback(struct vm *vm, struct vcpu_context *c,
				     int why)
{
	uint8_t code[15];
	unsigned n = fetch_insn(vm, &c->r, code, sizeof(code));
	struct guest_regs *r = &c->r;
	struct port_insn pi;
	bool not_x87;

	if (n == 0)
		return FALLBACK_NOT_OURS;
	if (why == 13 && (r->cs & 3) == GUEST_PL && n >= 2 && code[0] == 0x0f &&
	    (code[1] == 0x32 || code[1] == 0x30)) {
		/* rdmsr/wrmsr by the guest kernel: it has no MSRs of its own
		 * (early CPU setup reads vendor MSRs unguarded).  Reads give 0,
		 * writes are dropped. */
		TRACE("fallback", "%s msr=%#x eip=%#x",
		      code[1] == 0x32 ? "rdmsr" : "wrmsr", r->ecx, r->eip);
		if (code[1] == 0x32)
			r->eax = r->edx = 0;
		r->eip += 2;
		vm_count_exit(vm, EXIT_FALLBACK);
		return FALLBACK_DONE;
	}
	if (why == 13 && (r->cs & 3) == GUEST_PL &&
	    port_insn_decode(code, n, r->edx, &pi)) {
		/* Port I/O the CPU refused by its TSS bitmap check: the
		 * guest kernel may use ports, as under lguest. */
		uint32_t val = pi.in ? 0 : r->eax;
		port_io_access(vm, pi.port, !pi.in, (uint8_t *)&val, pi.size);
		if (pi.in)
			r->eax = port_insn_merge_in(r->eax, pi.size, val);
		r->eip += pi.len;
		vm_count_exit(vm, EXIT_IO);
		return FALLBACK_DONE;
	}
	if (why == 13 && n >= 2 && code[0] == 0x0f && code[1] == 0xa2) {
		/* cpuid, trapped by CPUID faulting: answer from our table. */
		uint32_t regs[4] = { r->eax, r->ebx, r->ecx, r->edx };
		cpuid_emulate(vm->cpuid, regs);
		TRACE("fallback", "cpuid leaf=%#x sub=%#x eip=%#x", r->eax, r->ecx,
		      r->eip);
		r->eax = regs[0];
		r->ebx = regs[1];
		r->ecx = regs[2];
		r->edx = regs[3];
		r->eip += 2;
		vm_count_exit(vm, EXIT_FALLBACK);
		return FALLBACK_DONE;
	}
	if (why == 13 && (r->cs & 3) == GUEST_PL &&
	    (code[0] == 0xfa || code[0] == 0xfb)) {
		/* cli/sti: the guest's interrupt flag is lguest_data's; the
		 * lguest Launcher skipped these too. */
		r->eip += 1;
		vm_count_exit(vm, EXIT_FALLBACK);
		return FALLBACK_DONE;
	}
	if (why == 13) {
		/* #GP(0) from `iret`: only the engine's refusal is ours. */
		if (code[0] != 0xcf)
			return FALLBACK_NOT_OURS;
		return emulate_iret(vm, r);
	}

	vm_count_exit(vm, EXIT_FALLBACK);
	switch (code[0]) {
	case 0xcd: /* int imm8 */
		if (n < 2)
			return FALLBACK_NOT_OURS;
		r->eip += 2;
		TRACE("fallback", "int %#x cpl=%u eip=%#x", code[1], r->cs & 3,
		      r->eip - 2);
		/* What the lguest Host saw: a trap with the vector. */
		TRACE("trap", "nr=%u err=0 eip=%#x eax=%#x cs=%#x", code[1], r->eip,
		      r->eax, r->cs);
		if (code[1] == LGUEST_TRAP_ENTRY && (r->cs & 3) == GUEST_PL) {
			vm_count_exit(vm, EXIT_HCALL);
			vm->exit_cause = EXIT_HCALL; /* a hypercall, whatever route */
			lguest_hypercall(&vm->lg, r);
			return FALLBACK_DONE;
		}
		return software_interrupt(vm, r, code[1], 2);
	case 0xcc: /* int3 */
		r->eip += 1;
		TRACE("fallback", "int3 eip=%#x", r->eip - 1);
		return software_interrupt(vm, r, 3, 1);
	case 0xce: /* into */
		r->eip += 1;
		if (!(r->eflags & 0x800))
			return FALLBACK_DONE;
		lguest_software_interrupt(&vm->lg, r, 4, 1);
		return vm->fault.raised ? FALLBACK_KILLED : FALLBACK_DONE;
	case 0xcf: /* iret at CPL 1 may also arrive as an internal error */
		return emulate_iret(vm, r);
	default:
		break;
	}
	{
		enum fallback_result res = emulate_x87(vm, c, code, n, &not_x87);
		if (!not_x87)
			return res;
	}
	if (why == 6)
		return FALLBACK_NOT_OURS; /* a real #UD: the guest's business */
	{
		char bytes[64];
		int o = 0;
		for (unsigned i = 0; i < n && i < 8; i++)
			o += snprintf(bytes + o, sizeof(bytes) - (size_t)o, "%s%02x",
				      i ? " " : "", code[i]);
		guest_fault_raise(&vm->fault,
				  "the execution engine cannot run instruction %s at %#x",
				  bytes, r->eip);
	}
	return FALLBACK_KILLED;
}
