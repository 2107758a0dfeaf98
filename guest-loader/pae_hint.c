#include "guest-loader/pae_hint.h"

#include <stdbool.h>
#include <string.h>

/* Xen's ELF note type for "PAE_MODE" (xen/interface/elfnote.h). */
#define XEN_ELFNOTE_PAE_MODE 9

int pae_hint_from_symbols(Elf *e)
{
	Elf_Scn *scn = NULL;
	int hint = -1;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    sh.sh_entsize != sizeof(Elf32_Sym))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		size_t nsyms = data->d_size / sizeof(Elf32_Sym);
		for (size_t i = 0; i < nsyms && i <= INT32_MAX; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			if (strcmp(name, "initial_pg_pmd") == 0)
				return 1;
			if (strcmp(name, "initial_page_table") == 0)
				hint = 0;
		}
	}
	return hint;
}

static uint64_t align4(uint32_t n)
{
	return ((uint64_t)n + 3) & ~(uint64_t)3;
}

int pae_hint_from_notes(const uint8_t *image, size_t size, const GElf_Phdr *ph,
			size_t phnum)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_offset > size ||
		    ph[i].p_filesz > size - ph[i].p_offset)
			continue;
		const uint8_t *p = image + ph[i].p_offset;
		uint64_t left = ph[i].p_filesz;

		/* namesz, descsz, type; then name and desc, each 4-aligned */
		while (left >= 12) {
			uint32_t namesz, descsz, type;

			memcpy(&namesz, p, 4);
			memcpy(&descsz, p + 4, 4);
			memcpy(&type, p + 8, 4);
			uint64_t len = 12 + align4(namesz) + align4(descsz);
			if (len > left)
				break;
			if (type == XEN_ELFNOTE_PAE_MODE && namesz == 4 &&
			    memcmp(p + 12, "Xen", 4) == 0 && descsz >= 3 &&
			    memcmp(p + 16, "yes", 3) == 0)
				return 1;
			p += len;
			left -= len;
		}
	}
	return -1;
}

static bool contains(const uint8_t *hay, size_t len, const uint8_t *needle,
		     size_t nlen)
{
	for (size_t i = 0; i + nlen <= len; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return true;
	return false;
}

int pae_hint_from_startup_code(const uint8_t *code, size_t len)
{
	/* stosl; xchg %eax,%ebx; stosl; xchg %eax,%ebx; addl $0x1000,%eax */
	static const uint8_t pae[] = { 0xab, 0x93, 0xab, 0x93, 0x05, 0x00,
				       0x10, 0x00, 0x00, 0xe2 };
	/* stosl; addl $0x1000,%eax; loop */
	static const uint8_t nopae[] = { 0xab, 0x05, 0x00, 0x10, 0x00, 0x00,
					 0xe2 };

	if (len > PAE_HINT_STARTUP_SCAN)
		len = PAE_HINT_STARTUP_SCAN;
	if (contains(code, len, pae, sizeof(pae)))
		return 1;
	if (contains(code, len, nopae, sizeof(nopae)))
		return 0;
	return -1;
}
