/*
 * Instructions the guest cannot run itself, decoded and carried out here:
 *  - what the execution engine refuses in compatibility mode (kvm_pvm:
 *    `int n`, `int3`, `into`, `iret`, x87), reported as an internal error
 *    at CPL 1 or a #UD (iret: #GP(0)) at CPL 3; on hardware KVM the guest
 *    runs them itself and these paths are not reached;
 *  - what no guest kernel at CPL 1 may run and lguest's Host or Launcher
 *    answered: `in`/`out` refused by the CPU's I/O bitmap check (port_io.h),
 *    `cpuid` under CPUID faulting (kvm_pvm ignores KVM_SET_CPUID2),
 *    rdmsr/wrmsr, cli/sti.
 */
#ifndef LGKVM_ENGINE_FALLBACK_H
#define LGKVM_ENGINE_FALLBACK_H

#include "vmm/vcpu_context.h"

enum fallback_result {
	FALLBACK_DONE,       /* emulated; registers in the context updated */
	FALLBACK_NOT_OURS,   /* a genuine fault: deliver it to the guest */
	FALLBACK_KILLED,     /* the guest was killed (reason raised) */
};

/* `why` is the vector the engine reported (6 or 13), or -1 for an
 * internal-error exit. */
enum fallback_result engine_fallback(struct vm *vm, struct vcpu_context *c,
				     int why);

/* The vector and length of the `int n`, int3 or into at r->eip that raised
 * #GP(err) against a gate's DPL.  Read from the instruction, not the error
 * code: hardware reports the vector as err >> 3, QEMU's TCG in long mode as
 * err >> 4. */
void software_interrupt_at(struct vm *vm, const struct guest_regs *r,
			   uint32_t err, unsigned *vector, unsigned *len);

/* The length of the software interrupt that just raised `vector` (eip
 * past it): 2 for `int n`, 1 for int3 and into, told apart for vectors 3
 * and 4 by the bytes before eip. */
unsigned software_interrupt_len(struct vm *vm, const struct guest_regs *r,
				unsigned vector);

#endif
