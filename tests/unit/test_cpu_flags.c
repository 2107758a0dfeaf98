/*
 * run --cpu-flags: Linux's flag names to CPUID bits, and the CPUID table
 * the guest then gets.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cpu_flags.h"

START_TEST(test_names_to_bits)
{
	struct cpu_flags f;
	char ignored[64] = "";

	memset(&f, 0, sizeof(f));
	ck_assert_uint_eq(cpu_flags_parse("fpu,ssse3 avx2\tSSE4.1 sse4-2 nx lahf_lm avx512_bf16 3dnow",
					  &f, ignored, sizeof(ignored)), 9);
	ck_assert(f.given);
	ck_assert_uint_eq(f.keep[CPU_FLAGS_1_EDX], 1u << 0);
	ck_assert_uint_eq(f.keep[CPU_FLAGS_1_ECX], (1u << 9) | (1u << 19) | (1u << 20));
	ck_assert_uint_eq(f.keep[CPU_FLAGS_7_EBX], 1u << 5);
	ck_assert_uint_eq(f.keep[CPU_FLAGS_7_1_EAX], 1u << 5);
	ck_assert_uint_eq(f.keep[CPU_FLAGS_EXT1_EDX], (1u << 20) | (1u << 31));
	ck_assert_uint_eq(f.keep[CPU_FLAGS_EXT1_ECX], 1u << 0);
	ck_assert_str_eq(ignored, "");
	/* "sse3" is Linux's "pni"; names are whole words, not prefixes. */
	memset(&f, 0, sizeof(f));
	ck_assert_uint_eq(cpu_flags_parse("sse3 ss sse42 fpuu", &f, ignored, sizeof(ignored)), 2);
	ck_assert_uint_eq(f.keep[CPU_FLAGS_1_ECX], 1u << 0);
	ck_assert_uint_eq(f.keep[CPU_FLAGS_1_EDX], 1u << 27);
	ck_assert_str_eq(ignored, "sse42 fpuu");
}
END_TEST

START_TEST(test_ignored_names_are_cut_not_overrun)
{
	struct cpu_flags f;
	char ignored[12];

	memset(&f, 0, sizeof(f));
	ignored[0] = '\0';
	ck_assert_uint_eq(cpu_flags_parse("constant_tsc rep_good nopl xtopology tsc",
					  &f, ignored, sizeof(ignored)), 1);
	/* "constant_tsc" (12 bytes) does not fit in 12 with its NUL; the
	 * shorter ones do, as far as room goes. */
	ck_assert_uint_lt(strlen(ignored), sizeof(ignored));
	ck_assert_str_eq(ignored, "rep_good");
	ck_assert_uint_eq(cpu_flags_parse("x", &f, NULL, 0), 0);
}
END_TEST

static struct kvm_cpuid_entry2 entry(uint32_t fn, uint32_t index, uint32_t all)
{
	struct kvm_cpuid_entry2 e;

	memset(&e, 0, sizeof(e));
	e.function = fn;
	e.index = index;
	e.eax = e.ebx = e.ecx = e.edx = all;
	return e;
}

START_TEST(test_apply_keeps_only_the_named_bits)
{
	struct cpu_flags f;
	struct kvm_cpuid_entry2 e[7] = {
		entry(0, 0, 0xffffffff),          /* vendor: untouched */
		entry(1, 0, 0xffffffff),
		entry(7, 0, 0xffffffff),
		entry(7, 1, 0xffffffff),
		entry(0xd, 0, 0xffffffff),        /* not a feature leaf */
		entry(0x80000001, 0, 0xffffffff),
		entry(7, 2, 0xffffffff),
	};

	memset(&f, 0, sizeof(f));
	ck_assert_uint_eq(cpu_flags_parse("fpu tsc mmx pni xsave avx2 avx_vnni nx sse4a",
					  &f, NULL, 0), 9);
	cpu_flags_apply(&f, e, 7);
	ck_assert_uint_eq(e[0].ebx, 0xffffffff);
	ck_assert_uint_eq(e[1].eax, 0xffffffff); /* signature, not features */
	ck_assert_uint_eq(e[1].ebx, 0xffffffff);
	ck_assert_uint_eq(e[1].edx, (1u << 0) | (1u << 4) | (1u << 23));
	/* xsave brings the OS's OSXSAVE bit with it. */
	ck_assert_uint_eq(e[1].ecx, (1u << 0) | (1u << 26) | (1u << 27));
	ck_assert_uint_eq(e[2].eax, 0xffffffff); /* the highest subleaf */
	ck_assert_uint_eq(e[2].ebx, 1u << 5);
	ck_assert_uint_eq(e[2].ecx, 0);
	ck_assert_uint_eq(e[2].edx, 0);
	ck_assert_uint_eq(e[3].eax, 1u << 4);
	ck_assert_uint_eq(e[3].ebx | e[3].ecx | e[3].edx, 0);
	ck_assert_uint_eq(e[4].ecx, 0xffffffff);
	/* AMD's copies of leaf 1's edx follow the leaf 1 names. */
	ck_assert_uint_eq(e[5].edx, (1u << 0) | (1u << 4) | (1u << 23) | (1u << 20));
	ck_assert_uint_eq(e[5].ecx, 1u << 6);
	ck_assert_uint_eq(e[6].eax | e[6].ebx | e[6].ecx | e[6].edx, 0);
}
END_TEST

START_TEST(test_apply_without_the_option_changes_nothing)
{
	struct cpu_flags f;
	struct kvm_cpuid_entry2 e[2] = { entry(1, 0, 0x12345678), entry(7, 0, 0x9abcdef0) };

	memset(&f, 0, sizeof(f));
	cpu_flags_apply(&f, e, 2);
	ck_assert_uint_eq(e[0].ecx, 0x12345678);
	ck_assert_uint_eq(e[1].ebx, 0x9abcdef0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cpu_flags");
	TCase *t = tcase_create("cpu_flags");
	tcase_add_test(t, test_names_to_bits);
	tcase_add_test(t, test_ignored_names_are_cut_not_overrun);
	tcase_add_test(t, test_apply_keeps_only_the_named_bits);
	tcase_add_test(t, test_apply_without_the_option_changes_nothing);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
