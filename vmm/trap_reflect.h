/*
 * Traps from guest user mode that the guest handles itself, reflected by
 * the trampoline without an exit: `int n` through the guest's DPL-3 gates
 * (system calls: int $0x80, also int3 and into) and #DE and #UD.  The VMM
 * fills the trampoline's table from what it validated: the guest's IDT
 * (LOAD_IDT_ENTRY), its kernel stack (SET_STACK) and lguest_data, whose
 * page is mapped into the host area so the trampoline can read and clear
 * irq_enabled.  Everything else still exits: page faults (the shadow MMU
 * must look), #GP (port I/O, `int n` against a gate the guest forbids),
 * traps from the guest kernel, and, on kvm_pvm, all of them (its
 * compatibility mode cannot run `int n`; engine_fallback.c handles it).
 */
#ifndef LGKVM_TRAP_REFLECT_H
#define LGKVM_TRAP_REFLECT_H

#include <stdint.h>

struct vm;

/* Brings the trampoline's table up to date when the guest's gates, stack
 * or lguest_data changed; before every return to the guest. */
void trap_reflect_update(struct vm *vm);

/* Traps the trampoline reflected so far. */
uint64_t trap_reflect_count(const struct vm *vm);

#endif
