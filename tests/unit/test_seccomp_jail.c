/*
 * The sandbox (vmm/seccomp_jail.c): a child process confines itself as the
 * vCPU or watcher thread would, then tries calls; what is allowed works,
 * anything else stops the process with exit status 1 and one line naming
 * the call.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/seccomp_jail.h"

enum jail { VCPU, WATCHER };

/* Runs body() in a child jailed as `which`, with stderr captured.  Returns
 * the child's exit status (or 128 + signal). */
static int jailed(enum jail which, void (*body)(int fake_vcpu), char *err, size_t len)
{
	int p[2];
	pid_t pid;
	int status;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char why[256];
		int fake_vcpu = open("/dev/null", O_RDWR);
		dup2(p[1], 2);
		close(p[0]);
		if (!(which == VCPU ? seccomp_jail_vcpu_thread(fake_vcpu, why, sizeof(why))
				    : seccomp_jail_watcher_thread(why, sizeof(why)))) {
			fprintf(stderr, "no jail: %s\n", why);
			_exit(99);
		}
		body(fake_vcpu);
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], err, len - 1);
	err[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void allowed_calls(int fake_vcpu)
{
	void *m;

	/* The vCPU's ioctls pass the filter (the fake fd refuses them). */
	if (ioctl(fake_vcpu, KVM_RUN, 0) != -1)
		_exit(10);
	if (write(STDOUT_FILENO, "", 0) < 0)
		_exit(11);
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		_exit(12);
	memset(m, 1, 8192);
	munmap(m, 8192);
	free(malloc(1 << 20));
}

static void opens_a_file(int fake_vcpu)
{
	(void)fake_vcpu;
	open("/etc/hostname", O_RDONLY);
	_exit(20); /* not reached */
}

static void maps_executable_memory(int fake_vcpu)
{
	(void)fake_vcpu;
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_exit(21);
}

static void creates_a_vcpu(int fake_vcpu)
{
	ioctl(fake_vcpu, KVM_CREATE_VCPU, 0);
	_exit(22);
}

static void runs_another_fd(int fake_vcpu)
{
	ioctl(fake_vcpu + 1, KVM_RUN, 0);
	_exit(23);
}

static void makes_a_socket(int fake_vcpu)
{
	(void)fake_vcpu;
	socket(AF_INET, SOCK_STREAM, 0);
	_exit(24);
}

START_TEST(test_vcpu_jail_allows_what_the_run_loop_needs)
{
	char err[512];

	ck_assert_int_eq(jailed(VCPU, allowed_calls, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_vcpu_jail_stops_an_open_with_one_line)
{
	char err[512];

	ck_assert_int_eq(jailed(VCPU, opens_a_file, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "lgkvm: seccomp: system call"));
	ck_assert_ptr_nonnull(strstr(err, "(open"));
	ck_assert_ptr_nonnull(strstr(err, "--no-seccomp"));
}
END_TEST

START_TEST(test_vcpu_jail_stops_executable_mappings)
{
	char err[512];

	ck_assert_int_eq(jailed(VCPU, maps_executable_memory, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "(mmap)"));
}
END_TEST

START_TEST(test_vcpu_jail_allows_only_the_vcpus_ioctls_on_its_fd)
{
	char err[512];

	ck_assert_int_eq(jailed(VCPU, creates_a_vcpu, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "(ioctl)"));
	ck_assert_int_eq(jailed(VCPU, runs_another_fd, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "(ioctl)"));
}
END_TEST

START_TEST(test_watcher_jail_stops_a_socket)
{
	char err[512];

	ck_assert_int_eq(jailed(WATCHER, makes_a_socket, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "(socket)"));
	ck_assert_int_eq(jailed(WATCHER, creates_a_vcpu, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "(ioctl)"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seccomp_jail");
	TCase *t = tcase_create("jail");

	tcase_add_test(t, test_vcpu_jail_allows_what_the_run_loop_needs);
	tcase_add_test(t, test_vcpu_jail_stops_an_open_with_one_line);
	tcase_add_test(t, test_vcpu_jail_stops_executable_mappings);
	tcase_add_test(t, test_vcpu_jail_allows_only_the_vcpus_ioctls_on_its_fd);
	tcase_add_test(t, test_watcher_jail_stops_a_socket);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
