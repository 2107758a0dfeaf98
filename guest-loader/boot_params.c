/*
 * The zero page an lguest guest boots with.  The kernel's setup header goes in
 * unchanged except for the fields a boot loader writes; the rest of the page
 * is zero, which also keeps screen_info empty (no VGA writes from the
 * decompressor) and the sentinel clear (nothing for the kernel to sanitize).
 */
#include "guest-loader/boot_params.h"

#include <string.h>

/* CONFIG_PHYSICAL_ALIGN's largest value; lguest's Launcher passed it too. */
#define BOOT_KERNEL_ALIGN_DEFAULT 0x1000000u
/* header.S's initrd_addr_max for i386 kernels. */
#define BOOT_INITRD_ADDR_MAX_DEFAULT 0x7fffffffu

void boot_params_synth_header(struct setup_header *hdr, uint32_t entry)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->boot_flag = SETUP_BOOT_FLAG;
	hdr->header = SETUP_HDRS_MAGIC;
	hdr->version = BOOT_PROTO_SUBARCH;
	hdr->loadflags = LOADFLAG_LOADED_HIGH;
	hdr->code32_start = entry;
	hdr->initrd_addr_max = BOOT_INITRD_ADDR_MAX_DEFAULT;
	hdr->kernel_alignment = BOOT_KERNEL_ALIGN_DEFAULT;
	hdr->cmdline_size = BOOT_CMDLINE_MAX_DEFAULT;
}

/* All of guest RAM as one E820 region, as lguest's Launcher described it. */
static void one_ram_region(struct boot_params *bp, uint64_t ram_size)
{
	bp->e820_entries = 1;
	bp->e820_map[0].addr = 0;
	bp->e820_map[0].size = ram_size;
	bp->e820_map[0].type = E820_TYPE_RAM;
}

void boot_params_build(struct boot_params *bp, const struct setup_header *hdr,
		       uint32_t cmdline_addr, uint32_t initrd_start,
		       uint32_t initrd_size, uint64_t ram_size)
{
	memset(bp, 0, sizeof(*bp));
	bp->hdr = *hdr;

	/* "Unknown" boot loader; the kernel ignores an initrd when this is 0. */
	bp->hdr.type_of_loader = BOOT_LOADER_UNDEFINED;
	/* The guest starts in flat segments the VMM set up; startup_32's
	 * lgdt is privileged and the guest kernel runs at CPL 1. */
	bp->hdr.loadflags |= LOADFLAG_KEEP_SEGMENTS;
	/* head_32.S jumps to lguest_entry on this. */
	bp->hdr.hardware_subarch = X86_SUBARCH_LGUEST;
	bp->hdr.hardware_subarch_data = 0;
	bp->hdr.cmd_line_ptr = cmdline_addr;
	bp->hdr.ramdisk_image = initrd_start;
	bp->hdr.ramdisk_size = initrd_size;
	/* We pass no setup_data list; a file could carry a stale pointer. */
	bp->hdr.setup_data = 0;
	/* The decompressor aligns its output to this; 0 would break it. */
	if (bp->hdr.kernel_alignment == 0)
		bp->hdr.kernel_alignment = BOOT_KERNEL_ALIGN_DEFAULT;

	one_ram_region(bp, ram_size);

	/* No tboot, no APM BIOS: both already zero, set for the reader. */
	bp->tboot_addr = 0;
	bp->apm_bios_version = 0;
}

void boot_params_build_launcher(struct boot_params *bp, uint32_t cmdline_addr,
				uint32_t initrd_start, uint32_t initrd_size,
				uint64_t ram_size)
{
	memset(bp, 0, sizeof(*bp));
	if (initrd_size) {
		bp->hdr.ramdisk_image = initrd_start;
		bp->hdr.ramdisk_size = (initrd_size + 4095u) & ~4095u;
		bp->hdr.type_of_loader = BOOT_LOADER_UNDEFINED;
	}
	one_ram_region(bp, ram_size);
	bp->hdr.cmd_line_ptr = cmdline_addr;
	bp->hdr.kernel_alignment = BOOT_KERNEL_ALIGN_DEFAULT;
	bp->hdr.version = BOOT_PROTO_SUBARCH;
	bp->hdr.hardware_subarch = X86_SUBARCH_LGUEST;
	bp->hdr.loadflags = LOADFLAG_KEEP_SEGMENTS;
}
