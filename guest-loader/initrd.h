/*
 * The initial ramdisk: read straight into guest RAM, page-aligned at the
 * top of RAM (or below the kernel's initrd_addr_max), as lguest's Launcher
 * placed it, and never over the kernel.
 */
#ifndef LGKVM_INITRD_H
#define LGKVM_INITRD_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_memory.h"

/* addr_max: the highest byte the initrd may occupy (setup header);
 * low_limit: the first byte above everything the kernel needs. */
int initrd_load(const struct guest_memory *gm, const char *path,
		uint32_t addr_max, uint64_t low_limit, uint32_t *start,
		uint32_t *size, char *err, size_t errlen);

#endif
