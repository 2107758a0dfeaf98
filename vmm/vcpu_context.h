/*
 * Where the guest's registers are when the vCPU stops, and how changes get
 * back.  Either the vCPU stopped in guest code (an I/O or MMIO exit, an
 * instruction the engine could not run, a kick), and the registers are the
 * vCPU's own; or it stopped in the trampoline, and the guest's eip, cs,
 * eflags, esp, ss, eax, ecx, edx and ebx are in the frame on the ring-0
 * stack.  Either way the Host code sees one struct guest_regs.
 */
#ifndef LGKVM_VCPU_CONTEXT_H
#define LGKVM_VCPU_CONTEXT_H

#include "vmm/vm.h"

struct vcpu_context {
	bool in_trampoline;
	struct trampoline_frame *frame;
	struct guest_regs r, orig;
};

/* False when nothing can be changed now: the vCPU is at a ring-0 point
 * that is not the trampoline's exit (a kick arrived mid-trampoline), or an
 * exception is already being delivered to it.  trap_exit: this is the
 * trampoline's own exit (its `out`), whose trap the caller handles. */
bool vcpu_context_load(struct vm *vm, struct vcpu_context *c, bool trap_exit);

/* Writes back what changed.  Changing the guest's CS or SS from guest code,
 * or leaving work for the trampoline (CR3, shadow entries), routes the vCPU
 * through the trampoline's resume path so it is done by iretq. */
void vcpu_context_store(struct vm *vm, struct vcpu_context *c);

/* True when the trampoline has work before the guest may run again. */
bool vcpu_trampoline_has_work(const struct vm *vm);

#endif
