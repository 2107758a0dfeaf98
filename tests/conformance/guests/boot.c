/*
 * boot: the entry protocol and what LHCALL_LGUEST_INIT sets up.
 * Entry state (%esi, segments at CPL 1), linear mode before the first
 * NEW_PGTABLE, boot_params as the loader built it, the lguest_data fields
 * the Host writes, hypercall register conventions, and the PCI console the
 * early console relies on.
 */
#include "runtime.h"

static void test_entry_state(void)
{
	is_u32(boot_entry_state.esi, 0, "entered with %esi = 0");
	is_u32(boot_entry_state.cs, SEL_KERNEL_CS, "entered with CS = __KERNEL_CS|1 (CPL 1)");
	is_u32(boot_entry_state.ds, SEL_KERNEL_DS, "entered with DS = __KERNEL_DS|1");
	is_u32(boot_entry_state.es, SEL_KERNEL_DS, "entered with ES = __KERNEL_DS|1");
	is_u32(boot_entry_state.ss, SEL_KERNEL_DS, "entered with SS = __KERNEL_DS|1");
	diag("entry eflags %#x esp %#x", boot_entry_state.eflags, boot_entry_state.esp);
}

static void test_linear_mode(void)
{
	is_u32(linear_probe.hdrs, 0x53726448, "linear mode: boot_params' \"HdrS\" read at virtual 0x202");
	ok(linear_probe.probe_addr != 0 && linear_probe.probe_readback == LINEAR_PROBE_MAGIC,
	   "linear mode: a write near the end of RAM reads back");
	if (linear_probe.probe_addr)
		is_u32(mem_read32((uint32_t)phys_to_virt(linear_probe.probe_addr)), LINEAR_PROBE_MAGIC,
		       "linear mode is physical: that write is in the page at the same physical address");
	else
		ok(0, "linear mode is physical: that write is in the page at the same physical address");
}

static void test_boot_params(void)
{
	uint32_t bp = BOOT_PARAMS, ram = ram_size(), cmdline, i;
	const char *s;

	is_u32(mem_read32(bp + BP_HARDWARE_SUBARCH), X86_SUBARCH_LGUEST, "boot_params.hdr.hardware_subarch = 1 (lguest)");
	ok(mem_read8(bp + BP_LOADFLAGS) & KEEP_SEGMENTS, "boot_params.hdr.loadflags has KEEP_SEGMENTS");
	is_u32(mem_read8(bp + BP_E820_ENTRIES), 1, "boot_params has one E820 entry");
	ok(mem_read32(bp + BP_E820_TABLE) == 0 && mem_read32(bp + BP_E820_TABLE + 4) == 0 &&
		   mem_read32(bp + BP_E820_TABLE + 16) == 1,
	   "E820 entry 0 is RAM from physical 0");
	ok(ram >= (16u << 20) && (ram & 0xFFF) == 0, "E820 RAM size is page-aligned and at least 16 MiB");
	diag("RAM %u MiB", ram >> 20);
	is_u32(linear_probe.ram_size, ram, "boot_params is the same in linear mode and through the kernel mapping");

	cmdline = mem_read32(bp + BP_CMD_LINE_PTR);
	ok(cmdline >= 0x1000 && cmdline < ram && cmdline < (DIRECT_MAP_MB << 20),
	   "cmd_line_ptr points into RAM after the zero page");
	if (cmdline >= 0x1000 && cmdline < (DIRECT_MAP_MB << 20)) {
		s = phys_to_virt(cmdline);
		for (i = 0; i < 4096 && s[i]; i++)
			;
		ok(i < 4096, "the command line is NUL-terminated");
		diag("command line: \"%s\"", i < 4096 ? s : "(unterminated)");
	} else {
		ok(0, "the command line is NUL-terminated");
	}
}

static void test_lguest_data(void)
{
	uint32_t reserve = lguest_data.reserve_mem, khz = lguest_data.tsc_khz;

	ok(reserve != LGUEST_DATA_SENTINEL && (reserve & 0xFFF) == 0,
	   "LGUEST_INIT set lguest_data.reserve_mem (page-aligned)");
	ok(khz != LGUEST_DATA_SENTINEL, "LGUEST_INIT set lguest_data.tsc_khz");
	ok(khz != 0 && khz != LGUEST_DATA_SENTINEL, "lguest_data.tsc_khz is nonzero");
	ok(boot_time.tv_sec > 1500000000 && boot_time.tv_nsec >= 0 && boot_time.tv_nsec < 1000000000,
	   "LGUEST_INIT wrote the wall-clock time into lguest_data.time");
	diag("reserve_mem %#x tsc_khz %u time %d.%09d", reserve, khz, boot_time.tv_sec, boot_time.tv_nsec);
	is_u32(lguest_data.kernel_address, KERNEL_BASE, "the Host leaves lguest_data.kernel_address alone");
	is_u32(lguest_data.noirq_iret, (uint32_t)lg_noirq_iret, "the Host leaves lguest_data.noirq_iret alone");
}

/* Linux's hcall() tells gcc that %ebx, %ecx, %edx, %esi are only inputs. */
uint32_t regs_after[6]; /* written by the asm below */

static void test_hypercall_registers(void)
{
	asm volatile("pushl %%ebp\n\t"
		     "movl $0x11111111, %%ebx\n\t"
		     "movl $0x22222222, %%ecx\n\t"
		     "movl $0x33333333, %%edx\n\t"
		     "movl $0x44444444, %%esi\n\t"
		     "movl $0x55555555, %%edi\n\t"
		     "movl $0x66666666, %%ebp\n\t"
		     "movl %0, %%eax\n\t"
		     "int $0x1f\n\t"
		     "movl %%ebx, regs_after\n\t"
		     "movl %%ecx, regs_after + 4\n\t"
		     "movl %%edx, regs_after + 8\n\t"
		     "movl %%esi, regs_after + 12\n\t"
		     "movl %%edi, regs_after + 16\n\t"
		     "movl %%ebp, regs_after + 20\n\t"
		     "popl %%ebp"
		     :
		     : "i"(LHCALL_FLUSH_ASYNC)
		     : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
	ok(regs_after[0] == 0x11111111 && regs_after[1] == 0x22222222 && regs_after[2] == 0x33333333 &&
		   regs_after[3] == 0x44444444,
	   "a hypercall leaves its argument registers %ebx %ecx %edx %esi unchanged");
	ok(regs_after[4] == 0x55555555 && regs_after[5] == 0x66666666, "a hypercall preserves %edi and %ebp");
}

static void test_pci_console(void)
{
	uint32_t bar = pci_read32(PCI_CONSOLE_DEV, 0x10);

	is_u32(pci_read32(PCI_CONSOLE_DEV, 0), PCI_CONSOLE_ID, "PCI 00:01.0 is the virtio console (1af4:1043)");
	ok(console_info.cfg_cap != 0, "the console has a VIRTIO_PCI_CAP_PCI_CFG capability");
	ok(console_info.device_cap != 0 && console_info.device_length >= VIRTIO_CONSOLE_EMERG_WR + 4,
	   "the console's device config (BAR 0) has room for emerg_wr");
	ok(!(bar & 1) && (bar & ~0xFu) != 0, "the console's BAR 0 is an assigned memory BAR");
	is_u32(pci_read32(0x1F, 0), 0xFFFFFFFF, "config read of an absent PCI device (00:1f.0) gives all ones");
	is_u32(inl(0x1234), 0xFFFFFFFF, "a 32-bit read of an unclaimed port gives all ones");
	is_u32(inb(0x1235), 0xFF, "an 8-bit read of an unclaimed port gives all ones");
}

static void test_still_cpl1(void)
{
	uint32_t cs = 0, ss = 0;

	asm volatile("movw %%cs, %w0\n\tmovw %%ss, %w1" : "+r"(cs), "+r"(ss));
	is_u32(cs, SEL_KERNEL_CS, "after NEW_PGTABLE the kernel still runs at CS = 0x61");
	is_u32(ss, SEL_KERNEL_DS, "and on SS = 0x69");
}

void guest_main(void)
{
	diag("conformance guest: boot (" GUEST_FORMAT " page tables)");
	test_entry_state();
	test_linear_mode();
	test_boot_params();
	test_lguest_data();
	test_hypercall_registers();
	test_pci_console();
	test_still_cpl1();
	tap_done();
}
