/*
 * cpu_flags: `run --cpu-flags` shows the guest only the CPUID features it
 * names, to the kernel and to user mode alike (a libc picks its string
 * functions by what user mode sees).  Every x86-64 host has fpu, tsc, cx8,
 * cmov and sse2; the list keeps fpu, tsc and cmov and takes away the rest.
 * lgkvm-options: --cpu-flags=fpu,tsc,cmov,nx,constant_tsc
 */
#include "runtime.h"
#include "user.h"

#define EDX_FPU (1u << 0)
#define EDX_TSC (1u << 4)
#define EDX_CX8 (1u << 8)
#define EDX_CMOV (1u << 15)
#define EDX_SSE2 (1u << 26)
#define EXT_EDX_NX (1u << 20)

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

/* One register (0 eax .. 3 edx) of a leaf, read at CPL 3. */
USER_TEXT uint32_t u_cpuid(uint32_t leaf, uint32_t reg, uint32_t unused)
{
	uint32_t r[4];

	(void)unused;
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(0));
	return r[reg & 3];
}

void guest_main(void)
{
	uint32_t r[4], max, maxext;

	cpuid(0, 0, r);
	max = r[0];
	ok(r[1] != 0 && max >= 1, "leaf 0 still names the vendor and leaf 1");
	cpuid(0x80000000, 0, r);
	maxext = r[0];

	cpuid(1, 0, r);
	diag("leaf 1: ecx %#x edx %#x", r[2], r[3]);
	is_u32(r[3] & (EDX_FPU | EDX_TSC | EDX_CMOV), EDX_FPU | EDX_TSC | EDX_CMOV,
	       "fpu, tsc and cmov, named, are there");
	is_u32(r[3] & ~(EDX_FPU | EDX_TSC | EDX_CMOV), 0,
	       "leaf 1 edx has nothing else (cx8 and sse2 are gone)");
	is_u32(r[2], 0, "leaf 1 ecx is empty: no name in the list is there");
	if (max >= 7) {
		cpuid(7, 0, r);
		is_u32(r[1] | r[2] | r[3], 0, "leaf 7 has no features");
	} else {
		skip("leaf 7 has no features", "the host has no leaf 7");
	}
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		diag("leaf 0x80000001: ecx %#x edx %#x", r[2], r[3]);
		is_u32(r[3] & ~(EXT_EDX_NX | EDX_FPU | EDX_TSC | EDX_CMOV), 0,
		       "leaf 0x80000001 edx: at most nx and AMD's copies of fpu, tsc, cmov");
		is_u32(r[2], 0, "leaf 0x80000001 ecx is empty");
	} else {
		skip("leaf 0x80000001 edx", "the host has no leaf 0x80000001");
		skip("leaf 0x80000001 ecx", "the host has no leaf 0x80000001");
	}

	user_init();
	cpuid(1, 0, r);
	is_u32(user_call(u_cpuid, 1, 3, 0), r[3], "user mode sees the same leaf 1 edx");
	is_u32(user_call(u_cpuid, 1, 2, 0), r[2], "user mode sees the same leaf 1 ecx");
	tap_done();
}
