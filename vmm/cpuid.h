#ifndef LGKVM_CPUID_H
#define LGKVM_CPUID_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The CPUID the guest sees: what KVM supports, less what the engine cannot
 * execute in compatibility mode when it emulates it (kvm_pvm: SSE2 and
 * later, MMX).  kvm_pvm answers `cpuid` from the host CPU, ignoring
 * KVM_SET_CPUID2, so there CPUID faulting is switched on and the VMM
 * answers from this table (cpuid_emulate) when the guest's cpuid traps.
 * `run --cpu-flags` takes away more (vmm/cpu_flags.h).
 */
struct cpuid_table;

struct cpu_flags;
/* flags: --cpu-flags, NULL for none. */
struct cpuid_table *cpuid_setup(int kvm_fd, int vcpu_fd, bool engine_emulates,
				const struct cpu_flags *flags);
void cpuid_free(struct cpuid_table *t);
/* regs: in eax (leaf) and ecx (subleaf); out eax, ebx, ecx, edx. */
void cpuid_emulate(const struct cpuid_table *t, uint32_t regs[4]);

#endif
