#include "guest-loader/elf_kernel.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "guest-loader/boot_file.h"
#include "guest-loader/pae_hint.h"

/* A vmlinux has a handful; more is a broken or hostile file. */
#define ELF_MAX_PHDRS 4096

static int ident_check(const uint8_t *image, size_t size, const char *name,
		       char *err, size_t errlen)
{
	if (size < sizeof(Elf32_Ehdr)) {
		boot_err(err, errlen, "%s: truncated ELF header (%zu bytes)",
			 name, size);
		return -1;
	}
	if (image[EI_CLASS] == ELFCLASS64) {
		boot_err(err, errlen,
			 "%s: 64-bit ELF kernel (lguest guests are i386)", name);
		return -1;
	}
	if (image[EI_CLASS] != ELFCLASS32 || image[EI_DATA] != ELFDATA2LSB) {
		boot_err(err, errlen, "%s: not a 32-bit little-endian ELF file",
			 name);
		return -1;
	}
	return 0;
}

static int ehdr_check(const GElf_Ehdr *eh, size_t size, size_t phnum,
		      const char *name, char *err, size_t errlen)
{
	if (eh->e_type != ET_EXEC) {
		boot_err(err, errlen, "%s: ELF type %u is not an executable",
			 name, eh->e_type);
		return -1;
	}
	if (eh->e_machine != EM_386) {
		boot_err(err, errlen, "%s: ELF machine %u is not i386", name,
			 eh->e_machine);
		return -1;
	}
	if (phnum == 0 || phnum > ELF_MAX_PHDRS ||
	    eh->e_phentsize != sizeof(Elf32_Phdr)) {
		boot_err(err, errlen, "%s: bad program header table "
			 "(%zu entries of %u bytes)", name, phnum, eh->e_phentsize);
		return -1;
	}
	if (eh->e_phoff > size ||
	    (uint64_t)phnum * sizeof(Elf32_Phdr) > size - eh->e_phoff) {
		boot_err(err, errlen, "%s: program headers run past the end of "
			 "the file", name);
		return -1;
	}
	return 0;
}

/* Every number in a PT_LOAD header is checked before anything is written. */
static int segment_check(const struct guest_memory *gm, const GElf_Phdr *ph,
			 size_t idx, size_t size, uint32_t min_paddr,
			 const char *name, char *err, size_t errlen)
{
	/* Fields of an ELFCLASS32 file are 32-bit: no 64-bit sum wraps. */
	uint64_t end = ph->p_paddr + ph->p_memsz;

	if (ph->p_filesz > ph->p_memsz) {
		boot_err(err, errlen, "%s: segment %zu has more file bytes (%llu) "
			 "than memory bytes (%llu)", name, idx,
			 (unsigned long long)ph->p_filesz,
			 (unsigned long long)ph->p_memsz);
		return -1;
	}
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
		boot_err(err, errlen, "%s: segment %zu (file offset 0x%llx, %llu "
			 "bytes) runs past the end of the file (%zu bytes)",
			 name, idx, (unsigned long long)ph->p_offset,
			 (unsigned long long)ph->p_filesz, size);
		return -1;
	}
	if (!gmem_range_ok(gm, ph->p_paddr, ph->p_memsz) || end > UINT32_MAX) {
		boot_err(err, errlen, "%s: segment %zu (0x%08llx-0x%08llx) lies "
			 "outside guest RAM (%llu MiB)", name, idx,
			 (unsigned long long)ph->p_paddr,
			 (unsigned long long)end,
			 (unsigned long long)(gm->size >> 20));
		return -1;
	}
	if (ph->p_paddr < min_paddr) {
		boot_err(err, errlen, "%s: segment %zu at 0x%08llx overlaps "
			 "boot_params and the command line (below 0x%x)",
			 name, idx, (unsigned long long)ph->p_paddr, min_paddr);
		return -1;
	}
	return 0;
}

/*
 * i386 vmlinux links with ENTRY(phys_startup_32), so e_entry is already
 * physical (lguest's Launcher used it as is).  An ELF whose entry is a
 * virtual address is translated through the segment that holds it.
 */
static int entry_find(const GElf_Ehdr *eh, const GElf_Phdr *ph, size_t phnum,
		      uint32_t *entry)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_LOAD && eh->e_entry >= ph[i].p_paddr &&
		    eh->e_entry - ph[i].p_paddr < ph[i].p_memsz) {
			*entry = (uint32_t)eh->e_entry;
			return 0;
		}
	}
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_LOAD && eh->e_entry >= ph[i].p_vaddr &&
		    eh->e_entry - ph[i].p_vaddr < ph[i].p_memsz) {
			*entry = (uint32_t)(eh->e_entry - ph[i].p_vaddr +
					    ph[i].p_paddr);
			return 0;
		}
	}
	return -1;
}

/* libelf hands back pointers into the image, which need not be aligned
 * (a payload starts anywhere in a bzImage): take copies instead. */
static GElf_Phdr *phdrs_copy(Elf *e, size_t phnum)
{
	GElf_Phdr *ph = calloc(phnum, sizeof(*ph));

	for (size_t i = 0; ph && i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph[i])) {
			free(ph);
			return NULL;
		}
	}
	return ph;
}

int elf_kernel_load(const struct guest_memory *gm, uint8_t *image, size_t size,
		    uint32_t min_paddr, const char *name, struct elf_kernel *out,
		    char *err, size_t errlen)
{
	Elf *e = NULL;
	GElf_Ehdr eh;
	GElf_Phdr *ph = NULL;
	size_t phnum, nload = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ident_check(image, size, name, err, errlen) < 0)
		return -1;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		boot_err(err, errlen, "%s: libelf: %s", name, elf_errmsg(-1));
		return -1;
	}
	e = elf_memory((char *)image, size);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		boot_err(err, errlen, "%s: bad ELF file (%s)", name,
			 elf_errmsg(-1));
		goto out;
	}
	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) != 0) {
		boot_err(err, errlen, "%s: bad ELF header (%s)", name,
			 elf_errmsg(-1));
		goto out;
	}
	if (ehdr_check(&eh, size, phnum, name, err, errlen) < 0)
		goto out;
	ph = phdrs_copy(e, phnum);
	if (!ph) {
		boot_err(err, errlen, "%s: bad program headers (%s)", name,
			 elf_errmsg(-1));
		goto out;
	}

	/* First pass: check everything, so a bad file writes nothing. */
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_NOTE &&
		    (ph[i].p_offset > size || ph[i].p_filesz > size - ph[i].p_offset)) {
			boot_err(err, errlen, "%s: note segment %zu runs past the "
				 "end of the file", name, i);
			goto out;
		}
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if (segment_check(gm, &ph[i], i, size, min_paddr, name, err,
				  errlen) < 0)
			goto out;
		nload++;
		if (ph[i].p_paddr < lo)
			lo = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > hi)
			hi = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (nload == 0) {
		boot_err(err, errlen, "%s: no loadable segments", name);
		goto out;
	}
	if (entry_find(&eh, ph, phnum, &out->entry) < 0) {
		boot_err(err, errlen, "%s: entry point 0x%08llx is outside every "
			 "loadable segment", name, (unsigned long long)eh.e_entry);
		goto out;
	}

	/* Second pass: copy the file bytes, zero the rest (bss, brk). */
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		uint8_t *dst = gmem_ptr(gm, ph[i].p_paddr, ph[i].p_memsz);
		memcpy(dst, image + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	out->start = (uint32_t)lo;
	out->end = (uint32_t)hi;
	out->pae_hint = pae_hint_from_symbols(e);
	if (out->pae_hint < 0)
		out->pae_hint = pae_hint_from_notes(image, size, ph, phnum);
	if (out->pae_hint < 0) {
		uint64_t n = gm->size - out->entry; /* entry is inside RAM */
		if (n > PAE_HINT_STARTUP_SCAN)
			n = PAE_HINT_STARTUP_SCAN;
		out->pae_hint = pae_hint_from_startup_code(
			gmem_ptr(gm, out->entry, n), n);
	}
	rc = 0;
out:
	free(ph);
	if (e)
		elf_end(e);
	return rc;
}
