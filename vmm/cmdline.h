/*
 * lgkvm's two command lines:
 *
 *   lgkvm run [OPTIONS] [KERNEL [KERNEL-ARGS...]]
 *   lgkvm [--verbose] [--tunnet=IP:MAC|bridge:BR:MAC] [--block=FILE]
 *         [--initrd=FILE] [--rng] [--username=USER] [--chroot=DIR]
 *         MEM-MiB KERNEL [KERNEL-ARGS...]      (the lguest Launcher's)
 *
 * Both fill the same struct vm_config.
 */
#ifndef LGKVM_CMDLINE_H
#define LGKVM_CMDLINE_H

#include "vmm/vm.h"

/* 0: cfg filled; VM_INPUT_ERROR: a one-line message was printed;
 * -1: --help was printed (exit 0). */
int cmdline_parse(int argc, char **argv, struct vm_config *cfg);

#endif
