/*
 * lgkvm: boot lguest guests on KVM.  (Command lines: vmm/cmdline.h.)
 *
 * Exit status: 0 the guest powered off, 1 it crashed or was killed (the
 * reason on stderr), 2 bad usage or input.
 */
#include <errno.h>
#include <grp.h>
#include <linux/kvm.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/cmdline.h"
#include "vmm/kvm_engine.h"
#include "vmm/trace.h"
#include "vmm/trace/trace_tools.h"
#include "vmm/vm.h"

static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The guest owns the terminal while it runs: raw mode, so keys (Ctrl-C
 * too) reach the guest's shell; restored on every way out. */
static void raw_terminal(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return;
	termios_saved = true;
	atexit(restore_terminal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGQUIT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	t = saved_termios;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR; /* the guest writes \n; keep the cursor sane */
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* The Launcher's --username and --chroot: give up root once /dev/kvm, the
 * images and the tap are open.  The user is looked up before the chroot. */
static int drop_privileges(const struct vm_config *cfg)
{
	struct passwd *pw = NULL;

	if (cfg->username && !(pw = getpwnam(cfg->username))) {
		fprintf(stderr, "lgkvm: no user '%s'\n", cfg->username);
		return VM_INPUT_ERROR;
	}
	if (cfg->chroot_dir && (chroot(cfg->chroot_dir) < 0 || chdir("/") < 0)) {
		fprintf(stderr, "lgkvm: cannot chroot to %s: %s\n", cfg->chroot_dir,
			strerror(errno));
		return VM_INPUT_ERROR;
	}
	if (pw && (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
		   setuid(pw->pw_uid) < 0)) {
		fprintf(stderr, "lgkvm: cannot become %s: %s\n", cfg->username,
			strerror(errno));
		return VM_INPUT_ERROR;
	}
	return 0;
}

/* `lgkvm probe`: the engine line, and whether a VM can be made. */
static int probe(void)
{
	struct kvm_engine e;
	char what[256];
	int fd = kvm_engine_open_dev(), vm_fd;

	if (fd < 0)
		return VM_CRASHED;
	vm_fd = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		fprintf(stderr, "lgkvm: /dev/kvm opens but KVM_CREATE_VM fails: %s\n",
			strerror(errno));
		close(fd);
		return VM_CRASHED;
	}
	close(vm_fd);
	close(fd);
	kvm_engine_detect(&e);
	kvm_engine_describe(&e, what, sizeof(what));
	printf("%s\n", what);
	return 0;
}

static void on_stats_signal(int sig)
{
	(void)sig;
	vm_request_stats();
}

int main(int argc, char **argv)
{
	struct vm_config cfg;
	struct vm vm;
	int rc;

	/* `lgkvm trace ...` reads traces; it makes no VM. */
	if (argc >= 2 && strcmp(argv[1], "trace") == 0)
		return trace_main(argc - 1, argv + 1);
	rc = cmdline_parse(argc, argv, &cfg);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (cfg.probe)
		return probe();
	if (cfg.trace && !trace_open(cfg.trace, argc, argv)) {
		fprintf(stderr, "lgkvm: cannot write trace %s: %s\n", cfg.trace,
			strerror(errno));
		return VM_INPUT_ERROR;
	}
	/* A closed stdout must end the guest's output, not lgkvm. */
	signal(SIGPIPE, SIG_IGN);
	/* kill -USR2: the exit statistics so far, on stderr. */
	struct sigaction sa = { .sa_handler = on_stats_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	rc = vm_create(&vm, &cfg);
	if (!rc)
		rc = vm_boot(&vm);
	if (!rc)
		rc = drop_privileges(&cfg);
	if (!rc) {
		raw_terminal();
		rc = vm_run(&vm);
		restore_terminal();
	}
	vm_destroy(&vm);
	trace_close();
	return rc;
}

