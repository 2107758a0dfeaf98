#include "vmm/cpuid.h"
#include "vmm/cpu_flags.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define MAX_ENTRIES 128
#define MSR_PLATFORM_INFO 0xce
#define MSR_MISC_FEATURES_ENABLES 0x140
#define PLATFORM_INFO_CPUID_FAULT (1ull << 31)
#define MISC_FEATURES_CPUID_FAULT 1ull
#define MSR_IA32_APICBASE 0x1b
#define APICBASE_DEFAULT 0xfee00000ull
#define APICBASE_BSP (1ull << 8)
#define EDX_APIC (1u << 9)

/* Leaf 1 features an emulating engine does not run (measured: movd,
 * pshufd, pxor, pcmpeqb, popcnt, movbe give #UD): MMX, SSE, SSE2 in edx;
 * SSE3, PCLMUL, SSSE3, FMA, SSE4.x, MOVBE, POPCNT, AES, XSAVE, OSXSAVE,
 * AVX, F16C, RDRAND in ecx.  A static libc picks its string functions by
 * CPUID.  FXSR stays: fxsave/fxrstor run. */
#define EMU_HIDE_EDX ((1u << 23) | (1u << 25) | (1u << 26))
#define EMU_HIDE_ECX                                                           \
	((1u << 0) | (1u << 1) | (1u << 9) | (1u << 12) | (1u << 19) |          \
	 (1u << 20) | (1u << 22) | (1u << 23) | (1u << 25) | (1u << 26) |       \
	 (1u << 27) | (1u << 28) | (1u << 29) | (1u << 30))
/* Leaf 0x80000001: 3DNow!, MMX extensions, ABM/LZCNT, SSE4a, XOP, FMA4. */
#define EMU_HIDE_EXT_EDX ((1u << 31) | (1u << 30) | (1u << 22))
#define EMU_HIDE_EXT_ECX ((1u << 5) | (1u << 6) | (1u << 11) | (1u << 16))

struct cpuid_table {
	struct kvm_cpuid2 c;
	struct kvm_cpuid_entry2 e[MAX_ENTRIES];
};

/* KVM_SET_MSRS returns how many it set: a refused one stops it without an
 * errno, so say "not supported" for the caller's message. */
static bool set_msrs(int vcpu_fd, struct kvm_msrs *m)
{
	int n = ioctl(vcpu_fd, KVM_SET_MSRS, m);

	if (n >= 0 && (unsigned)n < m->nmsrs)
		errno = ENOTSUP;
	return n >= 0 && (unsigned)n == m->nmsrs;
}

static bool enable_cpuid_faulting(int vcpu_fd)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e[2];
	} ms;

	memset(&ms, 0, sizeof(ms));
	ms.m.nmsrs = 2;
	ms.e[0].index = MSR_PLATFORM_INFO;
	ms.e[0].data = PLATFORM_INFO_CPUID_FAULT;
	ms.e[1].index = MSR_MISC_FEATURES_ENABLES;
	ms.e[1].data = MISC_FEATURES_CPUID_FAULT;
	return set_msrs(vcpu_fd, &ms.m);
}

/* Where KVM runs cpuid (hardware), it sets leaf 1's APIC bit from the APIC
 * base MSR's enable bit, as a CPU does: to hide the APIC, disable it.  The
 * guest has no APIC to use either way (lgkvm makes no irqchip). */
static bool disable_apic(int vcpu_fd)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e;
	} ms;

	memset(&ms, 0, sizeof(ms));
	ms.m.nmsrs = 1;
	ms.e.index = MSR_IA32_APICBASE;
	ms.e.data = APICBASE_DEFAULT | APICBASE_BSP;
	return set_msrs(vcpu_fd, &ms.m);
}

struct cpuid_table *cpuid_setup(int kvm_fd, int vcpu_fd, bool engine_emulates,
				const struct cpu_flags *flags)
{
	struct cpuid_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->c.nent = MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &t->c) < 0)
		goto fail;
	for (unsigned i = 0; engine_emulates && i < t->c.nent; i++) {
		struct kvm_cpuid_entry2 *e = &t->e[i];
		if (e->function == 1) {
			e->edx &= ~EMU_HIDE_EDX;
			e->ecx &= ~EMU_HIDE_ECX;
		} else if (e->function == 7) {
			e->ebx = e->ecx = e->edx = 0;
		} else if (e->function == 0x80000001) {
			e->edx &= ~EMU_HIDE_EXT_EDX;
			e->ecx &= ~EMU_HIDE_EXT_ECX;
		}
	}
	if (flags)
		cpu_flags_apply(flags, t->e, t->c.nent);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, &t->c) < 0)
		goto fail;
	if (flags && flags->given && !(flags->keep[CPU_FLAGS_1_EDX] & EDX_APIC) &&
	    !engine_emulates && !disable_apic(vcpu_fd))
		goto fail;
	if (engine_emulates && !enable_cpuid_faulting(vcpu_fd))
		goto fail;
	return t;
fail:
	free(t);
	return NULL;
}

void cpuid_free(struct cpuid_table *t)
{
	free(t);
}

void cpuid_emulate(const struct cpuid_table *t, uint32_t regs[4])
{
	uint32_t fn = regs[0], idx = regs[2];

	for (unsigned i = 0; i < t->c.nent; i++) {
		const struct kvm_cpuid_entry2 *e = &t->e[i];
		if (e->function != fn ||
		    ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != idx))
			continue;
		regs[0] = e->eax;
		regs[1] = e->ebx;
		regs[2] = e->ecx;
		regs[3] = e->edx;
		return;
	}
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
}
