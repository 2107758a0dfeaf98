#include "vmm/vcpu_context.h"

#include <linux/kvm.h>
#include <string.h>

static struct kvm_segment host_code_segment(void)
{
	return (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
				     .selector = HOST_CS_SEL, .type = 11,
				     .present = 1, .dpl = 0, .db = 0, .s = 1,
				     .l = 1, .g = 1 };
}

static struct kvm_segment host_data_segment(void)
{
	return (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
				     .selector = HOST_DS_SEL, .type = 3,
				     .present = 1, .dpl = 0, .db = 1, .s = 1,
				     .l = 0, .g = 1 };
}

bool vcpu_trampoline_has_work(const struct vm *vm)
{
	const struct trampoline_ctl *ctl = vm->ha.ctl;
	return ctl->new_cr3 || ctl->ntouch || ctl->flush;
}

bool vcpu_context_load(struct vm *vm, struct vcpu_context *c, bool trap_exit)
{
	struct kvm_regs *g = &vm->run->s.regs.regs;
	struct kvm_sregs *s = &vm->run->s.regs.sregs;

	memset(c, 0, sizeof(*c));
	c->in_trampoline = (s->cs.selector & 3) == 0;
	if (c->in_trampoline) {
		uint64_t off = HOST_STACK_TOP_OFF - sizeof(struct trampoline_frame);
		struct trampoline_frame *f;

		/* Usable at the exit `out` itself, when this is its exit, or
		 * just past it: the frame is complete and the control block
		 * not yet looked at.  Stopped (kicked) right before the `out`,
		 * the trap in the frame is not reported yet: hands off. */
		bool at_out = g->rip == vm->ha.out_va;
		bool past_out = g->rip == vm->ha.out_va + 2;
		if (!(past_out || (trap_exit && at_out)) ||
		    g->rsp != HOST_AREA_VA + off)
			return false;
		f = (struct trampoline_frame *)(vm->ha.mem + off);
		c->frame = f;
		c->r.eax = (uint32_t)f->rax;
		c->r.ecx = (uint32_t)f->rcx;
		c->r.edx = (uint32_t)f->rdx;
		c->r.ebx = (uint32_t)f->rbx;
		c->r.esp = (uint32_t)f->rsp;
		c->r.eip = (uint32_t)f->rip;
		c->r.eflags = (uint32_t)f->rflags;
		c->r.cs = (uint16_t)f->cs;
		c->r.ss = (uint16_t)f->ss;
	} else {
		/* The engine may have stopped with an exception (say the #UD of
		 * an `int $0x80` it will not run) already on its way in: moving
		 * the guest now would land that exception on the new eip.  Let
		 * it arrive through the trampoline first. */
		const struct kvm_vcpu_events *e = &vm->run->s.regs.events;
		if (e->exception.injected || e->exception.pending ||
		    e->interrupt.injected || e->nmi.injected)
			return false;
		c->r.eax = (uint32_t)g->rax;
		c->r.ecx = (uint32_t)g->rcx;
		c->r.edx = (uint32_t)g->rdx;
		c->r.ebx = (uint32_t)g->rbx;
		c->r.esp = (uint32_t)g->rsp;
		c->r.eip = (uint32_t)g->rip;
		c->r.eflags = (uint32_t)g->rflags;
		c->r.cs = s->cs.selector;
		c->r.ss = s->ss.selector;
	}
	c->r.ebp = (uint32_t)g->rbp;
	c->r.esi = (uint32_t)g->rsi;
	c->r.edi = (uint32_t)g->rdi;
	c->orig = c->r;
	return true;
}

static void fill_frame(struct trampoline_frame *f, const struct guest_regs *r)
{
	f->rax = r->eax;
	f->rcx = r->ecx;
	f->rdx = r->edx;
	f->rbx = r->ebx;
	f->rsp = r->esp;
	f->rip = r->eip;
	f->rflags = r->eflags;
	f->cs = r->cs;
	f->ss = r->ss;
}

void vcpu_context_store(struct vm *vm, struct vcpu_context *c)
{
	struct kvm_regs *g = &vm->run->s.regs.regs;
	struct kvm_sregs *s = &vm->run->s.regs.sregs;
	const struct guest_regs *r = &c->r, *o = &c->orig;
	bool changed = memcmp(r, o, sizeof(*r)) != 0;

	if (c->in_trampoline) {
		if (!changed)
			return;
		fill_frame(c->frame, r);
		if (r->ebp != o->ebp || r->esi != o->esi || r->edi != o->edi) {
			g->rbp = r->ebp;
			g->rsi = r->esi;
			g->rdi = r->edi;
			vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		}
		return;
	}

	/* Only from the guest kernel: a user-mode vCPU is brought into the
	 * trampoline by an injected interrupt instead (run_loop.c). */
	if ((o->cs & 3) != 3 &&
	    (r->cs != o->cs || r->ss != o->ss || vcpu_trampoline_has_work(vm))) {
		/* Build the frame the trampoline's iretq returns through. */
		uint64_t off = HOST_STACK_TOP_OFF - sizeof(struct trampoline_frame);
		struct trampoline_frame *f =
			(struct trampoline_frame *)(vm->ha.mem + off);

		fill_frame(f, r);
		f->vector = TRAMPOLINE_KICK_VECTOR;
		f->errcode = 0;
		g->rbp = r->ebp;
		g->rsi = r->esi;
		g->rdi = r->edi;
		g->rip = vm->ha.resume_va;
		g->rsp = HOST_AREA_VA + off;
		g->rflags = 0x2;
		s->cs = host_code_segment();
		s->ss = host_data_segment();
		vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
		return;
	}
	if (!changed)
		return;
	g->rax = r->eax;
	g->rcx = r->ecx;
	g->rdx = r->edx;
	g->rbx = r->ebx;
	g->rsp = r->esp;
	g->rbp = r->ebp;
	g->rsi = r->esi;
	g->rdi = r->edi;
	g->rip = r->eip;
	g->rflags = r->eflags;
	vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}
