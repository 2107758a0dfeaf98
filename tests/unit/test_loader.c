/*
 * guest-loader: vmlinux ELF, bzImage (decompressed here or by the kernel),
 * initrd, command line and the boot_params zero page.
 *
 * Every image is built here at test time: a tiny i386 ELF written by hand,
 * and bzImages made of setup sectors with a real setup header plus that ELF
 * compressed with zlib or liblzma.  boot_params fields are checked at their
 * raw offsets from Documentation/x86/boot.txt, not through our own structs.
 */
#include <check.h>
#include <elf.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "guest-loader/boot_loader.h"

#define RAM_SIZE (8u << 20)
#define RAM_FILL 0xAA

/* The test vmlinux: text and data+bss, linked at 3 GiB virtual. */
#define TEXT_PADDR 0x200000u
#define TEXT_VADDR 0xC0200000u
#define TEXT_OFF 0x100u
#define TEXT_LEN 0x40u
#define DATA_PADDR 0x201000u
#define DATA_OFF 0x140u
#define DATA_FILESZ 0x20u
#define DATA_MEMSZ 0x1000u
#define ELF_ENTRY (TEXT_PADDR + 0x10)
#define ELF_END_NOSYMS 0x160u

/* The test bzImage. */
#define SETUP_SECTS 4
#define PM_OFF ((SETUP_SECTS + 1) * 512)
#define STUB_LEN 0x200u /* the "decompressor" before the payload */
#define CODE32_START 0x100000u

static uint8_t *ram;
static struct guest_memory gm;
static char tmpdir[64];
static char err[256];
static struct boot_result res;

static void setup(void)
{
	ram = malloc(RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	memset(ram, RAM_FILL, RAM_SIZE);
	gm.ram = ram;
	gm.size = RAM_SIZE;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lgkvm-loader-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	memset(err, 0, sizeof(err));
	memset(&res, 0, sizeof(res));
}

static void teardown(void)
{
	char cmd[128];

	free(ram);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* ---- little-endian helpers ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- fixtures ---- */

static const char *write_file(const char *name, const void *data, size_t len)
{
	static char paths[8][128];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, 128, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	if (len)
		ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static uint8_t text_byte(size_t i)
{
	return (uint8_t)(0x11 + i);
}

static uint8_t data_byte(size_t i)
{
	return (uint8_t)(0x80 + i);
}

/*
 * A minimal i386 vmlinux: ELF header, two PT_LOAD program headers, text,
 * data (with 0x1000 - 0x20 bytes of bss).  With `symbol`, a .symtab holding
 * that one symbol follows.  Returns the size; buf must hold 0x300 bytes.
 */
static size_t build_elf(uint8_t *buf, uint32_t entry, const char *symbol)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)buf;
	Elf32_Phdr *ph = (Elf32_Phdr *)(buf + sizeof(*eh));
	size_t size = ELF_END_NOSYMS;

	memset(buf, 0, 0x300);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf32_Phdr);
	eh->e_phnum = 2;
	eh->e_shentsize = sizeof(Elf32_Shdr);

	ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = TEXT_OFF,
			      .p_vaddr = TEXT_VADDR, .p_paddr = TEXT_PADDR,
			      .p_filesz = TEXT_LEN, .p_memsz = TEXT_LEN,
			      .p_flags = PF_R | PF_X, .p_align = 0x1000 };
	ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = DATA_OFF,
			      .p_vaddr = TEXT_VADDR + 0x1000, .p_paddr = DATA_PADDR,
			      .p_filesz = DATA_FILESZ, .p_memsz = DATA_MEMSZ,
			      .p_flags = PF_R | PF_W, .p_align = 0x1000 };
	for (size_t i = 0; i < TEXT_LEN; i++)
		buf[TEXT_OFF + i] = text_byte(i);
	for (size_t i = 0; i < DATA_FILESZ; i++)
		buf[DATA_OFF + i] = data_byte(i);

	if (symbol) {
		/* .strtab at 0x160, .symtab at 0x180, .shstrtab at 0x1a0,
		 * section headers at 0x1c0. */
		static const char shstr[] = "\0.symtab\0.strtab\0.shstrtab";
		Elf32_Sym *sym = (Elf32_Sym *)(buf + 0x180);
		Elf32_Shdr *sh = (Elf32_Shdr *)(buf + 0x1c0);

		ck_assert_uint_lt(strlen(symbol), 0x1e);
		strcpy((char *)buf + 0x161, symbol);
		sym[1].st_name = 1;
		sym[1].st_value = TEXT_VADDR + 0x1000;
		sym[1].st_shndx = SHN_ABS;
		memcpy(buf + 0x1a0, shstr, sizeof(shstr));
		sh[1] = (Elf32_Shdr){ .sh_name = 1, .sh_type = SHT_SYMTAB,
				      .sh_offset = 0x180, .sh_size = 2 * sizeof(Elf32_Sym),
				      .sh_link = 2, .sh_info = 1, .sh_addralign = 4,
				      .sh_entsize = sizeof(Elf32_Sym) };
		sh[2] = (Elf32_Shdr){ .sh_name = 9, .sh_type = SHT_STRTAB,
				      .sh_offset = 0x160, .sh_size = 0x20,
				      .sh_addralign = 1 };
		sh[3] = (Elf32_Shdr){ .sh_name = 17, .sh_type = SHT_STRTAB,
				      .sh_offset = 0x1a0, .sh_size = sizeof(shstr),
				      .sh_addralign = 1 };
		eh->e_shoff = 0x1c0;
		eh->e_shnum = 4;
		eh->e_shstrndx = 3;
		size = 0x1c0 + 4 * sizeof(Elf32_Shdr);
	}
	return size;
}

enum comp { COMP_GZIP, COMP_XZ, COMP_LZMA, COMP_NONE };

/* One compressed stream (a gzip member, an xz or lzma-alone stream) and
 * nothing after it; the size written.  cap must hold the result. */
static size_t compress_stream(enum comp c, const uint8_t *in, size_t len,
			      uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (c == COMP_GZIP) {
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS,
					      8, Z_DEFAULT_STRATEGY), Z_OK);
		zs.next_in = (Bytef *)in;
		zs.avail_in = (uInt)len;
		zs.next_out = out;
		zs.avail_out = (uInt)cap;
		ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
		n = zs.total_out;
		deflateEnd(&zs);
	} else if (c == COMP_XZ) {
		ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL,
							 in, len, out, &n, cap),
				 LZMA_OK);
	} else if (c == COMP_LZMA) {
		lzma_options_lzma opt;
		lzma_stream s = LZMA_STREAM_INIT;
		ck_assert(!lzma_lzma_preset(&opt, 6));
		ck_assert_int_eq(lzma_alone_encoder(&s, &opt), LZMA_OK);
		s.next_in = in;
		s.avail_in = len;
		s.next_out = out;
		s.avail_out = cap;
		ck_assert_int_eq(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
		n = s.total_out;
		lzma_end(&s);
	} else {
		ck_assert_uint_le(len, cap);
		memcpy(out, in, len);
		n = len;
	}
	return n;
}

/* Compresses like the kernel build: the stream, then the size (LE32). */
static size_t compress_payload(enum comp c, const uint8_t *in, size_t len,
			       uint8_t *out, size_t cap)
{
	size_t n = compress_stream(c, in, len, out, cap);

	if (c == COMP_GZIP)
		return n; /* gzip's own trailer ends with the size */
	ck_assert_uint_le(n + 4, cap);
	put32(out + n, (uint32_t)len);
	return n + 4;
}

struct bz_opts {
	uint16_t version;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
};

static const struct bz_opts bz_default = {
	.version = 0x020d,
	.init_size = 0x100000,
	.initrd_addr_max = 0x7fffffff,
	.cmdline_size = 255,
};

/*
 * A bzImage: boot sector + 4 setup sectors with the setup header, then
 * protected-mode code = a 0x200-byte stub and the payload, padded to
 * 16 bytes (syssize).  buf must hold PM_OFF + STUB_LEN + plen + 16.
 */
static size_t build_bzimage(uint8_t *buf, const uint8_t *payload, size_t plen,
			    const struct bz_opts *o)
{
	size_t pm_len = (STUB_LEN + plen + 15) & ~(size_t)15;

	memset(buf, 0, PM_OFF + pm_len);
	buf[0x1ef] = 0xff; /* header.S's sentinel: a loader must not copy it */
	buf[0x1f1] = SETUP_SECTS;
	put32(buf + 0x1f4, (uint32_t)(pm_len / 16)); /* syssize */
	put16(buf + 0x1fa, 0xffff);                  /* vid_mode */
	put16(buf + 0x1fe, 0xAA55);
	buf[0x200] = 0xEB;
	buf[0x201] = 0x66; /* header ends at 0x268 */
	memcpy(buf + 0x202, "HdrS", 4);
	put16(buf + 0x206, o->version);
	buf[0x211] = 0x01; /* LOADED_HIGH */
	put32(buf + 0x214, CODE32_START);
	put32(buf + 0x22c, o->initrd_addr_max);
	put32(buf + 0x230, 0x100000); /* kernel_alignment */
	buf[0x234] = 1;               /* relocatable_kernel */
	put32(buf + 0x238, o->cmdline_size);
	put32(buf + 0x248, STUB_LEN);
	put32(buf + 0x24c, (uint32_t)plen);
	put32(buf + 0x258, TEXT_PADDR); /* pref_address = LOAD_PHYSICAL_ADDR */
	put32(buf + 0x260, o->init_size);
	buf[0x268] = 0x5a; /* past the header's end: must not be copied */
	memset(buf + PM_OFF, 0x90, STUB_LEN);
	memcpy(buf + PM_OFF + STUB_LEN, payload, plen);
	return PM_OFF + pm_len;
}

/* A bzImage whose payload is the test ELF compressed with c. */
static size_t build_bzimage_of_elf(uint8_t *buf, enum comp c,
				   const struct bz_opts *o)
{
	uint8_t elf[0x300], payload[0x1000];
	size_t elen = build_elf(elf, ELF_ENTRY, NULL);
	size_t plen = compress_payload(c, elf, elen, payload, sizeof(payload));

	return build_bzimage(buf, payload, plen, o);
}

static int load(const char *kernel, const char *initrd, const char *cmdline)
{
	struct boot_config cfg = { .kernel_path = kernel, .initrd_path = initrd,
				   .cmdline = cmdline };

	memset(err, 0, sizeof(err));
	return boot_load(&gm, &cfg, &res, err, sizeof(err));
}

static void assert_fails_with(const char *kernel, const char *initrd,
			      const char *needle)
{
	int rc = load(kernel, initrd, "console=hvc0");

	ck_assert_msg(rc == -1, "expected failure (%s), got success", needle);
	ck_assert_msg(err[0] != '\0', "no message");
	ck_assert_msg(!strchr(err, '\n'), "message is not one line: %s", err);
	ck_assert_msg(strstr(err, needle), "message \"%s\" lacks \"%s\"", err,
		      needle);
}

static void assert_elf_loaded(void)
{
	for (size_t i = 0; i < TEXT_LEN; i++)
		ck_assert_uint_eq(ram[TEXT_PADDR + i], text_byte(i));
	for (size_t i = 0; i < DATA_FILESZ; i++)
		ck_assert_uint_eq(ram[DATA_PADDR + i], data_byte(i));
	for (size_t i = DATA_FILESZ; i < DATA_MEMSZ; i++)
		ck_assert_uint_eq(ram[DATA_PADDR + i], 0);
	/* nothing written past the end of bss */
	ck_assert_uint_eq(ram[DATA_PADDR + DATA_MEMSZ], RAM_FILL);
	ck_assert_uint_eq(res.entry, ELF_ENTRY);
	ck_assert_uint_eq(res.kernel_start, TEXT_PADDR);
	ck_assert_uint_eq(res.kernel_end, DATA_PADDR + DATA_MEMSZ);
}

/* ---- vmlinux ELF ---- */

START_TEST(test_elf_segments_land_at_paddr_with_bss_zeroed)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf, build_elf(elf, ELF_ENTRY, NULL));

	ck_assert_int_eq(load(k, NULL, NULL), 0);
	assert_elf_loaded();
	ck_assert_str_eq(res.format, "ELF");
	ck_assert(!res.decompressed_in_vmm);
	ck_assert_int_eq(res.pae_hint, -1);
}
END_TEST

START_TEST(test_elf_virtual_entry_is_translated_to_physical)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux",
				   elf, build_elf(elf, TEXT_VADDR + 0x10, NULL));

	ck_assert_int_eq(load(k, NULL, NULL), 0);
	ck_assert_uint_eq(res.entry, TEXT_PADDR + 0x10);
}
END_TEST

START_TEST(test_elf_initial_pg_pmd_symbol_means_pae)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf,
				   build_elf(elf, ELF_ENTRY, "initial_pg_pmd"));

	ck_assert_int_eq(load(k, NULL, NULL), 0);
	ck_assert_int_eq(res.pae_hint, 1);
	assert_elf_loaded();
}
END_TEST

START_TEST(test_elf_initial_page_table_alone_means_non_pae)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf,
				   build_elf(elf, ELF_ENTRY, "initial_page_table"));

	ck_assert_int_eq(load(k, NULL, NULL), 0);
	ck_assert_int_eq(res.pae_hint, 0);
}
END_TEST

START_TEST(test_elf_gets_synthesized_setup_header)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf, build_elf(elf, ELF_ENTRY, NULL));

	ck_assert_int_eq(load(k, NULL, NULL), 0);
	ck_assert_uint_eq(get16(ram + 0x1fe), 0xAA55);
	ck_assert_int_eq(memcmp(ram + 0x202, "HdrS", 4), 0);
	/* 2.07, as lguest's Launcher declared: subarch and KEEP_SEGMENTS */
	ck_assert_uint_eq(get16(ram + 0x206), 0x0207);
	ck_assert_uint_eq(get32(ram + 0x230), 0x1000000); /* kernel_alignment */
	ck_assert_uint_eq(get32(ram + 0x23c), 1);
	ck_assert_uint_eq(ram[0x211] & 0x40, 0x40);
}
END_TEST

START_TEST(test_elf_segment_past_end_of_file_fails)
{
	uint8_t elf[0x300];
	size_t n = build_elf(elf, ELF_ENTRY, NULL);
	Elf32_Phdr *ph = (Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr));

	ph[1].p_filesz = 0x400; /* 0x140 + 0x400 > 0x160 */
	assert_fails_with(write_file("vmlinux", elf, n), NULL,
			  "runs past the end of the file");
	/* nothing was written */
	ck_assert_uint_eq(ram[TEXT_PADDR], RAM_FILL);
}
END_TEST

START_TEST(test_elf_segment_offset_overflow_fails)
{
	uint8_t elf[0x300];
	size_t n = build_elf(elf, ELF_ENTRY, NULL);
	Elf32_Phdr *ph = (Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr));

	ph[0].p_offset = 0xfffffff0u; /* offset + size wraps in 32 bits */
	assert_fails_with(write_file("vmlinux", elf, n), NULL,
			  "runs past the end of the file");
}
END_TEST

START_TEST(test_elf_segment_outside_ram_fails)
{
	uint8_t elf[0x300];
	size_t n = build_elf(elf, ELF_ENTRY, NULL);
	Elf32_Phdr *ph = (Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr));

	ph[1].p_paddr = RAM_SIZE - 0x800; /* bss crosses the end of RAM */
	assert_fails_with(write_file("vmlinux", elf, n), NULL,
			  "outside guest RAM");
	ph[1].p_paddr = 0xfffff000u; /* paddr + memsz wraps */
	assert_fails_with(write_file("vmlinux", elf, n), NULL,
			  "outside guest RAM");
}
END_TEST

START_TEST(test_elf_segment_over_boot_params_fails)
{
	uint8_t elf[0x300];
	size_t n = build_elf(elf, ELF_ENTRY, NULL);
	Elf32_Phdr *ph = (Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr));

	ph[1].p_paddr = 0x800;
	assert_fails_with(write_file("vmlinux", elf, n), NULL, "boot_params");
}
END_TEST

START_TEST(test_elf_entry_outside_segments_fails)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf, build_elf(elf, 0x500000, NULL));

	assert_fails_with(k, NULL, "entry point");
}
END_TEST

START_TEST(test_elf_not_i386_fails)
{
	uint8_t elf[0x300];
	size_t n = build_elf(elf, ELF_ENTRY, NULL);

	((Elf32_Ehdr *)elf)->e_machine = EM_ARM;
	assert_fails_with(write_file("vmlinux", elf, n), NULL, "not i386");
	((Elf32_Ehdr *)elf)->e_machine = EM_386;
	((Elf32_Ehdr *)elf)->e_type = ET_DYN;
	assert_fails_with(write_file("vmlinux", elf, n), NULL, "not an executable");
	((Elf32_Ehdr *)elf)->e_type = ET_EXEC;
	elf[EI_CLASS] = ELFCLASS64;
	assert_fails_with(write_file("vmlinux", elf, n), NULL, "64-bit");
}
END_TEST

START_TEST(test_elf_program_headers_past_end_fail)
{
	uint8_t elf[0x300];
	size_t n = build_elf(elf, ELF_ENTRY, NULL);

	((Elf32_Ehdr *)elf)->e_phoff = 0x150;
	assert_fails_with(write_file("vmlinux", elf, n), NULL, "program header");
	((Elf32_Ehdr *)elf)->e_phoff = sizeof(Elf32_Ehdr);
	((Elf32_Ehdr *)elf)->e_phnum = 0xfff0;
	assert_fails_with(write_file("vmlinux", elf, n), NULL, "program header");
}
END_TEST

/* ---- bzImage ---- */

static void check_decompressed_bzimage(enum comp c, const char *format)
{
	static uint8_t bz[0x4000];
	const char *k = write_file("bzImage", bz,
				   build_bzimage_of_elf(bz, c, &bz_default));

	ck_assert_msg(load(k, NULL, "root=/dev/vda") == 0, "%s", err);
	assert_elf_loaded();
	ck_assert(res.decompressed_in_vmm);
	ck_assert_str_eq(res.format, format);
	/* the stub (the kernel's decompressor) was not loaded */
	ck_assert_uint_eq(ram[CODE32_START], RAM_FILL);
}

START_TEST(test_bzimage_gzip_payload_decompressed_and_loaded_as_elf)
{
	check_decompressed_bzimage(COMP_GZIP, "bzImage (gzip payload)");
}
END_TEST

START_TEST(test_bzimage_xz_payload_decompressed_and_loaded_as_elf)
{
	check_decompressed_bzimage(COMP_XZ, "bzImage (xz payload)");
}
END_TEST

START_TEST(test_bzimage_lzma_payload_decompressed_and_loaded_as_elf)
{
	check_decompressed_bzimage(COMP_LZMA, "bzImage (lzma payload)");
}
END_TEST

/* startup_32's boot page-table fill loop, as gcc/gas emit it (head_32.S). */
static const uint8_t pae_loop[] = { 0xab, 0x93, 0xab, 0x93, 0x05, 0x00, 0x10,
				    0x00, 0x00, 0xe2, 0xf5 };
static const uint8_t nopae_loop[] = { 0xab, 0x05, 0x00, 0x10, 0x00, 0x00,
				      0xe2, 0xf8 };

static int pae_hint_of_bzimage_with_startup(const uint8_t *code, size_t len)
{
	static uint8_t bz[0x4000];
	uint8_t elf[0x300], payload[0x1000];
	size_t elen = build_elf(elf, ELF_ENTRY, NULL), plen, n;

	/* no symbols (a bzImage payload is stripped): only the code tells */
	memcpy(elf + TEXT_OFF + (ELF_ENTRY - TEXT_PADDR) + 8, code, len);
	plen = compress_payload(COMP_GZIP, elf, elen, payload, sizeof(payload));
	n = build_bzimage(bz, payload, plen, &bz_default);
	ck_assert_msg(load(write_file("bzImage", bz, n), NULL, NULL) == 0, "%s", err);
	return res.pae_hint;
}

START_TEST(test_bzimage_startup_code_reveals_pae)
{
	ck_assert_int_eq(pae_hint_of_bzimage_with_startup(pae_loop,
							  sizeof(pae_loop)), 1);
	ck_assert_int_eq(pae_hint_of_bzimage_with_startup(nopae_loop,
							  sizeof(nopae_loop)), 0);
	ck_assert_int_eq(pae_hint_of_bzimage_with_startup((const uint8_t *)"\x90", 1),
			 -1);
}
END_TEST

START_TEST(test_bzimage_bzip2_payload_runs_kernels_own_decompressor)
{
	static uint8_t bz[0x4000];
	static const uint8_t bzip2[] = "BZh91AY&SY not really bzip2 data";
	size_t n = build_bzimage(bz, bzip2, sizeof(bzip2), &bz_default);
	const char *k = write_file("bzImage", bz, n);

	ck_assert_msg(load(k, NULL, NULL) == 0, "%s", err);
	ck_assert_str_eq(res.format, "bzImage (kernel's own decompressor)");
	ck_assert(!res.decompressed_in_vmm);
	ck_assert_uint_eq(res.entry, CODE32_START);
	ck_assert_uint_eq(res.kernel_start, CODE32_START);
	ck_assert_uint_eq(res.kernel_end, CODE32_START + (n - PM_OFF));
	ck_assert_int_eq(memcmp(ram + CODE32_START, bz + PM_OFF, n - PM_OFF), 0);
	ck_assert_int_eq(res.pae_hint, -1);
}
END_TEST

START_TEST(test_bzimage_without_payload_fields_runs_kernels_own_decompressor)
{
	static uint8_t bz[0x4000];
	struct bz_opts o = bz_default;
	size_t n;

	o.version = 0x0207; /* before payload_offset existed */
	n = build_bzimage_of_elf(bz, COMP_GZIP, &o);
	ck_assert_int_eq(load(write_file("bzImage", bz, n), NULL, NULL), 0);
	ck_assert_str_eq(res.format, "bzImage (kernel's own decompressor)");
	ck_assert_uint_eq(res.entry, CODE32_START);
}
END_TEST

START_TEST(test_bzimage_setup_header_copied_into_boot_params)
{
	static uint8_t bz[0x4000];
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);

	ck_assert_int_eq(load(write_file("bzImage", bz, n), NULL, NULL), 0);
	ck_assert_uint_eq(ram[0x1f1], SETUP_SECTS);
	ck_assert_uint_eq(get16(ram + 0x1fa), 0xffff);
	ck_assert_int_eq(memcmp(ram + 0x202, "HdrS", 4), 0);
	ck_assert_uint_eq(get16(ram + 0x206), 0x020d); /* the kernel's version */
	ck_assert_uint_eq(get32(ram + 0x214), CODE32_START);
	ck_assert_uint_eq(get32(ram + 0x230), 0x100000);
	ck_assert_uint_eq(get32(ram + 0x248), STUB_LEN);
	ck_assert_uint_eq(get32(ram + 0x260), 0x100000);
	ck_assert_uint_eq(res.boot_protocol, 0x020d);
	/* only the header: not the sentinel before it, not what follows */
	ck_assert_uint_eq(ram[0x1ef], 0);
	ck_assert_uint_eq(ram[0x268], 0);
}
END_TEST

START_TEST(test_boot_params_has_lguest_subarch_keep_segments_and_e820)
{
	static uint8_t bz[0x4000];
	size_t n = build_bzimage_of_elf(bz, COMP_XZ, &bz_default);

	ck_assert_int_eq(load(write_file("bzImage", bz, n), NULL, NULL), 0);
	ck_assert_uint_eq(get32(ram + 0x23c), 1);      /* hardware_subarch */
	ck_assert_uint_eq(get64(ram + 0x240), 0);      /* hardware_subarch_data */
	ck_assert_uint_eq(ram[0x211], 0x01 | 0x40);    /* LOADED_HIGH|KEEP_SEGMENTS */
	ck_assert_uint_eq(ram[0x210], 0xff);           /* type_of_loader */
	ck_assert_uint_eq(ram[0x1e8], 1);              /* e820_entries */
	ck_assert_uint_eq(get64(ram + 0x2d0), 0);      /* e820_map[0].addr */
	ck_assert_uint_eq(get64(ram + 0x2d8), RAM_SIZE);
	ck_assert_uint_eq(get32(ram + 0x2e0), 1);      /* E820_RAM */
	ck_assert_uint_eq(get64(ram + 0x250), 0);      /* setup_data */
	ck_assert_uint_eq(get32(ram + 0x218), 0);      /* no initrd */
	ck_assert_uint_eq(get32(ram + 0x21c), 0);
	/* the rest of the zero page is zero, not stale RAM */
	for (size_t i = 0; i < 0x1f1; i++)
		ck_assert_msg(ram[i] == 0 || i == 0x1e8, "byte 0x%zx", i);
	for (size_t i = 0x2e4; i < 0x1000; i++)
		ck_assert_msg(ram[i] == 0, "byte 0x%zx", i);
}
END_TEST

START_TEST(test_cmdline_copied_after_zero_page)
{
	static uint8_t bz[0x4000];
	const char *cl = "console=hvc0 root=/dev/vda rw";
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);

	ck_assert_int_eq(load(write_file("bzImage", bz, n), NULL, cl), 0);
	ck_assert_uint_eq(get32(ram + 0x228), 0x1000); /* cmd_line_ptr */
	ck_assert_uint_eq(res.cmdline_addr, 0x1000);
	ck_assert_str_eq((const char *)ram + 0x1000, cl);
}
END_TEST

START_TEST(test_null_cmdline_is_empty_string)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf, build_elf(elf, ELF_ENTRY, NULL));

	ck_assert_int_eq(load(k, NULL, NULL), 0);
	ck_assert_uint_eq(get32(ram + 0x228), 0x1000);
	ck_assert_uint_eq(ram[0x1000], 0);
}
END_TEST

START_TEST(test_cmdline_longer_than_cmdline_size_fails)
{
	static uint8_t bz[0x4000];
	char cl[300];
	struct boot_config cfg;
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);

	memset(cl, 'x', sizeof(cl) - 1);
	cl[sizeof(cl) - 1] = '\0'; /* 299 > cmdline_size 255 */
	cfg = (struct boot_config){ .kernel_path = write_file("bzImage", bz, n), .cmdline = cl };
	ck_assert_int_eq(boot_load(&gm, &cfg, &res, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "command line too long"));
	cl[255] = '\0'; /* exactly cmdline_size: accepted */
	ck_assert_int_eq(boot_load(&gm, &cfg, &res, err, sizeof(err)), 0);
}
END_TEST

/* ---- initrd ---- */

START_TEST(test_initrd_page_aligned_at_top_of_ram)
{
	static uint8_t bz[0x4000];
	uint8_t rd[5000];
	uint32_t want = (RAM_SIZE - sizeof(rd)) & ~0xfffu;
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);

	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i * 7);
	ck_assert_int_eq(load(write_file("bzImage", bz, n),
			      write_file("initrd", rd, sizeof(rd)), NULL), 0);
	ck_assert_uint_eq(res.initrd_start, want);
	ck_assert_uint_eq(res.initrd_size, sizeof(rd));
	ck_assert_uint_eq(get32(ram + 0x218), want);      /* ramdisk_image */
	ck_assert_uint_eq(get32(ram + 0x21c), sizeof(rd)); /* ramdisk_size */
	ck_assert_int_eq(memcmp(ram + want, rd, sizeof(rd)), 0);
	ck_assert_uint_eq(ram[0x210], 0xff); /* the kernel needs a loader id */
}
END_TEST

START_TEST(test_initrd_respects_initrd_addr_max)
{
	static uint8_t bz[0x4000];
	uint8_t rd[100] = { 1, 2, 3 };
	struct bz_opts o = bz_default;
	size_t n;

	o.initrd_addr_max = 0x5fffff; /* highest byte: 6 MiB - 1 */
	n = build_bzimage_of_elf(bz, COMP_GZIP, &o);
	ck_assert_int_eq(load(write_file("bzImage", bz, n),
			      write_file("initrd", rd, sizeof(rd)), NULL), 0);
	ck_assert_uint_eq(res.initrd_start, 0x5ff000);
	ck_assert_uint_le(res.initrd_start + res.initrd_size, 0x600000);
}
END_TEST

START_TEST(test_initrd_too_big_fails)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf, build_elf(elf, ELF_ENTRY, NULL));
	/* reaches down into the kernel's bss at 0x201000..0x202000 */
	size_t len = RAM_SIZE - 0x201800;
	uint8_t *rd = calloc(1, len);
	const char *r = write_file("initrd", rd, len);

	free(rd);
	assert_fails_with(k, r, "initrd too big");
}
END_TEST

START_TEST(test_initrd_must_clear_own_decompressors_init_size)
{
	static uint8_t bz[0x4000];
	static const uint8_t lz4[] = "\x02\x21\x4c\x18 lz4 data";
	/* decompressor works in [pref_address, +init_size) = 2..6 MiB */
	struct bz_opts o = bz_default;
	size_t len = RAM_SIZE - 0x500000, n;
	uint8_t *rd = calloc(1, len);
	const char *r = write_file("initrd", rd, len);

	free(rd);
	o.init_size = 0x400000;
	n = build_bzimage(bz, lz4, sizeof(lz4), &o);
	assert_fails_with(write_file("bzImage", bz, n), r, "initrd too big");
}
END_TEST

START_TEST(test_missing_initrd_fails)
{
	uint8_t elf[0x300];
	const char *k = write_file("vmlinux", elf, build_elf(elf, ELF_ENTRY, NULL));
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/no-such-initrd", tmpdir);
	assert_fails_with(k, missing, "no-such-initrd");
	assert_fails_with(k, write_file("empty", "", 0), "empty");
}
END_TEST

/* ---- initrd decompressed in the VMM ---- */

/* One newc cpio entry (Documentation/early-userspace/buffer-format.txt). */
static size_t cpio_entry(uint8_t *buf, size_t n, const char *name,
			 uint32_t mode, const uint8_t *data, size_t len)
{
	static uint32_t ino = 100;
	size_t namesize = strlen(name) + 1;
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X"
		 "%08X%08X%08X%08X", ino++, mode, 0, 0, 1, 0, (uint32_t)len,
		 3, 1, 0, 0, (uint32_t)namesize, 0);
	memcpy(buf + n, hdr, 110);
	memcpy(buf + n + 110, name, namesize);
	n += 110 + namesize;
	while (n & 3)
		buf[n++] = 0;
	if (len)
		memcpy(buf + n, data, len);
	n += len;
	while (n & 3)
		buf[n++] = 0;
	return n;
}

/*
 * A small initramfs: /bin, /init holding body_len bytes that depend on tag,
 * the trailer, zeros to a 512-byte block as cpio writes them.  Returns a
 * malloc'd buffer and its size in *len.
 */
static uint8_t *build_cpio(uint8_t tag, size_t body_len, size_t *len)
{
	uint8_t *body = malloc(body_len + 1);
	uint8_t *buf = malloc(body_len + 2048);
	size_t n = 0;

	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < body_len; i++)
		body[i] = (uint8_t)(i * 13 + tag);
	n = cpio_entry(buf, n, "bin", 0040755, NULL, 0);
	n = cpio_entry(buf, n, "init", 0100755, body, body_len);
	n = cpio_entry(buf, n, "TRAILER!!!", 0, NULL, 0);
	while (n & 511)
		buf[n++] = 0;
	free(body);
	*len = n;
	return buf;
}

/* A malloc'd compressed copy of in; its size in *out_len. */
static uint8_t *compress_alloc(enum comp c, const uint8_t *in, size_t len,
			       size_t *out_len)
{
	size_t cap = len + len / 8 + 4096;
	uint8_t *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	*out_len = compress_stream(c, in, len, out, cap);
	return out;
}

static const char *test_vmlinux(void)
{
	uint8_t elf[0x300];

	return write_file("vmlinux", elf, build_elf(elf, ELF_ENTRY, NULL));
}

/* The first page-aligned byte above the test vmlinux (its bss ends at
 * 0x202000): where the initrd may begin. */
#define INITRD_LOWEST 0x202000u

/* The initrd the kernel will find: placed page-aligned ending at the top
 * of RAM, described by boot_params and boot_result alike, and holding
 * exactly `want`. */
static void assert_initrd_is(const uint8_t *want, size_t len)
{
	uint32_t at = (RAM_SIZE - (uint32_t)len) & ~0xfffu;

	ck_assert_uint_eq(res.initrd_start, at);
	ck_assert_uint_eq(res.initrd_size, len);
	ck_assert_uint_eq(get32(ram + 0x218), at);  /* ramdisk_image */
	ck_assert_uint_eq(get32(ram + 0x21c), len); /* ramdisk_size */
	ck_assert_msg(memcmp(ram + at, want, len) == 0,
		      "initrd in RAM differs from what was expected");
}

static void assert_loaded_unchanged(const uint8_t *file, size_t len)
{
	ck_assert(!res.initrd_decompressed);
	ck_assert_str_eq(res.initrd_compression, "");
	ck_assert_uint_eq(res.initrd_file_size, len);
	assert_initrd_is(file, len);
}

static void check_initrd_unpacked(enum comp c, const char *name)
{
	size_t clen, zlen;
	uint8_t *cpio = build_cpio(1, 5000, &clen);
	uint8_t *z = compress_alloc(c, cpio, clen, &zlen);

	ck_assert_msg(load(test_vmlinux(), write_file("initrd", z, zlen), NULL)
		      == 0, "%s", err);
	ck_assert(res.initrd_decompressed);
	ck_assert_str_eq(res.initrd_compression, name);
	ck_assert_uint_eq(res.initrd_file_size, zlen);
	assert_initrd_is(cpio, clen);
	free(cpio);
	free(z);
}

START_TEST(test_initrd_gzip_cpio_lands_uncompressed)
{
	check_initrd_unpacked(COMP_GZIP, "gzip");
}
END_TEST

START_TEST(test_initrd_xz_cpio_lands_uncompressed)
{
	check_initrd_unpacked(COMP_XZ, "xz");
}
END_TEST

START_TEST(test_initrd_lzma_cpio_lands_uncompressed)
{
	check_initrd_unpacked(COMP_LZMA, "lzma");
}
END_TEST

/* --boot-as-launcher: what lgkvm could decompress goes in as the Launcher
 * put it: the bzImage's protected-mode code at code32_start (its own
 * decompressor runs) and the gzip initramfs as the file is, at the top. */
START_TEST(test_as_launcher_keeps_bzimage_and_initrd_compressed)
{
	static uint8_t bz[0x4000];
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default), clen, zlen;
	uint8_t *cpio = build_cpio(1, 5000, &clen);
	uint8_t *z = compress_alloc(COMP_GZIP, cpio, clen, &zlen);
	struct boot_config cfg = { .kernel_path = write_file("bzImage", bz, n),
				   .initrd_path = write_file("initrd", z, zlen),
				   .as_launcher = true };

	uint32_t rd_at = (RAM_SIZE - (uint32_t)zlen) & ~0xfffu;

	ck_assert_msg(boot_load(&gm, &cfg, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(res.format, "bzImage (kernel's own decompressor)");
	ck_assert(!res.decompressed_in_vmm);
	ck_assert_uint_eq(res.entry, CODE32_START);
	ck_assert_int_eq(memcmp(ram + CODE32_START, bz + PM_OFF, n - PM_OFF), 0);
	ck_assert(!res.initrd_decompressed);
	ck_assert_int_eq(memcmp(ram + rd_at, z, zlen), 0);
	/* The Launcher's zero page: its fields only, the initrd's size rounded
	 * up to pages (it ends at the top of RAM). */
	ck_assert_uint_eq(get32(ram + 0x218), rd_at);            /* ramdisk_image */
	ck_assert_uint_eq(get32(ram + 0x21c), RAM_SIZE - rd_at); /* ramdisk_size */
	ck_assert_uint_eq(res.initrd_size, RAM_SIZE - rd_at);
	ck_assert_uint_eq(ram[0x210], 0xff);                     /* type_of_loader */
	ck_assert_uint_eq(ram[0x211], 0x40);                     /* KEEP_SEGMENTS */
	ck_assert_uint_eq(get16(ram + 0x206), 0x0207);           /* version */
	ck_assert_uint_eq(get32(ram + 0x230), 0x1000000);        /* kernel_alignment */
	ck_assert_uint_eq(get32(ram + 0x23c), 1);                /* hardware_subarch */
	ck_assert_uint_eq(get32(ram + 0x228), 0x1000);           /* cmd_line_ptr */
	ck_assert_uint_eq(get32(ram + 0x260), 0);                /* init_size: not the file's */
	ck_assert_int_eq(memcmp(ram + 0x202, "\0\0\0\0", 4), 0); /* no "HdrS" copied */
	ck_assert_uint_eq(get64(ram + 0x2d8), RAM_SIZE);         /* e820_map[0].size */
	/* The same files without it: both decompressed by lgkvm. */
	ck_assert_int_eq(load(cfg.kernel_path, cfg.initrd_path, NULL), 0);
	ck_assert(res.decompressed_in_vmm);
	ck_assert(res.initrd_decompressed);
	free(cpio);
	free(z);
}
END_TEST

START_TEST(test_initrd_concatenated_members_land_as_concatenation)
{
	size_t l1, l2, z1, z2, n = 0;
	uint8_t *c1 = build_cpio(1, 3000, &l1), *c2 = build_cpio(2, 7000, &l2);
	uint8_t *g1 = compress_alloc(COMP_GZIP, c1, l1, &z1);
	uint8_t *g2 = compress_alloc(COMP_GZIP, c2, l2, &z2);
	uint8_t *file = calloc(1, z1 + z2 + 1024), *want = malloc(l1 + l2);

	/* gzip member, 512 zeros, gzip member, 3 zeros of trailing padding */
	memcpy(file, g1, z1);
	n = z1 + 512;
	memcpy(file + n, g2, z2);
	n += z2 + 3;
	memcpy(want, c1, l1);
	memcpy(want + l1, c2, l2);
	ck_assert_int_eq(load(test_vmlinux(), write_file("initrd", file, n), NULL), 0);
	ck_assert(res.initrd_decompressed);
	ck_assert_str_eq(res.initrd_compression, "gzip");
	ck_assert_uint_eq(res.initrd_file_size, n);
	assert_initrd_is(want, l1 + l2);

	/* a gzip member then an xz one */
	free(g2);
	g2 = compress_alloc(COMP_XZ, c2, l2, &z2);
	memcpy(file, g1, z1);
	memcpy(file + z1, g2, z2);
	ck_assert_int_eq(load(test_vmlinux(),
			      write_file("initrd", file, z1 + z2), NULL), 0);
	ck_assert_str_eq(res.initrd_compression, "gzip+xz");
	assert_initrd_is(want, l1 + l2);
	free(c1), free(c2), free(g1), free(g2), free(file), free(want);
}
END_TEST

/* The kernel parses each member's output with its own alignment: a member
 * that follows output of odd length must still start 4-byte aligned. */
START_TEST(test_initrd_member_after_odd_length_output_starts_aligned)
{
	size_t l1, l2, z1, z2;
	uint8_t *c1 = build_cpio(1, 100, &l1), *c2 = build_cpio(2, 200, &l2);
	uint8_t *g1, *g2, *file, *want;

	l1 += 2; /* the archive plus two zeros of padding: 2 mod 4 */
	c1 = realloc(c1, l1);
	c1[l1 - 2] = c1[l1 - 1] = 0;
	g1 = compress_alloc(COMP_GZIP, c1, l1, &z1);
	g2 = compress_alloc(COMP_GZIP, c2, l2, &z2);
	file = malloc(z1 + z2);
	memcpy(file, g1, z1);
	memcpy(file + z1, g2, z2);
	want = calloc(1, l1 + 2 + l2);
	memcpy(want, c1, l1);
	memcpy(want + l1 + 2, c2, l2);
	ck_assert_int_eq(load(test_vmlinux(),
			      write_file("initrd", file, z1 + z2), NULL), 0);
	ck_assert(res.initrd_decompressed);
	assert_initrd_is(want, l1 + 2 + l2);
	free(c1), free(c2), free(g1), free(g2), free(file), free(want);
}
END_TEST

/* Distributions put an uncompressed cpio (CPU microcode) in front. */
START_TEST(test_initrd_uncompressed_cpio_then_gzip_member_unpacks_member)
{
	size_t l1, l2, z2;
	uint8_t *c1 = build_cpio(1, 999, &l1), *c2 = build_cpio(2, 4000, &l2);
	uint8_t *g2 = compress_alloc(COMP_GZIP, c2, l2, &z2);
	uint8_t *file = malloc(l1 + z2), *want = malloc(l1 + l2);

	memcpy(file, c1, l1);
	memcpy(file + l1, g2, z2);
	memcpy(want, c1, l1);
	memcpy(want + l1, c2, l2);
	ck_assert_int_eq(load(test_vmlinux(),
			      write_file("initrd", file, l1 + z2), NULL), 0);
	ck_assert(res.initrd_decompressed);
	assert_initrd_is(want, l1 + l2);
	free(c1), free(c2), free(g2), free(file), free(want);
}
END_TEST

START_TEST(test_initrd_uncompressed_is_untouched)
{
	size_t clen;
	uint8_t *cpio = build_cpio(3, 6000, &clen);
	uint8_t image[8192] = { 0 };

	ck_assert_int_eq(load(test_vmlinux(),
			      write_file("initrd", cpio, clen), NULL), 0);
	assert_loaded_unchanged(cpio, clen);
	/* an ext2 ramdisk image: a zero boot block, then the superblock */
	for (size_t i = 1024; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 5 + 1);
	image[1024 + 56] = 0x53, image[1024 + 57] = 0xef;
	ck_assert_int_eq(load(test_vmlinux(),
			      write_file("initrd", image, sizeof(image)), NULL), 0);
	assert_loaded_unchanged(image, sizeof(image));
	free(cpio);
}
END_TEST

START_TEST(test_initrd_corrupt_gzip_loads_original_bytes)
{
	size_t clen, zlen;
	uint8_t *cpio = build_cpio(4, 20000, &clen);
	uint8_t *z = compress_alloc(COMP_GZIP, cpio, clen, &zlen);

	z[zlen / 2] ^= 0x55; /* in the deflate data */
	ck_assert_int_eq(load(test_vmlinux(), write_file("initrd", z, zlen), NULL), 0);
	assert_loaded_unchanged(z, zlen);
	z[zlen / 2] ^= 0x55;
	z[zlen - 6] ^= 0x01; /* only the CRC-32 is wrong */
	ck_assert_int_eq(load(test_vmlinux(), write_file("initrd", z, zlen), NULL), 0);
	assert_loaded_unchanged(z, zlen);
	free(cpio);
	free(z);
}
END_TEST

START_TEST(test_initrd_truncated_member_loads_original_bytes)
{
	size_t clen, zlen;
	uint8_t *cpio = build_cpio(5, 3000, &clen);
	enum comp kinds[] = { COMP_GZIP, COMP_XZ, COMP_LZMA };

	for (size_t k = 0; k < 3; k++) {
		uint8_t *z = compress_alloc(kinds[k], cpio, clen, &zlen);

		for (size_t len = 1; len < zlen; len += 1 + len / 16) {
			ck_assert_msg(load(test_vmlinux(),
					   write_file("initrd", z, len), NULL) == 0,
				      "%s", err);
			assert_loaded_unchanged(z, len);
		}
		free(z);
	}
	free(cpio);
}
END_TEST

/* What the kernel's unpacker would not take after a member goes to the
 * kernel as it is, which then reports it as it always would. */
START_TEST(test_initrd_not_understood_loads_original_bytes)
{
	size_t clen, zlen, n;
	uint8_t *cpio = build_cpio(6, 2000, &clen);
	uint8_t *z = compress_alloc(COMP_GZIP, cpio, clen, &zlen);
	uint8_t *file = calloc(1, zlen + clen + 64), *empty;
	static const char *tails[] = {
		"junk",
		"BZh91AY&SY",            /* a bzip2 member lgkvm does not decode */
		"\x02\x21\x4c\x18 lz4",  /* nor lz4 */
		"\0\0\0\0" "070707",     /* an old-style (odc) cpio header */
	};

	for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
		size_t tl = t == 3 ? 10 : strlen(tails[t]);

		memcpy(file, z, zlen);
		memcpy(file + zlen, tails[t], tl);
		n = zlen + tl;
		ck_assert_int_eq(load(test_vmlinux(),
				      write_file("initrd", file, n), NULL), 0);
		assert_loaded_unchanged(file, n);
	}
	/* an uncompressed cpio, 2 zeros, a gzip member: unaligned after
	 * padding, which the kernel calls "broken padding" */
	memcpy(file, cpio, clen);
	file[clen] = file[clen + 1] = 0;
	memcpy(file + clen + 2, z, zlen);
	n = clen + 2 + zlen;
	ck_assert_int_eq(load(test_vmlinux(), write_file("initrd", file, n), NULL), 0);
	assert_loaded_unchanged(file, n);
	/* a member holding nothing: no empty ramdisk for the kernel */
	empty = compress_alloc(COMP_GZIP, (const uint8_t *)"", 0, &n);
	ck_assert_int_eq(load(test_vmlinux(), write_file("initrd", empty, n), NULL), 0);
	assert_loaded_unchanged(empty, n);
	free(cpio), free(z), free(file), free(empty);
}
END_TEST

/* The unpacked image obeys the rule the file does: it must fit between
 * the kernel and the top of RAM.  One byte more and the file goes in
 * compressed, as it always could. */
START_TEST(test_initrd_unpacked_only_when_it_fits_in_ram)
{
	size_t room = RAM_SIZE - INITRD_LOWEST, zlen;
	uint8_t *image = malloc(room + 1), *z;

	for (size_t i = 0; i < room + 1; i++)
		image[i] = (uint8_t)(i % 251 + 1);
	z = compress_alloc(COMP_GZIP, image, room, &zlen);
	ck_assert_msg(load(test_vmlinux(), write_file("initrd", z, zlen), NULL)
		      == 0, "%s", err);
	ck_assert(res.initrd_decompressed);
	ck_assert_uint_eq(res.initrd_start, INITRD_LOWEST);
	assert_initrd_is(image, room);
	free(z);

	z = compress_alloc(COMP_GZIP, image, room + 1, &zlen);
	ck_assert_msg(load(test_vmlinux(), write_file("initrd", z, zlen), NULL)
		      == 0, "%s", err);
	assert_loaded_unchanged(z, zlen);
	free(z);
	free(image);
}
END_TEST

START_TEST(test_initrd_too_big_unpacked_but_fitting_compressed_loads_compressed)
{
	size_t clen, zlen;
	/* 7 MiB of file in 8 MiB of RAM above a 2 MiB kernel */
	uint8_t *cpio = build_cpio(7, 7u << 20, &clen);
	uint8_t *z = compress_alloc(COMP_XZ, cpio, clen, &zlen);

	ck_assert_uint_lt(zlen, 1u << 20);
	ck_assert_msg(load(test_vmlinux(), write_file("initrd", z, zlen), NULL)
		      == 0, "%s", err);
	assert_loaded_unchanged(z, zlen);
	free(cpio);
	free(z);
}
END_TEST

/* initrd_addr_max bounds the unpacked image as it bounds the file. */
START_TEST(test_initrd_unpacked_respects_initrd_addr_max)
{
	static uint8_t bz[0x4000];
	struct bz_opts o = bz_default;
	size_t clen, zlen;
	uint8_t *cpio = build_cpio(8, 3u << 20, &clen);
	uint8_t *z = compress_alloc(COMP_GZIP, cpio, clen, &zlen);
	size_t n;

	/* room below 5 MiB: 5 MiB - 0x202000 < 3 MiB of cpio */
	o.initrd_addr_max = 0x4fffff;
	n = build_bzimage_of_elf(bz, COMP_GZIP, &o);
	ck_assert_int_eq(load(write_file("bzImage", bz, n),
			      write_file("initrd", z, zlen), NULL), 0);
	ck_assert(!res.initrd_decompressed);
	ck_assert_uint_le(res.initrd_start + res.initrd_size, 0x500000);
	ck_assert_int_eq(memcmp(ram + res.initrd_start, z, zlen), 0);
	/* 6 MiB: it fits unpacked */
	o.initrd_addr_max = 0x5fffff;
	n = build_bzimage_of_elf(bz, COMP_GZIP, &o);
	ck_assert_int_eq(load(write_file("bzImage", bz, n),
			      write_file("initrd", z, zlen), NULL), 0);
	ck_assert(res.initrd_decompressed);
	ck_assert_uint_eq(res.initrd_size, clen);
	ck_assert_uint_le(res.initrd_start + res.initrd_size, 0x600000);
	ck_assert_int_eq(memcmp(ram + res.initrd_start, cpio, clen), 0);
	free(cpio);
	free(z);
}
END_TEST

/* ---- bad kernels ---- */

START_TEST(test_missing_kernel_fails)
{
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/vmlinuz", tmpdir);
	assert_fails_with(missing, NULL, "No such file");
	assert_fails_with(tmpdir, NULL, "not a regular file");
	assert_fails_with(write_file("vmlinuz", "", 0), NULL, "empty");
}
END_TEST

START_TEST(test_wrong_magic_fails)
{
	static uint8_t bz[0x4000];
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);

	bz[0x202] = 'X';
	assert_fails_with(write_file("vmlinuz", bz, n), NULL,
			  "vmlinuz: not a bzImage or ELF kernel (bad magic)");
	bz[0x202] = 'H';
	put16(bz + 0x1fe, 0x55AA);
	assert_fails_with(write_file("vmlinuz", bz, n), NULL, "bad magic");
	assert_fails_with(write_file("tiny", "MZ", 2), NULL, "not a bzImage");
}
END_TEST

START_TEST(test_truncated_bzimage_fails)
{
	static uint8_t bz[0x4000];
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);

	assert_fails_with(write_file("bzImage", bz, n - 16), NULL, "truncated");
	assert_fails_with(write_file("bzImage", bz, PM_OFF), NULL, "truncated");
	assert_fails_with(write_file("bzImage", bz, 0x240), NULL, "truncated");
}
END_TEST

START_TEST(test_payload_offset_or_length_past_file_fails)
{
	static uint8_t bz[0x4000];
	size_t n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);
	uint32_t plen = get32(bz + 0x24c);

	put32(bz + 0x248, (uint32_t)(n - PM_OFF)); /* offset at the very end */
	assert_fails_with(write_file("bzImage", bz, n), NULL,
			  "runs past the end of the file");
	put32(bz + 0x248, STUB_LEN);
	put32(bz + 0x24c, plen + 0x100);
	assert_fails_with(write_file("bzImage", bz, n), NULL,
			  "runs past the end of the file");
	put32(bz + 0x248, 0xfffffff0u); /* offset + length wraps in 32 bits */
	put32(bz + 0x24c, 0x20);
	assert_fails_with(write_file("bzImage", bz, n), NULL,
			  "runs past the end of the file");
}
END_TEST

START_TEST(test_garbage_compressed_payload_fails)
{
	static uint8_t bz[0x4000];
	uint8_t junk[256];
	size_t n;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	memcpy(junk, "\x1f\x8b\x08\x00", 4);
	n = build_bzimage(bz, junk, sizeof(junk), &bz_default);
	assert_fails_with(write_file("bzImage", bz, n), NULL, "gzip payload");
	memcpy(junk, "\xfd" "7zXZ\0", 6);
	n = build_bzimage(bz, junk, sizeof(junk), &bz_default);
	assert_fails_with(write_file("bzImage", bz, n), NULL, "xz payload");
	memcpy(junk, "\x5d\x00\x00\x80\x00", 5);
	n = build_bzimage(bz, junk, sizeof(junk), &bz_default);
	assert_fails_with(write_file("bzImage", bz, n), NULL, "lzma payload");
}
END_TEST

START_TEST(test_truncated_compressed_payload_fails)
{
	static uint8_t bz[0x4000];
	uint8_t elf[0x300], payload[0x1000];
	size_t elen = build_elf(elf, ELF_ENTRY, NULL);
	enum comp kinds[] = { COMP_GZIP, COMP_XZ, COMP_LZMA };

	for (size_t k = 0; k < 3; k++) {
		size_t plen = compress_payload(kinds[k], elf, elen, payload,
					       sizeof(payload));
		/* cut the stream and the trailer in the middle */
		size_t n = build_bzimage(bz, payload, plen / 2, &bz_default);
		assert_fails_with(write_file("bzImage", bz, n), NULL, "payload");
	}
}
END_TEST

START_TEST(test_decompressed_payload_not_elf_fails)
{
	static uint8_t bz[0x4000];
	uint8_t text[600], payload[0x1000];
	size_t plen, n;

	memset(text, 'A', sizeof(text));
	plen = compress_payload(COMP_GZIP, text, sizeof(text), payload,
				sizeof(payload));
	n = build_bzimage(bz, payload, plen, &bz_default);
	assert_fails_with(write_file("bzImage", bz, n), NULL, "not an ELF image");
}
END_TEST

START_TEST(test_payload_bigger_than_init_size_fails)
{
	static uint8_t bz[0x40000];
	size_t big = 3u << 20; /* 3 MiB of zeros: a tiny decompression bomb */
	uint8_t *zeros = calloc(1, big), *payload = malloc(0x30000);
	struct bz_opts o = bz_default;
	size_t plen, n;

	o.init_size = 0x100000;
	plen = compress_payload(COMP_GZIP, zeros, big, payload, 0x30000);
	n = build_bzimage(bz, payload, plen, &o);
	free(zeros);
	free(payload);
	assert_fails_with(write_file("bzImage", bz, n), NULL,
			  "decompresses to more than 1048576 bytes");
}
END_TEST

START_TEST(test_old_or_64bit_bzimage_fails)
{
	static uint8_t bz[0x4000];
	struct bz_opts o = bz_default;
	size_t n;

	o.version = 0x0206;
	n = build_bzimage_of_elf(bz, COMP_GZIP, &o);
	assert_fails_with(write_file("bzImage", bz, n), NULL, "too old");
	n = build_bzimage_of_elf(bz, COMP_GZIP, &bz_default);
	put16(bz + 0x236, 0x0001); /* XLF_KERNEL_64 */
	assert_fails_with(write_file("bzImage", bz, n), NULL, "x86-64");
	put16(bz + 0x236, 0);
	bz[0x211] = 0; /* not LOADED_HIGH: a zImage */
	assert_fails_with(write_file("bzImage", bz, n), NULL, "zImage");
}
END_TEST

START_TEST(test_own_decompressor_needs_ram_for_init_size)
{
	static uint8_t bz[0x4000];
	static const uint8_t lzo[] = "\x89LZO\0 data";
	struct bz_opts o = bz_default;
	size_t n;

	o.init_size = RAM_SIZE; /* from pref_address 2 MiB: past the end */
	n = build_bzimage(bz, lzo, sizeof(lzo), &o);
	assert_fails_with(write_file("bzImage", bz, n), NULL, "too small");
}
END_TEST

/* ---- robustness: nothing crashes, whatever the bytes ---- */

static uint32_t rng_state = 12345;


START_TEST(test_every_truncation_fails_cleanly)
{
	static uint8_t bz[0x4000];
	uint8_t elf[0x300];
	size_t n = build_bzimage_of_elf(bz, COMP_XZ, &bz_default);
	size_t en = build_elf(elf, ELF_ENTRY, NULL);

	for (size_t len = 1; len < n; len += (len < 0x300 ? 1 : 7))
		assert_fails_with(write_file("bzImage", bz, len), NULL, "bzImage");
	for (size_t len = 1; len < en; len++)
		assert_fails_with(write_file("vmlinux", elf, len), NULL, "vmlinux");
}
END_TEST


static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Whatever the outcome, a success must describe a sane load. */
static void load_mutant(const char *path)
{
	if (load(path, NULL, "x") == 0) {
		ck_assert_uint_lt(res.entry, RAM_SIZE);
		ck_assert_uint_le(res.kernel_start, res.kernel_end);
		ck_assert_uint_le(res.kernel_end, RAM_SIZE);
	} else {
		ck_assert(err[0] != '\0' && !strchr(err, '\n'));
	}
}

START_TEST(test_random_corruption_never_crashes)
{
	static uint8_t bz[0x4000], mut[0x4000];
	uint8_t elf[0x300], emut[0x300];
	enum comp kinds[] = { COMP_GZIP, COMP_XZ, COMP_LZMA };
	size_t en = build_elf(elf, ELF_ENTRY, "initial_pg_pmd");

	for (int round = 0; round < 900; round++) {
		size_t n = build_bzimage_of_elf(bz, kinds[round % 3], &bz_default);
		int flips = 1 + (int)(rng() % 4);

		memcpy(mut, bz, n);
		for (int f = 0; f < flips; f++) {
			/* aim at the header half the time */
			size_t at = (rng() & 1) ? 0x1f1 + rng() % 0x77 : rng() % n;
			mut[at] ^= (uint8_t)(1u << (rng() % 8));
		}
		load_mutant(write_file("bzImage", mut, n));

		memcpy(emut, elf, en);
		for (int f = 0; f < flips; f++)
			emut[rng() % en] = (uint8_t)rng();
		load_mutant(write_file("vmlinux", emut, en));
	}
}
END_TEST

/* A damaged initrd never fails the boot: it lands unpacked within RAM or
 * byte for byte as the file is. */
START_TEST(test_random_initrd_corruption_never_fails_the_boot)
{
	size_t l1, l2, zlen;
	uint8_t *c1 = build_cpio(1, 300, &l1), *c2 = build_cpio(2, 3000, &l2);
	enum comp kinds[] = { COMP_GZIP, COMP_XZ, COMP_LZMA };
	char k[128];

	/* write_file's names are recycled: keep a copy */
	snprintf(k, sizeof(k), "%s", test_vmlinux());
	for (int round = 0; round < 600; round++) {
		uint8_t *z = compress_alloc(kinds[round % 3], c2, l2, &zlen);
		/* an uncompressed cpio then the member: both get hit */
		uint8_t *file = malloc(l1 + zlen);
		size_t n = l1 + zlen;
		int flips = 1 + (int)(rng() % 4);

		memcpy(file, c1, l1);
		memcpy(file + l1, z, zlen);
		for (int f = 0; f < flips; f++) {
			size_t at = (rng() & 1) ? rng() % 110 : rng() % n;
			file[at] = (rng() & 1) ? (uint8_t)rng()
					       : file[at] ^ (uint8_t)(1u << (rng() % 8));
		}
		ck_assert_msg(load(k, write_file("initrd", file, n), NULL) == 0,
			      "%s", err);
		ck_assert_uint_ge(res.initrd_start, INITRD_LOWEST);
		ck_assert_uint_le((uint64_t)res.initrd_start + res.initrd_size,
				  RAM_SIZE);
		ck_assert_uint_eq(get32(ram + 0x218), res.initrd_start);
		ck_assert_uint_eq(get32(ram + 0x21c), res.initrd_size);
		if (!res.initrd_decompressed)
			assert_loaded_unchanged(file, n);
		free(file);
		free(z);
	}
	free(c1);
	free(c2);
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("guest-loader");
	TCase *elf = tcase_create("vmlinux");
	TCase *bz = tcase_create("bzImage");
	TCase *bp = tcase_create("boot_params");
	TCase *rd = tcase_create("initrd");
	TCase *bad = tcase_create("bad images");
	TCase *fuzz = tcase_create("robustness");
	TCase *all[] = { elf, bz, bp, rd, bad, fuzz };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_set_timeout(fuzz, 120);

	tcase_add_test(elf, test_elf_segments_land_at_paddr_with_bss_zeroed);
	tcase_add_test(elf, test_elf_virtual_entry_is_translated_to_physical);
	tcase_add_test(elf, test_elf_initial_pg_pmd_symbol_means_pae);
	tcase_add_test(elf, test_elf_initial_page_table_alone_means_non_pae);
	tcase_add_test(elf, test_elf_gets_synthesized_setup_header);

	tcase_add_test(bz, test_bzimage_gzip_payload_decompressed_and_loaded_as_elf);
	tcase_add_test(bz, test_bzimage_xz_payload_decompressed_and_loaded_as_elf);
	tcase_add_test(bz, test_bzimage_lzma_payload_decompressed_and_loaded_as_elf);
	tcase_add_test(bz, test_bzimage_bzip2_payload_runs_kernels_own_decompressor);
	tcase_add_test(bz, test_bzimage_without_payload_fields_runs_kernels_own_decompressor);
	tcase_add_test(bz, test_bzimage_setup_header_copied_into_boot_params);
	tcase_add_test(bz, test_bzimage_startup_code_reveals_pae);

	tcase_add_test(bp, test_boot_params_has_lguest_subarch_keep_segments_and_e820);
	tcase_add_test(bp, test_cmdline_copied_after_zero_page);
	tcase_add_test(bp, test_null_cmdline_is_empty_string);
	tcase_add_test(bp, test_cmdline_longer_than_cmdline_size_fails);

	tcase_add_test(rd, test_initrd_page_aligned_at_top_of_ram);
	tcase_add_test(rd, test_initrd_respects_initrd_addr_max);
	tcase_add_test(rd, test_initrd_too_big_fails);
	tcase_add_test(rd, test_initrd_must_clear_own_decompressors_init_size);
	tcase_add_test(rd, test_missing_initrd_fails);
	tcase_add_test(rd, test_initrd_gzip_cpio_lands_uncompressed);
	tcase_add_test(rd, test_initrd_xz_cpio_lands_uncompressed);
	tcase_add_test(rd, test_initrd_lzma_cpio_lands_uncompressed);
	tcase_add_test(rd, test_as_launcher_keeps_bzimage_and_initrd_compressed);
	tcase_add_test(rd, test_initrd_concatenated_members_land_as_concatenation);
	tcase_add_test(rd, test_initrd_member_after_odd_length_output_starts_aligned);
	tcase_add_test(rd, test_initrd_uncompressed_cpio_then_gzip_member_unpacks_member);
	tcase_add_test(rd, test_initrd_uncompressed_is_untouched);
	tcase_add_test(rd, test_initrd_corrupt_gzip_loads_original_bytes);
	tcase_add_test(rd, test_initrd_truncated_member_loads_original_bytes);
	tcase_add_test(rd, test_initrd_not_understood_loads_original_bytes);
	tcase_add_test(rd, test_initrd_unpacked_only_when_it_fits_in_ram);
	tcase_add_test(rd, test_initrd_too_big_unpacked_but_fitting_compressed_loads_compressed);
	tcase_add_test(rd, test_initrd_unpacked_respects_initrd_addr_max);

	tcase_add_test(bad, test_missing_kernel_fails);
	tcase_add_test(bad, test_wrong_magic_fails);
	tcase_add_test(bad, test_truncated_bzimage_fails);
	tcase_add_test(bad, test_payload_offset_or_length_past_file_fails);
	tcase_add_test(bad, test_garbage_compressed_payload_fails);
	tcase_add_test(bad, test_truncated_compressed_payload_fails);
	tcase_add_test(bad, test_decompressed_payload_not_elf_fails);
	tcase_add_test(bad, test_payload_bigger_than_init_size_fails);
	tcase_add_test(bad, test_old_or_64bit_bzimage_fails);
	tcase_add_test(bad, test_own_decompressor_needs_ram_for_init_size);
	tcase_add_test(bad, test_elf_segment_past_end_of_file_fails);
	tcase_add_test(bad, test_elf_segment_offset_overflow_fails);
	tcase_add_test(bad, test_elf_segment_outside_ram_fails);
	tcase_add_test(bad, test_elf_segment_over_boot_params_fails);
	tcase_add_test(bad, test_elf_entry_outside_segments_fails);
	tcase_add_test(bad, test_elf_not_i386_fails);
	tcase_add_test(bad, test_elf_program_headers_past_end_fail);

	tcase_add_test(fuzz, test_every_truncation_fails_cleanly);
	tcase_add_test(fuzz, test_random_corruption_never_crashes);
	tcase_add_test(fuzz, test_random_initrd_corruption_never_fails_the_boot);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
