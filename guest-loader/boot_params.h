/*
 * The x86 boot protocol's "zero page" (struct boot_params) and its setup
 * header, laid out as Documentation/x86/boot.txt and zero-page.txt give
 * them.  Only the fields lgkvm reads or writes are named; the rest is
 * padding that stays zero.
 */
#ifndef LGKVM_BOOT_PARAMS_H
#define LGKVM_BOOT_PARAMS_H

#include <stddef.h>
#include <stdint.h>

/* The kernel reads these little-endian fields straight out of guest RAM. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "boot_params are laid out for a little-endian host");

/* Where the setup header sits, both in a bzImage file and in boot_params. */
#define SETUP_HDR_OFFSET 0x1f1
#define SETUP_BOOT_FLAG 0xAA55
#define SETUP_HDRS_MAGIC 0x53726448u /* "HdrS" */

/* loadflags */
#define LOADFLAG_LOADED_HIGH 0x01
#define LOADFLAG_KEEP_SEGMENTS 0x40
/* xloadflags (2.12+) */
#define XLOADFLAG_KERNEL_64 0x01

#define X86_SUBARCH_LGUEST 1
#define BOOT_LOADER_UNDEFINED 0xFF /* type_of_loader: no assigned id */
#define E820_TYPE_RAM 1

/* Boot protocol versions whose fields lgkvm depends on. */
#define BOOT_PROTO_SUBARCH 0x0207  /* hardware_subarch, KEEP_SEGMENTS */
#define BOOT_PROTO_PAYLOAD 0x0208  /* payload_offset, payload_length */
#define BOOT_PROTO_INIT_SIZE 0x020a /* pref_address, init_size */
#define BOOT_PROTO_XLOADFLAGS 0x020c

struct setup_header {
	uint8_t setup_sects;       /* 0x1f1 */
	uint16_t root_flags;
	uint32_t syssize;          /* protected-mode code, 16-byte units */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;        /* 0x1fe: 0xAA55 */
	uint16_t jump;             /* 0x200: its second byte gives the header's end */
	uint32_t header;           /* 0x202: "HdrS" */
	uint16_t version;          /* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;    /* 0x210 */
	uint8_t loadflags;         /* 0x211 */
	uint16_t setup_move_size;
	uint32_t code32_start;     /* 0x214 */
	uint32_t ramdisk_image;    /* 0x218 */
	uint32_t ramdisk_size;     /* 0x21c */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;     /* 0x228 */
	uint32_t initrd_addr_max;  /* 0x22c: highest byte an initrd may occupy */
	uint32_t kernel_alignment; /* 0x230 */
	uint8_t relocatable_kernel;
	uint8_t min_alignment;
	uint16_t xloadflags;       /* 0x236 */
	uint32_t cmdline_size;     /* 0x238: longest command line, NUL excluded */
	uint32_t hardware_subarch; /* 0x23c */
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;   /* 0x248: from the start of protected-mode code */
	uint32_t payload_length;   /* 0x24c */
	uint64_t setup_data;       /* 0x250 */
	uint64_t pref_address;     /* 0x258 */
	uint32_t init_size;        /* 0x260 */
	uint32_t handover_offset;  /* 0x264 */
} __attribute__((packed));

#define SETUP_HDR_END (SETUP_HDR_OFFSET + sizeof(struct setup_header)) /* 0x268 */

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define E820_MAX_ENTRIES 128

struct boot_params {
	uint8_t screen_info[0x40];      /* 0x000: all zero = no video console */
	uint16_t apm_bios_version;      /* 0x040: 0 keeps APM from loading */
	uint8_t apm_bios_rest[0x12];
	uint8_t _pad2[4];
	uint64_t tboot_addr;            /* 0x058 */
	uint8_t _pad3[0xc0 - 0x60];
	uint32_t ext_ramdisk_image;     /* 0x0c0 */
	uint32_t ext_ramdisk_size;
	uint32_t ext_cmd_line_ptr;
	uint8_t _pad4[0x1e8 - 0xcc];
	uint8_t e820_entries;           /* 0x1e8 */
	uint8_t _pad5[6];
	uint8_t sentinel;               /* 0x1ef: must stay 0 */
	uint8_t _pad6[1];
	struct setup_header hdr;        /* 0x1f1 */
	uint8_t _pad7[0x2d0 - SETUP_HDR_END];
	struct e820_entry e820_map[E820_MAX_ENTRIES]; /* 0x2d0 */
	uint8_t _pad8[0x1000 - 0xcd0];
} __attribute__((packed));

_Static_assert(sizeof(struct setup_header) == 0x268 - 0x1f1, "setup_header size");
_Static_assert(offsetof(struct setup_header, header) == 0x202 - 0x1f1, "header");
_Static_assert(offsetof(struct setup_header, cmd_line_ptr) == 0x228 - 0x1f1, "cmd_line_ptr");
_Static_assert(offsetof(struct setup_header, hardware_subarch) == 0x23c - 0x1f1, "subarch");
_Static_assert(offsetof(struct setup_header, init_size) == 0x260 - 0x1f1, "init_size");
_Static_assert(offsetof(struct boot_params, tboot_addr) == 0x58, "tboot_addr");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct boot_params, hdr) == SETUP_HDR_OFFSET, "hdr");
_Static_assert(offsetof(struct boot_params, e820_map) == 0x2d0, "e820_map");
_Static_assert(sizeof(struct boot_params) == 0x1000, "the zero page is one page");

/* The command line goes right after the zero page. */
#define BOOT_CMDLINE_ADDR 0x1000u
/* What an i386 kernel accepts when it has no header to say (COMMAND_LINE_SIZE - 1). */
#define BOOT_CMDLINE_MAX_DEFAULT 2047u

/* A setup header for a kernel that has none (a vmlinux ELF), claiming boot
 * protocol 2.07 as lguest's Launcher did: the version that has
 * hardware_subarch and KEEP_SEGMENTS, and no fields a bare ELF cannot fill. */
void boot_params_synth_header(struct setup_header *hdr, uint32_t entry);

/* Fills a zero page: the kernel's setup header, then what lguest's Launcher
 * set (subarch lguest, KEEP_SEGMENTS, one E820 RAM entry, loader 0xFF, the
 * command line and initrd pointers).  Everything else stays zero. */
void boot_params_build(struct boot_params *bp, const struct setup_header *hdr,
		       uint32_t cmdline_addr, uint32_t initrd_start,
		       uint32_t initrd_size, uint64_t ram_size);

/* The zero page exactly as lguest 4.10's Launcher wrote it (--boot-as-
 * launcher): none of the kernel's setup header, only kernel_alignment
 * 16 MiB, version 2.07, subarch lguest, KEEP_SEGMENTS, one E820 RAM entry,
 * the command line, and with an initrd (initrd_size > 0) loader 0xFF and
 * its page-rounded size.  A bzImage's decompressor then relocates itself
 * below 16 MiB (init_size 0), as it did under lguest. */
void boot_params_build_launcher(struct boot_params *bp, uint32_t cmdline_addr,
				uint32_t initrd_start, uint32_t initrd_size,
				uint64_t ram_size);

#endif
