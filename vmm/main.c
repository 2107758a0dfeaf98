/*
 * lgkvm: boot lguest guests on KVM.
 *
 *   lgkvm run [--mem MiB] [--initrd FILE] [--trace FILE] [--verbose]
 *             [--stats] [KERNEL [KERNEL-ARGS...]]
 *
 * Exit status: 0 the guest powered off, 1 it crashed or was killed (the
 * reason on stderr), 2 bad usage or input.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/trace.h"
#include "vmm/vm.h"

#define DEFAULT_MEM_MIB 64
#define MAX_MEM_MIB 3072

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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lgkvm run [--mem MiB] [--initrd FILE] [--trace FILE] [--verbose]\n"
		"                 [--stats] [--pae|--no-pae] [KERNEL [KERNEL-ARGS...]]\n"
		"\n"
		"Boots an i386 Linux kernel built with CONFIG_LGUEST_GUEST=y (a bzImage or\n"
		"vmlinux) under /dev/kvm. Without KERNEL, boots the built-in demo guest.\n"
		"  --mem MiB      guest RAM (default %d, at most %d)\n"
		"  --initrd FILE  initial ramdisk\n"
		"  --trace FILE   one line per hypercall, trap, page fault, interrupt, I/O\n"
		"  --verbose      say what lgkvm is doing on stderr\n"
		"  --stats        print VM exits by cause when the guest stops\n"
		"  --pae, --no-pae  the guest's page-table format (default: detected)\n"
		"Exit status: 0 guest powered off, 1 guest crashed or killed, 2 bad input.\n",
		DEFAULT_MEM_MIB, MAX_MEM_MIB);
}

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "lgkvm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see lgkvm --help)\n");
	return VM_INPUT_ERROR;
}

static int parse_run(int argc, char **argv, struct vm_config *cfg)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "trace", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "stats", no_argument, NULL, 's' },
		{ "pae", no_argument, NULL, 'P' },
		{ "no-pae", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	cfg->mem_mib = DEFAULT_MEM_MIB;
	cfg->pae = -1;
	opterr = 0;
	optind = 1;
	/* '+': options end at the kernel; what follows is the kernel's. */
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 4 || v > MAX_MEM_MIB)
				return fail_usage("--mem %s: give guest RAM in MiB, 4 to 3072",
						  optarg);
			cfg->mem_mib = v;
			break;
		}
		case 'i':
			cfg->initrd = optarg;
			break;
		case 't':
			cfg->trace = optarg;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 's':
			cfg->stats = true;
			break;
		case 'P':
			cfg->pae = 1;
			break;
		case 'N':
			cfg->pae = 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return fail_usage("unknown or incomplete option %s",
					  argv[optind - 1]);
		}
	}
	if (optind < argc)
		cfg->kernel = argv[optind++];
	for (size_t len = 0; optind < argc; optind++) {
		size_t n = strlen(argv[optind]);
		if (len + n + 2 > sizeof(cfg->cmdline))
			return fail_usage("kernel command line too long at %s",
					  argv[optind]);
		if (len)
			cfg->cmdline[len++] = ' ';
		memcpy(cfg->cmdline + len, argv[optind], n + 1);
		len += n;
	}
	if (cfg->kernel && access(cfg->kernel, R_OK) < 0) {
		fprintf(stderr, "lgkvm: %s: %s\n", cfg->kernel, strerror(errno));
		return VM_INPUT_ERROR;
	}
	if (cfg->initrd && access(cfg->initrd, R_OK) < 0) {
		fprintf(stderr, "lgkvm: %s: %s\n", cfg->initrd, strerror(errno));
		return VM_INPUT_ERROR;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	struct vm vm;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = parse_run(argc, argv, &cfg);
	if (rc)
		return rc;
	if (cfg.trace && !trace_open(cfg.trace)) {
		fprintf(stderr, "lgkvm: cannot write trace %s: %s\n", cfg.trace,
			strerror(errno));
		return VM_INPUT_ERROR;
	}
	/* A closed stdout must end the guest's output, not lgkvm. */
	signal(SIGPIPE, SIG_IGN);
	rc = vm_create(&vm, &cfg);
	if (!rc)
		rc = vm_boot(&vm);
	if (!rc) {
		raw_terminal();
		rc = vm_run(&vm);
		restore_terminal();
	}
	vm_destroy(&vm);
	trace_close();
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "run"))
		return cmd_run(argc < 2 ? 1 : argc - 1, argc < 2 ? argv : argv + 1);
	fprintf(stderr, "lgkvm: unknown command '%s' (see lgkvm --help)\n", argv[1]);
	return VM_INPUT_ERROR;
}
