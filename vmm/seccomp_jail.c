#include "vmm/seccomp_jail.h"

#include <errno.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

/* Names of system calls, looked up before the filter is loaded: the SIGSYS
 * handler may run inside malloc, so it must not call libseccomp. */
#define MAX_SYSCALL 512
static char names[MAX_SYSCALL][32];

static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
	char msg[200];
	int nr = info->si_syscall;
	const char *name = nr >= 0 && nr < MAX_SYSCALL && names[nr][0] ? names[nr] : "?";
	int n = snprintf(msg, sizeof(msg),
			 "\r\nlgkvm: seccomp: system call %d (%s) is not allowed once the VM runs; "
			 "lgkvm stopped (--no-seccomp runs without the filter)\n",
			 nr, name);

	(void)sig;
	(void)ctx;
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(1);
	_exit(1);
}

static bool prepare(char *err, size_t len)
{
	static bool done;
	struct sigaction sa;

	if (done)
		return true;
	for (int nr = 0; nr < MAX_SYSCALL; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (s) {
			snprintf(names[nr], sizeof(names[nr]), "%s", s);
			free(s);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		snprintf(err, len, "seccomp: cannot handle SIGSYS: %s", strerror(errno));
		return false;
	}
	done = true;
	return true;
}

static bool allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A call this architecture lacks (e.g. an old variant) is fine. */
	return nr == __NR_SCMP_ERROR || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0;
}

static bool allow_all(scmp_filter_ctx ctx, const char *const *list)
{
	for (; *list; list++)
		if (!allow(ctx, *list))
			return false;
	return true;
}

/* What any lgkvm thread may do: wait, wake, leave, handle signals (and
 * write the SIGSYS handler's line), keep time, and manage memory without
 * making anything executable. */
static const char *const common[] = {
	"futex", "sched_yield", "nanosleep", "clock_nanosleep", "clock_gettime",
	"gettimeofday", "rt_sigprocmask", "rt_sigreturn", "exit", "exit_group",
	"madvise", "munmap", "brk", "restart_syscall", "getpid", "gettid",
	"sigaltstack", "write", NULL,
};

/* A sanitizer build's leak check at exit stops the world: it lists the
 * threads in /proc, clones a tracer that ptrace()s them, and waits for it.
 * Only those builds (the test suite's) allow that; lgkvm itself never. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER_BUILD 1
#endif
#endif
#ifdef SANITIZER_BUILD
static const char *const sanitizer_runtime[] = {
	"prctl", "clone", "clone3", "ptrace", "wait4", "waitid", "sched_getaffinity",
	"openat", "open", "getdents", "getdents64", "getppid", "readlink", "pipe",
	"pipe2", "dup2", NULL,
};
#else
static const char *const sanitizer_runtime[] = { NULL };
#endif

static bool allow_memory(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == 0 &&
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == 0 &&
	       seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mremap), 0) == 0;
}

static bool load(scmp_filter_ctx ctx, const char *who, char *err, size_t len)
{
	int rc = seccomp_load(ctx);

	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, len, "seccomp: cannot load the %s filter: %s", who, strerror(-rc));
		return false;
	}
	return true;
}

bool seccomp_jail_vcpu_thread(int vcpu_fd, char *err, size_t len)
{
	static const char *const calls[] = {
		"read", "readv", "pread64", "write", "writev", "pwrite64",
		"epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll",
		"timerfd_settime", "timerfd_gettime", "io_uring_enter",
		"getrandom", "mincore", "rt_sigaction", "tgkill", "kill",
		"fstat", "newfstatat", "lseek", "close", NULL,
	};
	/* The vCPU's ioctls after setup (run_loop.c, engine_fallback.c). */
	static const unsigned long vcpu_ioctls[] = {
		KVM_RUN, KVM_GET_SREGS, KVM_SET_SREGS, KVM_GET_REGS, KVM_SET_REGS,
		KVM_INTERRUPT, KVM_GET_FPU, KVM_SET_FPU, KVM_GET_VCPU_EVENTS,
	};
	/* The terminal: isatty and raw mode's restore. */
	static const unsigned long tty_ioctls[] = { TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ };
	scmp_filter_ctx ctx;
	bool ok;

	if (!prepare(err, len))
		return false;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, len, "seccomp: cannot build a filter");
		return false;
	}
	ok = allow_all(ctx, common) && allow_all(ctx, calls) && allow_memory(ctx) &&
	     allow_all(ctx, sanitizer_runtime);
	for (size_t i = 0; ok && i < sizeof(vcpu_ioctls) / sizeof(vcpu_ioctls[0]); i++)
		ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)vcpu_fd),
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, vcpu_ioctls[i])) == 0;
	for (int fd = 0; ok && fd <= 2; fd++)
		for (size_t i = 0; ok && i < sizeof(tty_ioctls) / sizeof(tty_ioctls[0]); i++)
			ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
					      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd),
					      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, tty_ioctls[i])) == 0;
	if (!ok) {
		seccomp_release(ctx);
		snprintf(err, len, "seccomp: cannot add the vCPU thread's rules");
		return false;
	}
	return load(ctx, "vCPU thread's", err, len);
}

bool seccomp_jail_watcher_thread(char *err, size_t len)
{
	static const char *const calls[] = { "poll", "ppoll", "tgkill", "read", NULL };
	scmp_filter_ctx ctx;

	if (!prepare(err, len))
		return false;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx || !allow_all(ctx, common) || !allow_all(ctx, calls) || !allow_memory(ctx) ||
	    !allow_all(ctx, sanitizer_runtime)) {
		if (ctx)
			seccomp_release(ctx);
		snprintf(err, len, "seccomp: cannot build the watcher thread's filter");
		return false;
	}
	return load(ctx, "watcher thread's", err, len);
}
