/*
 * lgkvm's two command lines (vmm/cmdline.c): `lgkvm run ...` and the lguest
 * Launcher's form.  Input: the arguments, separated by NUL bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cmdline.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096];
	static bool quiet;
	char *argv[MAX_ARGS + 2] = { "lgkvm" };
	struct vm_config cfg;
	int argc = 1;

	if (!quiet) {
		/* Usage errors print one line each: keep them out of the log,
		 * but not libFuzzer's own output (it keeps the old FILE). */
		FILE *null = fopen("/dev/null", "w");
		if (!null)
			abort();
		stdout = stderr = null;
		quiet = true;
	}
	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; p < buf + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	int rc = cmdline_parse(argc, argv, &cfg);
	/* What it accepted is within its own limits. */
	if (rc == 0 && (cfg.mem_mib < 4 || cfg.mem_mib > 3072 || cfg.nblocks > VM_MAX_BLOCKS ||
			cfg.arena_used > sizeof(cfg.arena) || !memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)) ||
			(cfg.cpu_flags_ignored && (cfg.cpu_flags_ignored < cfg.arena ||
						   cfg.cpu_flags_ignored >= cfg.arena + cfg.arena_used))))
		abort();
	return 0;
}
