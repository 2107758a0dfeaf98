#include "vmm/cmdline.h"

#include "devices/virtio_net.h"
#include "vmm/cpu_flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#define DEFAULT_MEM_MIB 64
#define MIN_MEM_MIB 4
#define MAX_MEM_MIB 3072

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lgkvm run [--mem MiB] [--initrd FILE] [--block FILE[,ro]]...\n"
		"                 [--net tap=NAME[,mac=MAC]] [--rng] [--trace FILE]\n"
		"                 [--verbose] [--stats] [--pae|--no-pae] [--mmu-check]\n"
		"                 [--no-seccomp] [--reserve-top BYTES] [--sticky-irq-pending]\n"
		"                 [--cpu-flags LIST] [--boot-as-launcher]\n"
		"                 [KERNEL [KERNEL-ARGS...]]\n"
		"       lgkvm probe\n"
		"       lgkvm trace compare|stats|perfetto|plot ...   (lgkvm trace --help)\n"
		"       lgkvm [--verbose] [--tunnet=IP:MAC|bridge:BR:MAC] [--block=FILE]\n"
		"             [--initrd=FILE] [--rng] [--username=USER] [--chroot=DIR]\n"
		"             MEM-MiB KERNEL [KERNEL-ARGS...]   (the lguest Launcher's form)\n"
		"\n"
		"Boots an i386 Linux kernel built with CONFIG_LGUEST_GUEST=y (a bzImage or\n"
		"vmlinux) under /dev/kvm. Without KERNEL, `run` boots the built-in demo guest.\n"
		"`probe` says which KVM engine lgkvm finds and exits 0 if it can make a VM.\n"
		"  --mem MiB        guest RAM (default %d, %d to %d)\n"
		"  --initrd FILE    initial ramdisk\n"
		"  --block FILE[,ro]  a virtio block device backed by FILE (repeatable)\n"
		"  --net tap=NAME[,mac=MAC]  a virtio network device on tap NAME\n"
		"  --rng            a virtio entropy device (getrandom)\n"
		"  --trace FILE     one line per hypercall, trap, page fault, interrupt, exit\n"
		"                   (JSON lines when FILE ends in .jsonl; see lgkvm trace)\n"
		"  --verbose        say what lgkvm is doing on stderr\n"
		"  --stats          print exits by cause and time, and hypercalls, at the end\n"
		"  --pae, --no-pae  the guest's page-table format (default: detected)\n"
		"  --no-seccomp     run without the seccomp sandbox (debugging)\n"
		"  --reserve-top BYTES  keep the guest out of the top of its address space,\n"
		"                   as an lguest Host did for its Switcher (default 0)\n"
		"  --sticky-irq-pending  never clear lguest_data.irq_pending, as lguest 4.10's\n"
		"                   Host did (the guest then asks at every irq enable)\n"
		"  --cpu-flags LIST  show the guest only these CPUID features (Linux's\n"
		"                   /proc/cpuinfo names, e.g. a reference host's flags line)\n"
		"  --boot-as-launcher  load as lguest's Launcher did: the bzImage runs its\n"
		"                   own decompressor, the initrd goes in as it is (slower)\n"
		"  --mmu-check      check the shadow page tables against the guest's at\n"
		"                   every page-table switch and at the end (slow; testing)\n"
		"Exit status: 0 guest powered off, 1 guest crashed or killed, 2 bad input.\n",
		DEFAULT_MEM_MIB, MIN_MEM_MIB, MAX_MEM_MIB);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lgkvm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see lgkvm --help)\n");
	return VM_INPUT_ERROR;
}

static int parse_mem(const char *s, struct vm_config *cfg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < MIN_MEM_MIB || v > MAX_MEM_MIB)
		return bad("memory size '%s': give guest RAM in MiB, %d to %d", s,
			   MIN_MEM_MIB, MAX_MEM_MIB);
	cfg->mem_mib = v;
	return 0;
}

/* Bytes at the top of the guest's 4 GiB it must not use: page aligned, and
 * at most 256 MiB (Linux's reserve_top_address has to fit its fixmap and
 * vmalloc area below). */
#define MAX_RESERVE_TOP 0x10000000ul

static int parse_reserve_top(const char *s, struct vm_config *cfg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || *s == '-' || v % 4096 || v > MAX_RESERVE_TOP)
		return bad("--reserve-top '%s': give bytes, a multiple of 4096, at most %#lx",
			   s, MAX_RESERVE_TOP);
	cfg->reserve_top = (uint32_t)v;
	return 0;
}

/* A NUL-terminated copy of s[0..n) in the config's arena. */
static const char *keep(struct vm_config *cfg, const char *s, size_t n)
{
	char *p;

	if (n + 1 > sizeof(cfg->arena) - cfg->arena_used)
		return NULL;
	p = cfg->arena + cfg->arena_used;
	memcpy(p, s, n);
	p[n] = '\0';
	cfg->arena_used += n + 1;
	return p;
}

/* A /proc/cpuinfo flags line names many things that are no CPUID bit
 * (constant_tsc, rep_good, ...): those are kept to say under --verbose.
 * A list with no CPUID name at all is a mistake. */
static int parse_cpu_flags(const char *list, struct vm_config *cfg)
{
	char ignored[1024] = "";

	if (!cpu_flags_parse(list, &cfg->cpu_flags, ignored, sizeof(ignored)))
		return bad("--cpu-flags '%.64s': no CPUID feature names in it "
			   "(Linux's /proc/cpuinfo flags, e.g. fpu,tsc,cx8,sse2)", list);
	if (ignored[0])
		cfg->cpu_flags_ignored = keep(cfg, ignored, strlen(ignored));
	return 0;
}

/* FILE or FILE,ro */
static int parse_block(const char *arg, struct vm_config *cfg)
{
	const char *comma = strrchr(arg, ',');
	size_t n = strlen(arg);
	struct block_config *b;

	if (cfg->nblocks == VM_MAX_BLOCKS)
		return bad("at most %d block devices", VM_MAX_BLOCKS);
	b = &cfg->blocks[cfg->nblocks];
	b->readonly = comma && !strcmp(comma + 1, "ro");
	if (b->readonly)
		n = (size_t)(comma - arg);
	if (!n)
		return bad("--block needs a file");
	if (!(b->path = keep(cfg, arg, n)))
		return bad("option values too long");
	cfg->nblocks++;
	return 0;
}

static int parse_mac(const char *s, struct vm_config *cfg)
{
	if (!virtio_net_parse_mac(s, cfg->net_mac))
		return bad("bad MAC address '%s' (want aa:bb:cc:dd:ee:ff, unicast)", s);
	cfg->net_mac_set = true;
	return 0;
}

/* tap=NAME[,mac=MAC] */
static int parse_net(const char *arg, struct vm_config *cfg)
{
	while (*arg) {
		size_t n = strcspn(arg, ",");
		const char *kv = keep(cfg, arg, n);

		if (!kv)
			return bad("option values too long");
		if (!strncmp(kv, "tap=", 4) && kv[4]) {
			cfg->net_tap = kv + 4;
		} else if (!strncmp(kv, "mac=", 4)) {
			int rc = parse_mac(kv + 4, cfg);
			if (rc)
				return rc;
		} else {
			return bad("--net %s: want tap=NAME[,mac=MAC]", kv);
		}
		arg += n + (arg[n] == ',');
	}
	if (!cfg->net_tap)
		return bad("--net needs tap=NAME");
	return 0;
}

/* The Launcher's --tunnet=IP:MAC or bridge:BR:MAC; MAC optional. */
static int parse_tunnet(const char *arg, struct vm_config *cfg)
{
	size_t n = strlen(arg);

	/* A MAC is the last 17 characters after a ':'. */
	if (n > 18 && arg[n - 18] == ':') {
		int rc = parse_mac(arg + n - 17, cfg);
		if (rc)
			return rc;
		n -= 18;
	}
	if (!n || (n == 7 && !strncmp(arg, "bridge:", 7)))
		return bad("--tunnet needs an IP address or bridge:NAME");
	if (!(cfg->tunnet_host = keep(cfg, arg, n)))
		return bad("option values too long");
	return 0;
}

static int check_files(struct vm_config *cfg)
{
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

static int take_kernel_args(int argc, char **argv, struct vm_config *cfg)
{
	size_t len = 0;

	for (; optind < argc; optind++) {
		size_t n = strlen(argv[optind]);
		if (len + n + 2 > sizeof(cfg->cmdline))
			return bad("kernel command line too long at '%s'", argv[optind]);
		if (len)
			cfg->cmdline[len++] = ' ';
		memcpy(cfg->cmdline + len, argv[optind], n + 1);
		len += n;
	}
	return 0;
}

enum {
	OPT_MEM = 256, OPT_INITRD, OPT_TRACE, OPT_VERBOSE, OPT_STATS, OPT_PAE,
	OPT_NO_PAE, OPT_BLOCK, OPT_NET, OPT_RNG, OPT_TUNNET, OPT_USERNAME,
	OPT_CHROOT, OPT_HELP, OPT_MMU_CHECK, OPT_NO_SECCOMP, OPT_RESERVE_TOP,
	OPT_STICKY_IRQ_PENDING, OPT_CPU_FLAGS, OPT_BOOT_AS_LAUNCHER,
};

static int parse_options(int argc, char **argv, struct vm_config *cfg,
			 const struct option *opts)
{
	int opt, rc = 0;

	opterr = 0;
	optind = 1;
	/* '+': options end at the first argument; what follows the kernel is
	 * the kernel's. */
	while (!rc && (opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_MEM: rc = parse_mem(optarg, cfg); break;
		case OPT_INITRD: cfg->initrd = optarg; break;
		case OPT_TRACE: cfg->trace = optarg; break;
		case OPT_VERBOSE: cfg->verbose = true; break;
		case OPT_STATS: cfg->stats = true; break;
		case OPT_PAE: cfg->pae = 1; break;
		case OPT_NO_PAE: cfg->pae = 0; break;
		case OPT_BLOCK: rc = parse_block(optarg, cfg); break;
		case OPT_NET: rc = parse_net(optarg, cfg); break;
		case OPT_RNG: cfg->rng = true; break;
		case OPT_TUNNET: rc = parse_tunnet(optarg, cfg); break;
		case OPT_USERNAME: cfg->username = optarg; break;
		case OPT_CHROOT: cfg->chroot_dir = optarg; break;
		case OPT_HELP: usage(stdout); return -1;
		case OPT_MMU_CHECK: cfg->mmu_check = true; break;
		case OPT_NO_SECCOMP: cfg->no_seccomp = true; break;
		case OPT_RESERVE_TOP: rc = parse_reserve_top(optarg, cfg); break;
		case OPT_STICKY_IRQ_PENDING: cfg->sticky_irq_pending = true; break;
		case OPT_CPU_FLAGS: rc = parse_cpu_flags(optarg, cfg); break;
		case OPT_BOOT_AS_LAUNCHER: cfg->boot_as_launcher = true; break;
		default:
			return bad("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	return rc;
}

static int parse_run(int argc, char **argv, struct vm_config *cfg)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "pae", no_argument, NULL, OPT_PAE },
		{ "no-pae", no_argument, NULL, OPT_NO_PAE },
		{ "block", required_argument, NULL, OPT_BLOCK },
		{ "net", required_argument, NULL, OPT_NET },
		{ "rng", no_argument, NULL, OPT_RNG },
		{ "mmu-check", no_argument, NULL, OPT_MMU_CHECK },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "reserve-top", required_argument, NULL, OPT_RESERVE_TOP },
		{ "sticky-irq-pending", no_argument, NULL, OPT_STICKY_IRQ_PENDING },
		{ "cpu-flags", required_argument, NULL, OPT_CPU_FLAGS },
		{ "boot-as-launcher", no_argument, NULL, OPT_BOOT_AS_LAUNCHER },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int rc = parse_options(argc, argv, cfg, opts);

	if (rc)
		return rc;
	if (optind < argc)
		cfg->kernel = argv[optind++];
	rc = take_kernel_args(argc, argv, cfg);
	return rc ? rc : check_files(cfg);
}

static int parse_launcher(int argc, char **argv, struct vm_config *cfg)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "tunnet", required_argument, NULL, OPT_TUNNET },
		{ "block", required_argument, NULL, OPT_BLOCK },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "rng", no_argument, NULL, OPT_RNG },
		{ "username", required_argument, NULL, OPT_USERNAME },
		{ "chroot", required_argument, NULL, OPT_CHROOT },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int rc = parse_options(argc, argv, cfg, opts);

	if (rc)
		return rc;
	if (argc - optind < 2)
		return bad("the Launcher form needs MEM-MiB and KERNEL");
	rc = parse_mem(argv[optind++], cfg);
	if (rc)
		return rc;
	cfg->kernel = argv[optind++];
	rc = take_kernel_args(argc, argv, cfg);
	return rc ? rc : check_files(cfg);
}

int cmdline_parse(int argc, char **argv, struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_mib = DEFAULT_MEM_MIB;
	cfg->pae = -1;
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return -1;
	}
	if (argc < 2)
		return parse_run(1, argv, cfg);
	if (!strcmp(argv[1], "run"))
		return parse_run(argc - 1, argv + 1, cfg);
	if (!strcmp(argv[1], "probe")) {
		if (argc > 2)
			return bad("probe takes no arguments");
		cfg->probe = true;
		return 0;
	}
	if (argv[1][0] == '-' || (argv[1][0] >= '0' && argv[1][0] <= '9'))
		return parse_launcher(argc, argv, cfg);
	return bad("unknown command '%s'", argv[1]);
}
