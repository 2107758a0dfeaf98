#include "vmm/cpu_flags.h"

#include <ctype.h>
#include <string.h>

/* Linux's names for CPUID feature bits (arch/x86/include/asm/cpufeatures.h,
 * as /proc/cpuinfo prints them). */
static const struct cpu_flag_name {
	const char *name;
	uint8_t reg, bit;
} names[] = {
	{ "fpu", CPU_FLAGS_1_EDX, 0 }, { "vme", CPU_FLAGS_1_EDX, 1 },
	{ "de", CPU_FLAGS_1_EDX, 2 }, { "pse", CPU_FLAGS_1_EDX, 3 },
	{ "tsc", CPU_FLAGS_1_EDX, 4 }, { "msr", CPU_FLAGS_1_EDX, 5 },
	{ "pae", CPU_FLAGS_1_EDX, 6 }, { "mce", CPU_FLAGS_1_EDX, 7 },
	{ "cx8", CPU_FLAGS_1_EDX, 8 }, { "apic", CPU_FLAGS_1_EDX, 9 },
	{ "sep", CPU_FLAGS_1_EDX, 11 }, { "mtrr", CPU_FLAGS_1_EDX, 12 },
	{ "pge", CPU_FLAGS_1_EDX, 13 }, { "mca", CPU_FLAGS_1_EDX, 14 },
	{ "cmov", CPU_FLAGS_1_EDX, 15 }, { "pat", CPU_FLAGS_1_EDX, 16 },
	{ "pse36", CPU_FLAGS_1_EDX, 17 }, { "pn", CPU_FLAGS_1_EDX, 18 },
	{ "clflush", CPU_FLAGS_1_EDX, 19 }, { "dts", CPU_FLAGS_1_EDX, 21 },
	{ "acpi", CPU_FLAGS_1_EDX, 22 }, { "mmx", CPU_FLAGS_1_EDX, 23 },
	{ "fxsr", CPU_FLAGS_1_EDX, 24 }, { "sse", CPU_FLAGS_1_EDX, 25 },
	{ "sse2", CPU_FLAGS_1_EDX, 26 }, { "ss", CPU_FLAGS_1_EDX, 27 },
	{ "ht", CPU_FLAGS_1_EDX, 28 }, { "tm", CPU_FLAGS_1_EDX, 29 },
	{ "ia64", CPU_FLAGS_1_EDX, 30 }, { "pbe", CPU_FLAGS_1_EDX, 31 },

	{ "pni", CPU_FLAGS_1_ECX, 0 }, { "sse3", CPU_FLAGS_1_ECX, 0 },
	{ "pclmulqdq", CPU_FLAGS_1_ECX, 1 }, { "dtes64", CPU_FLAGS_1_ECX, 2 },
	{ "monitor", CPU_FLAGS_1_ECX, 3 }, { "ds_cpl", CPU_FLAGS_1_ECX, 4 },
	{ "vmx", CPU_FLAGS_1_ECX, 5 }, { "smx", CPU_FLAGS_1_ECX, 6 },
	{ "est", CPU_FLAGS_1_ECX, 7 }, { "tm2", CPU_FLAGS_1_ECX, 8 },
	{ "ssse3", CPU_FLAGS_1_ECX, 9 }, { "cid", CPU_FLAGS_1_ECX, 10 },
	{ "sdbg", CPU_FLAGS_1_ECX, 11 }, { "fma", CPU_FLAGS_1_ECX, 12 },
	{ "cx16", CPU_FLAGS_1_ECX, 13 }, { "xtpr", CPU_FLAGS_1_ECX, 14 },
	{ "pdcm", CPU_FLAGS_1_ECX, 15 }, { "pcid", CPU_FLAGS_1_ECX, 17 },
	{ "dca", CPU_FLAGS_1_ECX, 18 }, { "sse4_1", CPU_FLAGS_1_ECX, 19 },
	{ "sse4_2", CPU_FLAGS_1_ECX, 20 }, { "x2apic", CPU_FLAGS_1_ECX, 21 },
	{ "movbe", CPU_FLAGS_1_ECX, 22 }, { "popcnt", CPU_FLAGS_1_ECX, 23 },
	{ "tsc_deadline_timer", CPU_FLAGS_1_ECX, 24 }, { "aes", CPU_FLAGS_1_ECX, 25 },
	{ "xsave", CPU_FLAGS_1_ECX, 26 }, { "avx", CPU_FLAGS_1_ECX, 28 },
	{ "f16c", CPU_FLAGS_1_ECX, 29 }, { "rdrand", CPU_FLAGS_1_ECX, 30 },
	{ "hypervisor", CPU_FLAGS_1_ECX, 31 },

	{ "fsgsbase", CPU_FLAGS_7_EBX, 0 }, { "tsc_adjust", CPU_FLAGS_7_EBX, 1 },
	{ "sgx", CPU_FLAGS_7_EBX, 2 }, { "bmi1", CPU_FLAGS_7_EBX, 3 },
	{ "hle", CPU_FLAGS_7_EBX, 4 }, { "avx2", CPU_FLAGS_7_EBX, 5 },
	{ "smep", CPU_FLAGS_7_EBX, 7 }, { "bmi2", CPU_FLAGS_7_EBX, 8 },
	{ "erms", CPU_FLAGS_7_EBX, 9 }, { "invpcid", CPU_FLAGS_7_EBX, 10 },
	{ "rtm", CPU_FLAGS_7_EBX, 11 }, { "cqm", CPU_FLAGS_7_EBX, 12 },
	{ "mpx", CPU_FLAGS_7_EBX, 14 }, { "rdt_a", CPU_FLAGS_7_EBX, 15 },
	{ "avx512f", CPU_FLAGS_7_EBX, 16 }, { "avx512dq", CPU_FLAGS_7_EBX, 17 },
	{ "rdseed", CPU_FLAGS_7_EBX, 18 }, { "adx", CPU_FLAGS_7_EBX, 19 },
	{ "smap", CPU_FLAGS_7_EBX, 20 }, { "avx512ifma", CPU_FLAGS_7_EBX, 21 },
	{ "clflushopt", CPU_FLAGS_7_EBX, 23 }, { "clwb", CPU_FLAGS_7_EBX, 24 },
	{ "intel_pt", CPU_FLAGS_7_EBX, 25 }, { "avx512pf", CPU_FLAGS_7_EBX, 26 },
	{ "avx512er", CPU_FLAGS_7_EBX, 27 }, { "avx512cd", CPU_FLAGS_7_EBX, 28 },
	{ "sha_ni", CPU_FLAGS_7_EBX, 29 }, { "avx512bw", CPU_FLAGS_7_EBX, 30 },
	{ "avx512vl", CPU_FLAGS_7_EBX, 31 },

	{ "avx512vbmi", CPU_FLAGS_7_ECX, 1 }, { "umip", CPU_FLAGS_7_ECX, 2 },
	{ "pku", CPU_FLAGS_7_ECX, 3 }, { "ospke", CPU_FLAGS_7_ECX, 4 },
	{ "waitpkg", CPU_FLAGS_7_ECX, 5 }, { "avx512_vbmi2", CPU_FLAGS_7_ECX, 6 },
	{ "gfni", CPU_FLAGS_7_ECX, 8 }, { "vaes", CPU_FLAGS_7_ECX, 9 },
	{ "vpclmulqdq", CPU_FLAGS_7_ECX, 10 }, { "avx512_vnni", CPU_FLAGS_7_ECX, 11 },
	{ "avx512_bitalg", CPU_FLAGS_7_ECX, 12 }, { "tme", CPU_FLAGS_7_ECX, 13 },
	{ "avx512_vpopcntdq", CPU_FLAGS_7_ECX, 14 }, { "la57", CPU_FLAGS_7_ECX, 16 },
	{ "rdpid", CPU_FLAGS_7_ECX, 22 }, { "bus_lock_detect", CPU_FLAGS_7_ECX, 24 },
	{ "cldemote", CPU_FLAGS_7_ECX, 25 }, { "movdiri", CPU_FLAGS_7_ECX, 27 },
	{ "movdir64b", CPU_FLAGS_7_ECX, 28 }, { "enqcmd", CPU_FLAGS_7_ECX, 29 },
	{ "sgx_lc", CPU_FLAGS_7_ECX, 30 },

	{ "avx512_4vnniw", CPU_FLAGS_7_EDX, 2 }, { "avx512_4fmaps", CPU_FLAGS_7_EDX, 3 },
	{ "fsrm", CPU_FLAGS_7_EDX, 4 }, { "avx512_vp2intersect", CPU_FLAGS_7_EDX, 8 },
	{ "md_clear", CPU_FLAGS_7_EDX, 10 }, { "serialize", CPU_FLAGS_7_EDX, 14 },
	{ "tsxldtrk", CPU_FLAGS_7_EDX, 16 }, { "pconfig", CPU_FLAGS_7_EDX, 18 },
	{ "arch_lbr", CPU_FLAGS_7_EDX, 19 }, { "amx_bf16", CPU_FLAGS_7_EDX, 22 },
	{ "avx512_fp16", CPU_FLAGS_7_EDX, 23 }, { "amx_tile", CPU_FLAGS_7_EDX, 24 },
	{ "amx_int8", CPU_FLAGS_7_EDX, 25 }, { "flush_l1d", CPU_FLAGS_7_EDX, 28 },
	{ "arch_capabilities", CPU_FLAGS_7_EDX, 29 },

	{ "avx_vnni", CPU_FLAGS_7_1_EAX, 4 }, { "avx512_bf16", CPU_FLAGS_7_1_EAX, 5 },

	{ "syscall", CPU_FLAGS_EXT1_EDX, 11 }, { "mp", CPU_FLAGS_EXT1_EDX, 19 },
	{ "nx", CPU_FLAGS_EXT1_EDX, 20 }, { "mmxext", CPU_FLAGS_EXT1_EDX, 22 },
	{ "fxsr_opt", CPU_FLAGS_EXT1_EDX, 25 }, { "pdpe1gb", CPU_FLAGS_EXT1_EDX, 26 },
	{ "rdtscp", CPU_FLAGS_EXT1_EDX, 27 }, { "lm", CPU_FLAGS_EXT1_EDX, 29 },
	{ "3dnowext", CPU_FLAGS_EXT1_EDX, 30 }, { "3dnow", CPU_FLAGS_EXT1_EDX, 31 },

	{ "lahf_lm", CPU_FLAGS_EXT1_ECX, 0 }, { "cmp_legacy", CPU_FLAGS_EXT1_ECX, 1 },
	{ "svm", CPU_FLAGS_EXT1_ECX, 2 }, { "extapic", CPU_FLAGS_EXT1_ECX, 3 },
	{ "cr8_legacy", CPU_FLAGS_EXT1_ECX, 4 }, { "abm", CPU_FLAGS_EXT1_ECX, 5 },
	{ "sse4a", CPU_FLAGS_EXT1_ECX, 6 }, { "misalignsse", CPU_FLAGS_EXT1_ECX, 7 },
	{ "3dnowprefetch", CPU_FLAGS_EXT1_ECX, 8 }, { "osvw", CPU_FLAGS_EXT1_ECX, 9 },
	{ "ibs", CPU_FLAGS_EXT1_ECX, 10 }, { "xop", CPU_FLAGS_EXT1_ECX, 11 },
	{ "skinit", CPU_FLAGS_EXT1_ECX, 12 }, { "wdt", CPU_FLAGS_EXT1_ECX, 13 },
	{ "lwp", CPU_FLAGS_EXT1_ECX, 15 }, { "fma4", CPU_FLAGS_EXT1_ECX, 16 },
	{ "tce", CPU_FLAGS_EXT1_ECX, 17 }, { "nodeid_msr", CPU_FLAGS_EXT1_ECX, 19 },
	{ "tbm", CPU_FLAGS_EXT1_ECX, 21 }, { "topoext", CPU_FLAGS_EXT1_ECX, 22 },
	{ "perfctr_core", CPU_FLAGS_EXT1_ECX, 23 }, { "perfctr_nb", CPU_FLAGS_EXT1_ECX, 24 },
	{ "bpext", CPU_FLAGS_EXT1_ECX, 26 }, { "ptsc", CPU_FLAGS_EXT1_ECX, 27 },
	{ "perfctr_llc", CPU_FLAGS_EXT1_ECX, 28 }, { "mwaitx", CPU_FLAGS_EXT1_ECX, 29 },
};

/* AMD repeats these leaf 1 edx bits in 0x80000001 edx (fpu..apic, mtrr..
 * pse36, mmx, fxsr): they follow the leaf 1 names. */
#define EXT1_EDX_MIRRORS 0x0183f3ffu
#define ECX_XSAVE (1u << 26)
#define ECX_OSXSAVE (1u << 27) /* no name: the OS's CR4 bit, with xsave */

static bool same_name(const char *a, const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < n && a[i]; i++) {
		char c = (char)tolower((unsigned char)word[i]);
		if (c == '.' || c == '-')
			c = '_';
		if (c != a[i])
			return false;
	}
	return i == n && !a[i];
}

unsigned cpu_flags_parse(const char *list, struct cpu_flags *f, char *ignored,
			 size_t ignored_len)
{
	size_t used = ignored_len ? strlen(ignored) : 0;
	unsigned known = 0;

	f->given = true;
	while (*list) {
		size_t n = strcspn(list, ", \t\n");
		const struct cpu_flag_name *hit = NULL;

		for (size_t i = 0; n && i < sizeof(names) / sizeof(names[0]); i++)
			if (same_name(names[i].name, list, n)) {
				hit = &names[i];
				break;
			}
		if (hit) {
			f->keep[hit->reg] |= 1u << hit->bit;
			known++;
		} else if (n && used + n + 2 <= ignored_len) {
			if (used)
				ignored[used++] = ' ';
			memcpy(ignored + used, list, n);
			ignored[used += n] = '\0';
		}
		list += n;
		list += strspn(list, ", \t\n");
	}
	return known;
}

void cpu_flags_apply(const struct cpu_flags *f, struct kvm_cpuid_entry2 *e,
		     unsigned n)
{
	const uint32_t *k = f->keep;

	if (!f->given)
		return;
	for (unsigned i = 0; i < n; i++) {
		switch (e[i].function) {
		case 1:
			e[i].edx &= k[CPU_FLAGS_1_EDX];
			e[i].ecx &= k[CPU_FLAGS_1_ECX] |
				    (k[CPU_FLAGS_1_ECX] & ECX_XSAVE ? ECX_OSXSAVE : 0);
			break;
		case 7:
			if (e[i].index == 0) {
				e[i].ebx &= k[CPU_FLAGS_7_EBX];
				e[i].ecx &= k[CPU_FLAGS_7_ECX];
				e[i].edx &= k[CPU_FLAGS_7_EDX];
			} else {
				e[i].eax &= e[i].index == 1 ? k[CPU_FLAGS_7_1_EAX] : 0;
				e[i].ebx = e[i].ecx = e[i].edx = 0;
			}
			break;
		case 0x80000001:
			e[i].edx &= k[CPU_FLAGS_EXT1_EDX] |
				    (k[CPU_FLAGS_1_EDX] & EXT1_EDX_MIRRORS);
			e[i].ecx &= k[CPU_FLAGS_EXT1_ECX];
			break;
		default:
			break;
		}
	}
}
