/*
 * The bzImage wrapper of a conformance guest: a boot sector and one setup
 * sector holding the Linux boot protocol 2.10 setup header, then the
 * "protected-mode kernel", whose payload (payload_offset/payload_length) is
 * the guest's gzip-compressed ELF.  A loader such as lgkvm decompresses the
 * payload and loads the ELF by its program headers; nothing here runs.
 *
 * The payload file comes from the assembler's include path (-Wa,-I).
 */
#define SETUP_SECTS 1

	.section .bzimage, "a"
	.code16
	.globl _start
_start:
	.org	0x1f1
setup_sects:	.byte	SETUP_SECTS
root_flags:	.word	0
syssize:	.long	(pm_end - pm_start + 15) / 16
ram_size:	.word	0
vid_mode:	.word	0xffff
root_dev:	.word	0
boot_flag:	.word	0xaa55
	/* 0x200: the second sector starts here. */
jump:		.byte	0xeb, start_of_setup - 1f
1:
header:		.ascii	"HdrS"
version:	.word	0x020a
realmode_swtch:	.long	0
start_sys_seg:	.word	0
kernel_version:	.word	version_string - 0x200
type_of_loader:	.byte	0
loadflags:	.byte	0x01		/* LOADED_HIGH: protected-mode part at 1 MiB */
setup_move_size: .word	0x8000
code32_start:	.long	0x100000
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge: .long	0
heap_end_ptr:	.word	0
ext_loader_ver:	.byte	0
ext_loader_type: .byte	0
cmd_line_ptr:	.long	0
initrd_addr_max: .long	0x7fffffff
kernel_alignment: .long	0x1000
relocatable_kernel: .byte 0
min_alignment:	.byte	12
xloadflags:	.word	0
cmdline_size:	.long	2047
hardware_subarch: .long	0
hardware_subarch_data: .quad 0
payload_offset:	.long	payload - pm_start
payload_length:	.long	payload_end - payload
setup_data:	.quad	0
pref_address:	.quad	0x100000
init_size:	.long	0x400000	/* guest.ld checks the ELF fits */
handover_offset: .long	0

start_of_setup:
	/* There is no real-mode path: lguest guests start in protected mode. */
	cli
	hlt
	jmp	start_of_setup
version_string:
	.asciz	"lgkvm conformance guest"

	.org	(SETUP_SECTS + 1) * 512
pm_start:
	/*
	 * code32_start: reached only by a loader that runs the image instead
	 * of unpacking its payload.  Stop with a clear trap.
	 */
	.code32
	ud2
	.asciz	"this image must be loaded from its gzip payload"
	.balign	16
payload:
	.incbin	"payload.elf.gz"
payload_end:
	.balign	16
pm_end:

	.section .note.GNU-stack, "", @progbits
