/*
 * lgkvm's command lines: `lgkvm run ...` and the lguest Launcher's form.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/cmdline.h"

static char kernel[64], initrd[64];

static void make_file(char *path, const char *tmpl)
{
	strcpy(path, tmpl);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

static void setup(void)
{
	make_file(kernel, "/tmp/lgkvm-kernel-XXXXXX");
	make_file(initrd, "/tmp/lgkvm-initrd-XXXXXX");
}

static void teardown(void)
{
	unlink(kernel);
	unlink(initrd);
}

static int parse(struct vm_config *cfg, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, cfg);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return cmdline_parse(argc, argv, cfg);
}

START_TEST(test_launcher_form_equals_run_form)
{
	struct vm_config a, b;
	char iopt[80];

	snprintf(iopt, sizeof(iopt), "--initrd=%s", initrd);
	ck_assert_int_eq(parse(&a, "lgkvm", iopt, "64", kernel, "console=hvc0", NULL), 0);
	ck_assert_int_eq(parse(&b, "lgkvm", "run", "--mem", "64", "--initrd", initrd,
			       kernel, "console=hvc0", NULL), 0);
	ck_assert_uint_eq(a.mem_mib, 64);
	ck_assert_uint_eq(a.mem_mib, b.mem_mib);
	ck_assert_str_eq(a.kernel, b.kernel);
	ck_assert_str_eq(a.initrd, b.initrd);
	ck_assert_str_eq(a.cmdline, "console=hvc0");
	ck_assert_str_eq(a.cmdline, b.cmdline);
}
END_TEST

START_TEST(test_kernel_args_are_joined_and_options_after_kernel_are_its)
{
	struct vm_config c;
	ck_assert_int_eq(parse(&c, "lgkvm", "run", kernel, "--mem", "8", "quiet", NULL), 0);
	ck_assert_str_eq(c.cmdline, "--mem 8 quiet");
	ck_assert_uint_eq(c.mem_mib, 64); /* the default: --mem was the kernel's */
}
END_TEST

START_TEST(test_no_kernel_means_the_demo_guest)
{
	struct vm_config c;
	ck_assert_int_eq(parse(&c, "lgkvm", NULL), 0);
	ck_assert_ptr_null(c.kernel);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", NULL), 0);
	ck_assert_ptr_null(c.kernel);
}
END_TEST

START_TEST(test_bad_input_is_exit_status_2)
{
	struct vm_config c;
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--mem", "0", kernel, NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--mem", "12x", kernel, NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--bogus", NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "/nonexistent/kernel", NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--initrd", "/nonexistent", kernel, NULL),
			 VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "frobnicate", NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "64", NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--reserve-top", "0x1001", kernel, NULL),
			 VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--reserve-top", "0x10001000", kernel, NULL),
			 VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--reserve-top", "-4096", kernel, NULL),
			 VM_INPUT_ERROR);
}
END_TEST

START_TEST(test_devices_options)
{
	struct vm_config c;
	char b1[80], b2[80];

	snprintf(b1, sizeof(b1), "%s,ro", initrd);
	snprintf(b2, sizeof(b2), "%s", kernel);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--block", b1, "--block", b2, "--rng",
			       "--net", "tap=tap7,mac=52:54:00:12:34:56", kernel, NULL), 0);
	ck_assert_uint_eq(c.nblocks, 2);
	ck_assert_str_eq(c.blocks[0].path, initrd);
	ck_assert(c.blocks[0].readonly);
	ck_assert(!c.blocks[1].readonly);
	ck_assert(c.rng);
	ck_assert_str_eq(c.net_tap, "tap7");
	ck_assert(c.net_mac_set);
	ck_assert_uint_eq(c.net_mac[5], 0x56);
	ck_assert_uint_eq(c.reserve_top, 0);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--reserve-top", "0x400000", kernel, NULL), 0);
	ck_assert_uint_eq(c.reserve_top, 0x400000);
}
END_TEST

START_TEST(test_cpu_flags_option)
{
	struct vm_config c;

	ck_assert_int_eq(parse(&c, "lgkvm", "run", kernel, NULL), 0);
	ck_assert(!c.cpu_flags.given);
	/* A pasted /proc/cpuinfo line: CPUID names kept, the rest noted. */
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--cpu-flags",
			       "fpu tsc constant_tsc  SSE2,pni,rep_good", kernel, NULL), 0);
	ck_assert(c.cpu_flags.given);
	ck_assert_uint_eq(c.cpu_flags.keep[CPU_FLAGS_1_EDX], (1u << 0) | (1u << 4) | (1u << 26));
	ck_assert_uint_eq(c.cpu_flags.keep[CPU_FLAGS_1_ECX], 1u);
	ck_assert_str_eq(c.cpu_flags_ignored, "constant_tsc rep_good");
	/* Nothing it knows: a mistake, not an empty CPU. */
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--cpu-flags", "", kernel, NULL), VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--cpu-flags", "sse9,fp", kernel, NULL),
			 VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--cpu-flags", NULL), VM_INPUT_ERROR);
}
END_TEST

START_TEST(test_bad_mac_and_net_spec_are_refused)
{
	struct vm_config c;
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--net", "tap=t,mac=52:54:00:12:34", kernel, NULL),
			 VM_INPUT_ERROR);
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--net", "tap=t,mac=01:00:5e:00:00:01", kernel,
			       NULL), VM_INPUT_ERROR); /* multicast */
	ck_assert_int_eq(parse(&c, "lgkvm", "run", "--net", "mac=52:54:00:12:34:56", kernel, NULL),
			 VM_INPUT_ERROR); /* no tap */
}
END_TEST

START_TEST(test_launcher_tunnet_forms)
{
	struct vm_config c;
	ck_assert_int_eq(parse(&c, "lgkvm", "--tunnet=192.168.19.1:52:54:00:12:34:56", "32",
			       kernel, NULL), 0);
	ck_assert_str_eq(c.tunnet_host, "192.168.19.1");
	ck_assert(c.net_mac_set);
	ck_assert_int_eq(parse(&c, "lgkvm", "--tunnet=bridge:br0", "32", kernel, NULL), 0);
	ck_assert_str_eq(c.tunnet_host, "bridge:br0");
	ck_assert(!c.net_mac_set);
	ck_assert_int_eq(parse(&c, "lgkvm", "--rng", "--username=nobody", "--chroot=/tmp", "32",
			       kernel, NULL), 0);
	ck_assert(c.rng);
	ck_assert_str_eq(c.username, "nobody");
	ck_assert_str_eq(c.chroot_dir, "/tmp");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *t = tcase_create("cmdline");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_launcher_form_equals_run_form);
	tcase_add_test(t, test_kernel_args_are_joined_and_options_after_kernel_are_its);
	tcase_add_test(t, test_no_kernel_means_the_demo_guest);
	tcase_add_test(t, test_bad_input_is_exit_status_2);
	tcase_add_test(t, test_devices_options);
	tcase_add_test(t, test_cpu_flags_option);
	tcase_add_test(t, test_bad_mac_and_net_spec_are_refused);
	tcase_add_test(t, test_launcher_tunnet_forms);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
