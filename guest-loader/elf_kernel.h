/*
 * Loading an i386 vmlinux (ELFCLASS32, EM_386, ET_EXEC) through libelf:
 * each PT_LOAD segment at its physical address, bss zeroed.  Used for a
 * plain vmlinux and for the ELF inside a bzImage's payload.
 */
#ifndef LGKVM_ELF_KERNEL_H
#define LGKVM_ELF_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_memory.h"

struct elf_kernel {
	uint32_t entry;      /* guest-physical */
	uint32_t start, end; /* lowest p_paddr, highest p_paddr + p_memsz */
	int pae_hint;        /* 1 PAE, 0 non-PAE, -1 unknown */
};

/*
 * Checks every segment against the image size and against guest RAM
 * [min_paddr, gm->size) before writing anything, then loads them.
 * `image` must be writable: libelf may convert data in place.
 * -1 with a message prefixed by `name` on any error.
 */
int elf_kernel_load(const struct guest_memory *gm, uint8_t *image, size_t size,
		    uint32_t min_paddr, const char *name, struct elf_kernel *out,
		    char *err, size_t errlen);

#endif
