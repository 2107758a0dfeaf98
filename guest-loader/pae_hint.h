/*
 * Is this i386 kernel built with PAE (3-level page tables) or without
 * (2-level)?  The ELF does not say, so the loader looks for evidence, best
 * first: symbols, a Xen note, then startup_32's own page-table loop.  The
 * answer is a hint for the shadow MMU: 1 PAE, 0 non-PAE, -1 unknown.
 */
#ifndef LGKVM_PAE_HINT_H
#define LGKVM_PAE_HINT_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/* initial_pg_pmd exists only in PAE kernels (head_32.S), initial_page_table
 * in both.  Needs a symbol table, which a bzImage's payload lacks. */
int pae_hint_from_symbols(Elf *e);

/* CONFIG_XEN kernels, which on i386 require PAE, carry Xen's PAE_MODE note.
 * Each PT_NOTE segment must already be known to lie inside the image. */
int pae_hint_from_notes(const uint8_t *image, size_t size, const GElf_Phdr *ph,
			size_t phnum);

/* startup_32 fills its boot page tables with "stosl; addl $0x1000, %eax;
 * loop" (4-byte entries) or, with PAE, stores a zero high half after each
 * entry ("stosl; xchgl; stosl; xchgl").  `code` is the entry point's bytes. */
#define PAE_HINT_STARTUP_SCAN 512
int pae_hint_from_startup_code(const uint8_t *code, size_t len);

#endif
