/*
 * The engine layer: which KVM engine lgkvm finds and what it does about each
 * (vmm/kvm_engine.c), guest port I/O refused by a CPU's I/O bitmap check and
 * emulated as lguest did (vmm/port_io.c), and the decoding of what an engine
 * would not run (vmm/engine_fallback.c: `int n`, iret, cli, rdmsr, the
 * vector of a refused `int n`).  Driven over a fake guest RAM in linear mode,
 * with the real lguest Host, PCI bus and PIT; no /dev/kvm.
 */
#define _GNU_SOURCE
#include <check.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/pci.h"
#include "mmu/shadow_mmu.h"
#include "vmm/coalesced_io.h"
#include "vmm/engine_fallback.h"
#include "vmm/kvm_engine.h"
#include "vmm/port_io.h"
#include "vmm/vm.h"

#define RAM_SIZE (4u << 20)
#define LGDATA 0x10000u
#define KSTACK 0x20000u
#define CODE 0x1000u
#define HANDLER 0x40000u
#define POOL_PAGES 256
/* Linux's __USER_CS and __USER_DS. */
#define GUEST_USER_CS (GDT_ENTRY_DEFAULT_USER_CS * 8 + 3)
#define GUEST_USER_DS (GDT_ENTRY_DEFAULT_USER_DS * 8 + 3)

static struct vm vm;
static void *pool;
static uint64_t clock_ns;

static void set_clockevent(void *o, uint64_t ns)
{
	(void)o;
	clock_ns = ns;
}

static void gdt_changed(void *o, unsigned first, unsigned count)
{
	(void)o;
	(void)first;
	(void)count;
}

static void wallclock(void *o, int64_t *sec, int32_t *nsec)
{
	(void)o;
	*sec = 1;
	*nsec = 0;
}

static void raise_irq(void *o, unsigned irq)
{
	(void)o;
	(void)irq;
}

static uint64_t fake_now(void)
{
	return 0;
}

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.mem.size = RAM_SIZE;
	vm.mem.ram = calloc(1, RAM_SIZE);
	pool = aligned_alloc(4096, POOL_PAGES * 4096);
	guest_fault_clear(&vm.fault);
	struct mmu_config mc = { .mem = &vm.mem, .fault = &vm.fault,
				 .mmio_base = RAM_SIZE, .mmio_size = 1 << 20,
				 .pool = pool, .pool_gpa = 1ull << 32,
				 .pool_pages = POOL_PAGES, .max_roots = 4 };
	vm.mmu = mmu_create(&mc);
	ck_assert_ptr_nonnull(vm.mmu);
	struct lguest_host_ops ops = { .set_clockevent = set_clockevent,
				       .gdt_changed = gdt_changed,
				       .wallclock = wallclock };
	lguest_host_init(&vm.lg, &vm.mem, &vm.fault, vm.mmu, &ops, 2000000);
	struct device_host dh = { .mem = &vm.mem, .fault = &vm.fault,
				  .raise_irq = raise_irq };
	vm.pci = pci_bus_create(&dh, RAM_SIZE, 1 << 20);
	ck_assert_ptr_nonnull(vm.pci);
	pit_init(&vm.pit, fake_now);
	clock_ns = 0;
	/* What a Linux guest's lguest_data holds at LGUEST_INIT. */
	struct lguest_data *ld = (struct lguest_data *)(vm.mem.ram + LGDATA);
	ld->irq_enabled = X86_EFLAGS_IF;
	memset(ld->hcall_status, 0xff, sizeof(ld->hcall_status));
	ld->kernel_address = 0xC0000000;
	ld->syscall_vec = 0x80;
}

static void teardown(void)
{
	pci_bus_destroy(vm.pci);
	mmu_destroy(vm.mmu);
	free(pool);
	free(vm.mem.ram);
}

static void code_at(uint32_t addr, const char *bytes, size_t n)
{
	memcpy(vm.mem.ram + addr, bytes, n);
}

static struct vcpu_context kernel_at_code(void)
{
	struct vcpu_context c;

	memset(&c, 0, sizeof(c));
	c.r = (struct guest_regs){ .cs = GUEST_KERNEL_CS, .ss = GUEST_KERNEL_DS,
				   .esp = KSTACK, .eip = CODE,
				   .eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF };
	return c;
}

static void hcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	struct guest_regs k = kernel_at_code().r;

	k.eax = nr;
	k.ebx = a1;
	k.ecx = a2;
	k.edx = a3;
	lguest_hypercall(&vm.lg, &k);
	ck_assert_msg(!vm.fault.raised, "%s", vm.fault.reason);
}

/* LGUEST_INIT, then 2-level tables mapping the first 4 MiB for user and
 * kernel alike, so user-mode code can be fetched. */
static void init_with_user_tables(void)
{
	uint32_t *pgd = (uint32_t *)(vm.mem.ram + 0x100000);
	uint32_t *pt = (uint32_t *)(vm.mem.ram + 0x101000);

	hcall(LHCALL_LGUEST_INIT, LGDATA, 0, 0);
	pgd[0] = 0x101000 | 0x67;
	for (uint32_t i = 0; i < 1024; i++)
		pt[i] = (i << 12) | 0x67; /* present, rw, user, accessed, dirty */
	hcall(LHCALL_NEW_PGTABLE, 0x100000, 0, 0);
}

/* --- the engine -------------------------------------------------------- */

static char sysfs[64];

static void fake_module(const char *name, const char *param, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/parameters", sysfs, name);
	char cmd[320];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
	ck_assert_int_eq(system(cmd), 0);
	if (param) {
		snprintf(path, sizeof(path), "%s/%s/parameters/%s", sysfs, name, param);
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "%s\n", value);
		fclose(f);
	}
}

static void sysfs_setup(void)
{
	strcpy(sysfs, "/tmp/lgkvm-sysfs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sysfs));
}

static void sysfs_teardown(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sysfs);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_svm_takes_an_available_tss_and_reports_npt)
{
	struct kvm_engine e;
	char line[256];

	fake_module("kvm", NULL, NULL);
	fake_module("kvm_amd", "npt", "Y");
	kvm_engine_classify(&e, sysfs, "GenuineIntel", "TCGTCGTCGTCG");
	ck_assert_int_eq(e.kind, ENGINE_SVM);
	ck_assert_int_eq(e.nested_paging, 1);
	ck_assert_uint_eq(e.tr_type, 9);
	ck_assert(!e.emulates_compat);
	kvm_engine_describe(&e, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "AMD SVM with nested paging"));
	ck_assert_ptr_nonnull(strstr(line, "nested in QEMU TCG"));
	ck_assert_ptr_null(strstr(line, "x87"));
}
END_TEST

START_TEST(test_vmx_takes_a_busy_tss)
{
	struct kvm_engine e;
	char line[256];

	fake_module("kvm_intel", "ept", "N");
	kvm_engine_classify(&e, sysfs, "AuthenticAMD", "");
	ck_assert_int_eq(e.kind, ENGINE_VMX);
	ck_assert_int_eq(e.nested_paging, 0);
	ck_assert_uint_eq(e.tr_type, 11);
	kvm_engine_describe(&e, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "Intel VMX with shadow paging"));
	ck_assert_ptr_null(strstr(line, "nested in"));
}
END_TEST

START_TEST(test_pvm_arms_the_compatibility_mode_fallbacks)
{
	struct kvm_engine e;
	char line[256];

	fake_module("kvm_pvm", NULL, NULL);
	kvm_engine_classify(&e, sysfs, "AuthenticAMD", "KVMKVMKVM");
	ck_assert_int_eq(e.kind, ENGINE_PVM);
	ck_assert(e.emulates_compat);
	ck_assert_uint_eq(e.tr_type, 11);
	kvm_engine_describe(&e, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "kvm_pvm"));
	ck_assert_ptr_nonnull(strstr(line, "iret"));
	ck_assert_ptr_nonnull(strstr(line, "CPUID faulting"));
}
END_TEST

START_TEST(test_built_in_kvm_is_judged_by_the_cpu_vendor)
{
	struct kvm_engine e;

	kvm_engine_classify(&e, sysfs, "AuthenticAMD", NULL);
	ck_assert_int_eq(e.kind, ENGINE_SVM);
	ck_assert_int_eq(e.nested_paging, -1);
	kvm_engine_classify(&e, sysfs, "HygonGenuine", NULL);
	ck_assert_int_eq(e.kind, ENGINE_SVM);
	kvm_engine_classify(&e, sysfs, "GenuineIntel", NULL);
	ck_assert_int_eq(e.kind, ENGINE_VMX);
	kvm_engine_classify(&e, sysfs, "CentaurHauls", NULL);
	ck_assert_int_eq(e.kind, ENGINE_UNKNOWN);
	ck_assert_uint_eq(e.tr_type, 11);
}
END_TEST

START_TEST(test_fix_tr_overrides_what_kvm_reported)
{
	struct kvm_engine e;
	struct kvm_sregs s;

	fake_module("kvm_amd", "npt", "1");
	kvm_engine_classify(&e, sysfs, NULL, NULL);
	memset(&s, 0, sizeof(s));
	s.tr.type = 11; /* what KVM's SVM reports whatever was set */
	s.tr.selector = 0x100;
	kvm_engine_fix_tr(&e, &s);
	ck_assert_uint_eq(s.tr.type, 9);
	ck_assert_uint_eq(s.tr.selector, 0x100);
}
END_TEST

/* --- port I/O ---------------------------------------------------------- */

START_TEST(test_decode_every_in_and_out_form)
{
	static const struct {
		const char *code;
		unsigned n;
		uint16_t port;
		uint8_t size, len;
		bool in;
	} cases[] = {
		{ "\xe4\x64", 2, 0x64, 1, 2, true },      /* in $0x64,%al */
		{ "\xe5\x40", 2, 0x40, 4, 2, true },      /* in $0x40,%eax */
		{ "\x66\xe5\x40", 3, 0x40, 2, 3, true },  /* in $0x40,%ax */
		{ "\xec", 1, 0xcfc, 1, 1, true },         /* in (%dx),%al */
		{ "\xed", 1, 0xcfc, 4, 1, true },         /* in (%dx),%eax */
		{ "\x66\xed", 2, 0xcfc, 2, 2, true },     /* in (%dx),%ax */
		{ "\xe6\x80", 2, 0x80, 1, 2, false },     /* out %al,$0x80 */
		{ "\xe7\x43", 2, 0x43, 4, 2, false },     /* out %eax,$0x43 */
		{ "\xee", 1, 0xcfc, 1, 1, false },        /* out %al,(%dx) */
		{ "\xef", 1, 0xcfc, 4, 1, false },        /* out %eax,(%dx) */
		{ "\x66\xef", 2, 0xcfc, 2, 2, false },    /* out %ax,(%dx) */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct port_insn pi;
		ck_assert_msg(port_insn_decode((const uint8_t *)cases[i].code,
					       cases[i].n, 0xabcd0cfc, &pi),
			      "case %zu", i);
		ck_assert_uint_eq(pi.port, cases[i].port);
		ck_assert_uint_eq(pi.size, cases[i].size);
		ck_assert_uint_eq(pi.len, cases[i].len);
		ck_assert(pi.in == cases[i].in);
	}
}
END_TEST

START_TEST(test_decode_refuses_what_is_not_plain_in_or_out)
{
	struct port_insn pi;

	ck_assert(!port_insn_decode((const uint8_t *)"\x6c", 1, 0, &pi));     /* insb */
	ck_assert(!port_insn_decode((const uint8_t *)"\xf3\x6e", 2, 0, &pi)); /* rep outsb */
	ck_assert(!port_insn_decode((const uint8_t *)"\xe4", 1, 0, &pi));     /* cut short */
	ck_assert(!port_insn_decode((const uint8_t *)"\x66", 1, 0, &pi));
	ck_assert(!port_insn_decode((const uint8_t *)"\x0f\x32", 2, 0, &pi)); /* rdmsr */
	ck_assert(!port_insn_decode((const uint8_t *)"", 0, 0, &pi));
}
END_TEST

START_TEST(test_in_changes_only_the_bytes_it_reads)
{
	ck_assert_uint_eq(port_insn_merge_in(0x12345678, 1, 0xffffffab), 0x123456ab);
	ck_assert_uint_eq(port_insn_merge_in(0x12345678, 2, 0xffffabcd), 0x1234abcd);
	ck_assert_uint_eq(port_insn_merge_in(0x12345678, 4, 0xdeadbeef), 0xdeadbeef);
}
END_TEST

START_TEST(test_refused_kernel_port_io_reaches_the_pci_bus)
{
	struct vcpu_context c = kernel_at_code();

	/* out %eax,(%dx): select 00:00.0 register 0; in (%dx),%eax: read it. */
	code_at(CODE, "\xef", 1);
	c.r.eax = 0x80000000;
	c.r.edx = 0xcf8;
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE);
	ck_assert_uint_eq(c.r.eip, CODE + 1);
	code_at(CODE + 1, "\xed", 1);
	c.r.edx = 0xcfc;
	c.r.eax = 0;
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE);
	ck_assert_uint_eq(c.r.eax, 0x00081b36); /* the host bridge's IDs */
	ck_assert_uint_eq(c.r.eip, CODE + 2);
	ck_assert_uint_eq(vm.exits[EXIT_IO], 2);
	ck_assert(!vm.fault.raised);
}
END_TEST

START_TEST(test_refused_in_from_nobody_reads_all_ones_but_0x64_reads_1)
{
	struct vcpu_context c = kernel_at_code();

	code_at(CODE, "\xe4\x64\x66\xe5\x70", 5); /* in $0x64,%al; in $0x70,%ax */
	c.r.eax = 0xaabbccdd;
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE);
	ck_assert_uint_eq(c.r.eax, 0xaabbcc01);
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE);
	ck_assert_uint_eq(c.r.eax, 0xaabbffff);
	ck_assert_uint_eq(c.r.eip, CODE + 5);
}
END_TEST

START_TEST(test_user_mode_port_io_stays_a_fault)
{
	struct vcpu_context c = kernel_at_code();

	init_with_user_tables();
	code_at(CODE, "\xe4\x64", 2);
	c.r.cs = GUEST_USER_CS;
	c.r.eax = 7;
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_NOT_OURS);
	ck_assert_uint_eq(c.r.eax, 7);
	ck_assert_uint_eq(c.r.eip, CODE);
}
END_TEST

/* --- coalesced port writes ------------------------------------------------ */

#define RING_ENTRIES                                                           \
	((4096 - sizeof(struct kvm_coalesced_mmio_ring)) / sizeof(struct kvm_coalesced_mmio))

static void queue_write(struct kvm_coalesced_mmio_ring *ring, uint16_t port,
			uint32_t value)
{
	struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[ring->last];

	e->phys_addr = port;
	e->len = 4;
	e->pio = 1;
	memcpy(e->data, &value, 4);
	ring->last = (uint32_t)((ring->last + 1) % RING_ENTRIES);
}

static uint32_t pci_address(void)
{
	uint32_t v = 0;

	port_io_access(&vm, 0xcf8, false, (uint8_t *)&v, 4);
	return v;
}

START_TEST(test_coalesced_writes_are_done_in_order_and_the_ring_emptied)
{
	struct kvm_coalesced_mmio_ring *ring = aligned_alloc(4096, 4096);

	memset(ring, 0, 4096);
	vm.coalesced_ring = ring;
	queue_write(ring, 0xcf8, 0x80000004);
	queue_write(ring, 0xcf8, 0x80000800);
	coalesced_io_drain(&vm);
	ck_assert_uint_eq(pci_address(), 0x80000800); /* the later one wins */
	ck_assert_uint_eq(ring->first, ring->last);
	ck_assert_uint_eq(vm.coalesced_writes, 2);

	/* Across the end of the ring. */
	ring->first = ring->last = (uint32_t)(RING_ENTRIES - 1);
	queue_write(ring, 0xcf8, 0x80000808);
	queue_write(ring, 0xcf8, 0x8000080c);
	ck_assert_uint_eq(ring->last, 1);
	coalesced_io_drain(&vm);
	ck_assert_uint_eq(pci_address(), 0x8000080c);
	ck_assert_uint_eq(ring->first, 1);
	ck_assert(coalesced_io_port(&vm, 0xcfc) && coalesced_io_port(&vm, 0xcf8));
	ck_assert(!coalesced_io_port(&vm, 0xcf7) && !coalesced_io_port(&vm, 0xd00));
	vm.coalesced_ring = NULL;
	ck_assert(!coalesced_io_port(&vm, 0xcf8));
	free(ring);
}
END_TEST

/* --- what kvm_pvm does not run, and the vector of a refused int n --------- */

START_TEST(test_vector_of_refused_int_comes_from_the_instruction)
{
	struct guest_regs r = kernel_at_code().r;
	unsigned v, len;

	code_at(CODE, "\xcd\x1f", 2);
	/* QEMU's TCG reports err = vector * 16 + 2 in long mode. */
	software_interrupt_at(&vm, &r, 0x1f * 16 + 2, &v, &len);
	ck_assert_uint_eq(v, 0x1f);
	ck_assert_uint_eq(len, 2);
	/* Hardware's err = vector * 8 + 2 gives the same. */
	software_interrupt_at(&vm, &r, 0x1f * 8 + 2, &v, &len);
	ck_assert_uint_eq(v, 0x1f);
	code_at(CODE, "\xcc", 1);
	software_interrupt_at(&vm, &r, 3 * 8 + 2, &v, &len);
	ck_assert_uint_eq(v, 3);
	ck_assert_uint_eq(len, 1);
	/* Code the Host cannot read: the hardware's encoding. */
	r.eip = RAM_SIZE + 0x100;
	software_interrupt_at(&vm, &r, 0x81 * 8 + 2, &v, &len);
	ck_assert_uint_eq(v, 0x81);
	ck_assert_uint_eq(len, 2);
}
END_TEST

START_TEST(test_int_0x1f_from_the_kernel_is_a_hypercall)
{
	struct vcpu_context c = kernel_at_code();

	code_at(CODE, "\xcd\x1f", 2);
	c.r.eax = LHCALL_LGUEST_INIT;
	c.r.ebx = LGDATA;
	ck_assert_int_eq(engine_fallback(&vm, &c, -1), FALLBACK_DONE);
	ck_assert_msg(!vm.fault.raised, "%s", vm.fault.reason);
	ck_assert(vm.lg.initialized);
	ck_assert_uint_eq(c.r.eip, CODE + 2);
	ck_assert_uint_eq(vm.exits[EXIT_HCALL], 1);
}
END_TEST

START_TEST(test_int_0x80_from_user_enters_the_guest_handler)
{
	struct vcpu_context c;
	uint32_t frame[5];

	init_with_user_tables();
	/* A DPL 3 trap gate for 0x80 as Linux writes it, and a kernel stack. */
	hcall(LHCALL_LOAD_IDT_ENTRY, 0x80, (0x60u << 16) | (HANDLER & 0xffff),
	      (HANDLER & 0xffff0000) | 0x8000 | (3u << 13) | (0xfu << 8));
	hcall(LHCALL_SET_STACK, GUEST_KERNEL_DS, KSTACK, 1);

	code_at(0x3000, "\xcd\x80", 2);
	c = kernel_at_code();
	c.r.cs = GUEST_USER_CS;
	c.r.ss = GUEST_USER_DS;
	c.r.eip = 0x3000;
	c.r.esp = 0x38000;
	ck_assert_int_eq(engine_fallback(&vm, &c, 6), FALLBACK_DONE);
	ck_assert_uint_eq(c.r.eip, HANDLER);
	ck_assert_uint_eq(c.r.cs, GUEST_KERNEL_CS);
	ck_assert_uint_eq(c.r.esp, KSTACK - 20);
	memcpy(frame, vm.mem.ram + KSTACK - 20, sizeof(frame));
	ck_assert_uint_eq(frame[0], 0x3002); /* past the int */
	ck_assert_uint_eq(frame[1], GUEST_USER_CS);
	ck_assert_uint_eq(frame[3], 0x38000);
	ck_assert_uint_eq(frame[4], GUEST_USER_DS);
}
END_TEST

START_TEST(test_cli_sti_rdmsr_wrmsr_from_the_kernel_are_answered)
{
	struct vcpu_context c = kernel_at_code();

	code_at(CODE, "\xfa\xfb\x0f\x32\x0f\x30", 6);
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE); /* cli */
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE); /* sti */
	ck_assert_uint_eq(c.r.eip, CODE + 2);
	c.r.eax = c.r.edx = 0x55;
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE); /* rdmsr */
	ck_assert_uint_eq(c.r.eax, 0);
	ck_assert_uint_eq(c.r.edx, 0);
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE); /* wrmsr */
	ck_assert_uint_eq(c.r.eip, CODE + 6);
}
END_TEST

START_TEST(test_refused_iret_returns_through_the_guest_frame)
{
	struct vcpu_context c = kernel_at_code();
	uint32_t frame[3] = { 0x2345, GUEST_KERNEL_CS,
			      X86_EFLAGS_FIXED | X86_EFLAGS_IF | 0x1 /* CF */ };

	hcall(LHCALL_LGUEST_INIT, LGDATA, 0, 0);
	memcpy(vm.mem.ram + KSTACK - 12, frame, sizeof(frame));
	code_at(CODE, "\xcf", 1);
	c.r.esp = KSTACK - 12;
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_DONE);
	ck_assert_uint_eq(c.r.eip, 0x2345);
	ck_assert_uint_eq(c.r.esp, KSTACK);
	ck_assert_uint_eq(c.r.eflags & 0x1, 0x1);
	ck_assert_uint_eq(vm.exits[EXIT_IRET], 1);
}
END_TEST

START_TEST(test_a_real_gp_is_not_ours)
{
	struct vcpu_context c = kernel_at_code();

	code_at(CODE, "\x8e\xd8", 2); /* mov %eax,%ds with a bad selector */
	ck_assert_int_eq(engine_fallback(&vm, &c, 13), FALLBACK_NOT_OURS);
	ck_assert_uint_eq(c.r.eip, CODE);
	ck_assert(!vm.fault.raised);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine");
	TCase *t = tcase_create("kvm_engine");
	tcase_add_checked_fixture(t, sysfs_setup, sysfs_teardown);
	tcase_add_test(t, test_svm_takes_an_available_tss_and_reports_npt);
	tcase_add_test(t, test_vmx_takes_a_busy_tss);
	tcase_add_test(t, test_pvm_arms_the_compatibility_mode_fallbacks);
	tcase_add_test(t, test_built_in_kvm_is_judged_by_the_cpu_vendor);
	tcase_add_test(t, test_fix_tr_overrides_what_kvm_reported);
	suite_add_tcase(s, t);

	t = tcase_create("port_io");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_decode_every_in_and_out_form);
	tcase_add_test(t, test_decode_refuses_what_is_not_plain_in_or_out);
	tcase_add_test(t, test_in_changes_only_the_bytes_it_reads);
	tcase_add_test(t, test_refused_kernel_port_io_reaches_the_pci_bus);
	tcase_add_test(t, test_refused_in_from_nobody_reads_all_ones_but_0x64_reads_1);
	tcase_add_test(t, test_user_mode_port_io_stays_a_fault);
	tcase_add_test(t, test_coalesced_writes_are_done_in_order_and_the_ring_emptied);
	suite_add_tcase(s, t);

	t = tcase_create("fallbacks");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_vector_of_refused_int_comes_from_the_instruction);
	tcase_add_test(t, test_int_0x1f_from_the_kernel_is_a_hypercall);
	tcase_add_test(t, test_int_0x80_from_user_enters_the_guest_handler);
	tcase_add_test(t, test_cli_sti_rdmsr_wrmsr_from_the_kernel_are_answered);
	tcase_add_test(t, test_refused_iret_returns_through_the_guest_frame);
	tcase_add_test(t, test_a_real_gp_is_not_ours);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
