#ifndef LGKVM_CPU_FLAGS_H
#define LGKVM_CPU_FLAGS_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * `run --cpu-flags LIST`: the guest sees only the CPUID feature bits named
 * in LIST (Linux's /proc/cpuinfo names) that it would see anyway.  Pasting
 * the flags line of the host a reference trace came from gives the guest
 * that CPU's features, so its libc picks the same string functions and
 * runs the same code (vmm/trace/COMPARE.md).
 */
enum cpu_flag_reg {
	CPU_FLAGS_1_EDX,      /* leaf 1 */
	CPU_FLAGS_1_ECX,
	CPU_FLAGS_7_EBX,      /* leaf 7, subleaf 0 */
	CPU_FLAGS_7_ECX,
	CPU_FLAGS_7_EDX,
	CPU_FLAGS_7_1_EAX,    /* leaf 7, subleaf 1 */
	CPU_FLAGS_EXT1_EDX,   /* leaf 0x80000001 */
	CPU_FLAGS_EXT1_ECX,
	CPU_FLAGS_REGS
};

struct cpu_flags {
	bool given;
	uint32_t keep[CPU_FLAGS_REGS]; /* bits the list names */
};

/* Adds the names in list (separated by commas or white space; case, '.'
 * and '-' do not matter) to f.  Returns how many it knew; the others are
 * appended to ignored (space separated, cut to ignored_len). */
unsigned cpu_flags_parse(const char *list, struct cpu_flags *f, char *ignored,
			 size_t ignored_len);

/* Clears, in KVM's CPUID entries, every feature bit f does not keep (and
 * the bits of those leaves that have no name, which no list can keep).
 * Leaves other than 1, 7 and 0x80000001 are left as they are. */
void cpu_flags_apply(const struct cpu_flags *f, struct kvm_cpuid_entry2 *e,
		     unsigned n);

#endif
