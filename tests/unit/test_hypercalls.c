/*
 * The lguest Host (hypercalls/): hypercall decoding and dispatch, the async
 * ring, segments and gates, trap and interrupt delivery, iret emulation.
 * Driven directly through struct guest_regs over a fake guest RAM, with the
 * real shadow MMU in linear mode (guest virtual == guest physical).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hypercalls/lguest_host.h"
#include "mmu/shadow_mmu.h"

#define RAM_SIZE (4u << 20)
#define LGDATA 0x10000u
#define KSTACK 0x20000u
#define USTACK 0x30000u
#define HANDLER 0x40000u
#define POOL_PAGES 256

static struct guest_memory mem;
static struct guest_fault fault;
static struct shadow_mmu *mmu;
static void *pool;
static struct lguest_host h;
static uint64_t clock_ns;
static int clock_calls;
static unsigned gdt_first, gdt_count;

static void set_clockevent(void *o, uint64_t ns)
{
	(void)o;
	clock_ns = ns;
	clock_calls++;
}

static void gdt_changed(void *o, unsigned first, unsigned count)
{
	(void)o;
	gdt_first = first;
	gdt_count = count;
}

static void wallclock(void *o, int64_t *sec, int32_t *nsec)
{
	(void)o;
	*sec = 1234;
	*nsec = 5678;
}

static struct lguest_data *ld(void)
{
	return (struct lguest_data *)(mem.ram + LGDATA);
}

static void setup(void)
{
	mem.size = RAM_SIZE;
	mem.ram = calloc(1, RAM_SIZE);
	pool = aligned_alloc(4096, POOL_PAGES * 4096);
	guest_fault_clear(&fault);
	struct mmu_config mc = { .mem = &mem, .fault = &fault,
				 .mmio_base = RAM_SIZE, .mmio_size = 1 << 20,
				 .pool = pool, .pool_gpa = 1ull << 32,
				 .pool_pages = POOL_PAGES, .host_pml4e = 0,
				 .max_roots = 4 };
	mmu = mmu_create(&mc);
	ck_assert_ptr_nonnull(mmu);
	struct lguest_host_ops ops = { .set_clockevent = set_clockevent, .gdt_changed = gdt_changed, .wallclock = wallclock };
	lguest_host_init(&h, &mem, &fault, mmu, &ops, 2000000);
	clock_calls = 0;
	/* What a Linux guest's lguest_data starts as. */
	ld()->irq_enabled = X86_EFLAGS_IF;
	memset(ld()->hcall_status, 0xff, sizeof(ld()->hcall_status));
	ld()->noirq_iret = 0x50000;
	ld()->kernel_address = 0xC0000000;
	ld()->syscall_vec = 0x80;
	ld()->reserve_mem = 0xdeadbeef;
}

static void teardown(void)
{
	mmu_destroy(mmu);
	free(pool);
	free(mem.ram);
}

static struct guest_regs kregs(void)
{
	return (struct guest_regs){ .cs = GUEST_KERNEL_CS, .ss = GUEST_KERNEL_DS,
				    .esp = KSTACK, .eip = 0x1000,
				    .eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF };
}

static void hcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
	struct guest_regs r = kregs();
	r.eax = nr;
	r.ebx = a1;
	r.ecx = a2;
	r.edx = a3;
	r.esi = a4;
	lguest_hypercall(&h, &r);
}

static void init_guest(void)
{
	hcall(LHCALL_LGUEST_INIT, LGDATA, 0, 0, 0);
	ck_assert(!fault.raised);
}

/* An IDT gate as Linux writes it: selector __KERNEL_CS (0x60). */
static void idt(unsigned vec, uint32_t handler, unsigned type, unsigned dpl)
{
	hcall(LHCALL_LOAD_IDT_ENTRY, vec, (0x60u << 16) | (handler & 0xffff),
	      (handler & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8), 0);
}

static uint32_t word_at(uint32_t addr)
{
	uint32_t v;
	memcpy(&v, mem.ram + addr, 4);
	return v;
}

START_TEST(test_hypercall_before_init_kills_the_guest)
{
	hcall(LHCALL_SET_CLOCKEVENT, 1000, 0, 0, 0);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "before LGUEST_INIT"));
	ck_assert_int_eq(clock_calls, 0);
}
END_TEST

START_TEST(test_init_with_lguest_data_outside_ram_kills)
{
	hcall(LHCALL_LGUEST_INIT, RAM_SIZE - 100, 0, 0, 0);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "outside guest RAM"));
}
END_TEST

START_TEST(test_init_publishes_reserve_top_when_asked)
{
	h.reserve_mem = 0x1f000; /* --reserve-top, as an lguest Host's Switcher */
	lguest_host_reset(&h); /* every boot starts with one */
	init_guest();
	ck_assert_uint_eq(ld()->reserve_mem, 0x1f000);
}
END_TEST

START_TEST(test_init_publishes_host_fields)
{
	init_guest();
	ck_assert_uint_eq(ld()->reserve_mem, 0);
	ck_assert_uint_eq(ld()->tsc_khz, 2000000);
	ck_assert_int_eq(ld()->time.tv_sec, 1234);
	ck_assert_int_eq(ld()->time.tv_nsec, 5678);
	ck_assert_uint_eq(h.noirq_iret, 0x50000);
	ck_assert_uint_eq(h.kernel_address, 0xC0000000);
}
END_TEST

START_TEST(test_init_twice_kills)
{
	init_guest();
	hcall(LHCALL_LGUEST_INIT, LGDATA, 0, 0, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_unknown_hypercall_kills_naming_it)
{
	init_guest();
	hcall(3, 0, 0, 0, 0);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "unknown hypercall 3"));
}
END_TEST

START_TEST(test_set_clockevent_arms_the_clock)
{
	init_guest();
	hcall(LHCALL_SET_CLOCKEVENT, 250000, 0, 0, 0);
	ck_assert_int_eq(clock_calls, 1);
	ck_assert_uint_eq(clock_ns, 250000);
}
END_TEST

START_TEST(test_async_ring_runs_in_order_and_marks_done)
{
	init_guest();
	/* Three queued clock calls; the last value must win. */
	for (unsigned i = 0; i < 3; i++) {
		ld()->hcalls[i] = (struct lguest_hcall_args){ LHCALL_SET_CLOCKEVENT,
							      100 + i, 0, 0, 0 };
		ld()->hcall_status[i] = 0;
	}
	hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	ck_assert(!fault.raised);
	ck_assert_int_eq(clock_calls, 3);
	ck_assert_uint_eq(clock_ns, 102);
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++)
		ck_assert_uint_eq(ld()->hcall_status[i], 0xff);
	ck_assert_uint_eq(h.async_hcalls, 3);
}
END_TEST

START_TEST(test_async_ring_wraps_around)
{
	init_guest();
	h.next_hcall = LHCALL_RING_SIZE - 1;
	ld()->hcalls[LHCALL_RING_SIZE - 1] =
		(struct lguest_hcall_args){ LHCALL_SET_CLOCKEVENT, 7, 0, 0, 0 };
	ld()->hcall_status[LHCALL_RING_SIZE - 1] = 0;
	ld()->hcalls[0] = (struct lguest_hcall_args){ LHCALL_SET_CLOCKEVENT, 8, 0, 0, 0 };
	ld()->hcall_status[0] = 0;
	hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	ck_assert_uint_eq(clock_ns, 8);
	ck_assert_int_eq(clock_calls, 2);
	ck_assert_uint_eq(h.next_hcall, 1);
}
END_TEST

START_TEST(test_async_ring_bad_entry_kills)
{
	init_guest();
	ld()->hcalls[0] = (struct lguest_hcall_args){ 99, 0, 0, 0, 0 };
	ld()->hcall_status[0] = 0;
	hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_shutdown_poweroff_and_restart_carry_the_message)
{
	init_guest();
	strcpy((char *)mem.ram + 0x60000, "Power down");
	hcall(LHCALL_SHUTDOWN, 0x60000, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	ck_assert_int_eq(h.shutdown, LG_POWEROFF);
	ck_assert_str_eq(h.shutdown_msg, "Power down");
	h.shutdown = LG_RUNNING;
	strcpy((char *)mem.ram + 0x60000, "Restarting system");
	hcall(LHCALL_SHUTDOWN, 0x60000, LGUEST_SHUTDOWN_RESTART, 0, 0);
	ck_assert_int_eq(h.shutdown, LG_RESTART);
	ck_assert_str_eq(h.shutdown_msg, "Restarting system");
}
END_TEST

START_TEST(test_shutdown_message_at_end_of_ram_is_truncated_not_overread)
{
	init_guest();
	memset(mem.ram + RAM_SIZE - 4, 'x', 4);
	hcall(LHCALL_SHUTDOWN, RAM_SIZE - 4, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	ck_assert(!fault.raised);
	ck_assert_str_eq(h.shutdown_msg, "xxxx");
	/* Linux's reboot passes __pa(NULL): no message, still a shutdown. */
	h.shutdown = LG_RUNNING;
	hcall(LHCALL_SHUTDOWN, 0x40000000, LGUEST_SHUTDOWN_RESTART, 0, 0);
	ck_assert(!fault.raised);
	ck_assert_int_eq(h.shutdown, LG_RESTART);
	ck_assert_str_eq(h.shutdown_msg, "");
	h.shutdown = LG_RUNNING;
	hcall(LHCALL_SHUTDOWN, 0x40000000, LGUEST_SHUTDOWN_POWEROFF, 0, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_idt_entry_forced_to_kernel_cs_and_guest_pl)
{
	init_guest();
	idt(14, 0xc1234567, 0xE, 0);
	ck_assert_uint_eq(h.idt[14][0], (GUEST_KERNEL_CS << 16) | 0x4567);
	ck_assert_uint_eq(h.idt[14][1] & 0xffff0000, 0xc1230000);
	ck_assert_uint_eq((h.idt[14][1] >> 8) & 0xf, 0xE);
}
END_TEST

START_TEST(test_idt_entries_the_host_keeps_are_ignored)
{
	unsigned keep[] = { 2, 8, 15, LGUEST_TRAP_ENTRY };
	init_guest();
	for (unsigned i = 0; i < 4; i++) {
		idt(keep[i], HANDLER, 0xE, 0);
		ck_assert_uint_eq(h.idt[keep[i]][1], 0);
	}
	ck_assert(!fault.raised);
}
END_TEST

START_TEST(test_idt_entry_with_bogus_type_kills)
{
	init_guest();
	idt(32, HANDLER, 0x5, 0); /* a task gate */
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "bad IDT type"));
}
END_TEST

START_TEST(test_idt_entry_with_bogus_selector_kills)
{
	init_guest();
	hcall(LHCALL_LOAD_IDT_ENTRY, 33, (0x7bu << 16) | 0x1000, 0x8e00, 0);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "bad IDT selector"));
}
END_TEST

START_TEST(test_idt_vector_past_the_table_kills)
{
	init_guest();
	idt(256, HANDLER, 0xE, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_gdt_entry_never_gets_ring_0)
{
	init_guest();
	/* A flat DPL-0 code segment. */
	hcall(LHCALL_LOAD_GDT_ENTRY, 14, 0x0000ffff, 0x00cf9a00, 0);
	ck_assert(!fault.raised);
	ck_assert_uint_eq((h.gdt[14] >> 45) & 3, GUEST_PL);
	ck_assert_uint_eq(gdt_first, 14);
	ck_assert_uint_eq(gdt_count, 1);
}
END_TEST

START_TEST(test_gdt_entry_cannot_be_64_bit_or_a_gate)
{
	init_guest();
	hcall(LHCALL_LOAD_GDT_ENTRY, 20, 0x0000ffff, 0x00affa00, 0); /* L=1 */
	ck_assert_uint_eq((h.gdt[20] >> 53) & 1, 0);
	hcall(LHCALL_LOAD_GDT_ENTRY, 21, 0x00501000, 0x0000ec00, 0); /* call gate */
	ck_assert_uint_eq((h.gdt[21] >> 47) & 1, 0);
}
END_TEST

START_TEST(test_gdt_host_slots_are_ignored_and_bad_index_kills)
{
	init_guest();
	uint64_t before = h.gdt[GDT_ENTRY_TSS];
	hcall(LHCALL_LOAD_GDT_ENTRY, GDT_ENTRY_TSS, 0x0000ffff, 0x00cffa00, 0);
	ck_assert_uint_eq(h.gdt[GDT_ENTRY_TSS], before);
	hcall(LHCALL_LOAD_GDT_ENTRY, 32, 0, 0, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_load_tls_reads_three_descriptors_and_fixes_them)
{
	uint32_t tls[6] = { 0x0000ffff, 0x00cff200, 0x1000ffff, 0x00cf9200, 0, 0 };
	init_guest();
	memcpy(mem.ram + 0x61000, tls, sizeof(tls));
	hcall(LHCALL_LOAD_TLS, 0x61000, 0, 0, 0);
	ck_assert_uint_eq((h.gdt[GDT_ENTRY_TLS_MIN] >> 45) & 3, 3);
	ck_assert_uint_eq((h.gdt[GDT_ENTRY_TLS_MIN + 1] >> 45) & 3, GUEST_PL);
	ck_assert_uint_eq(gdt_first, GDT_ENTRY_TLS_MIN);
	ck_assert_uint_eq(gdt_count, 3);
	hcall(LHCALL_LOAD_TLS, RAM_SIZE - 8, 0, 0, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_set_stack_with_user_segment_kills)
{
	init_guest();
	hcall(LHCALL_SET_STACK, 0x7b, KSTACK, 1, 0);
	ck_assert(fault.raised);
	ck_assert_ptr_nonnull(strstr(fault.reason, "bad stack segment"));
}
END_TEST

START_TEST(test_set_stack_with_too_many_pages_kills)
{
	init_guest();
	hcall(LHCALL_SET_STACK, GUEST_KERNEL_DS, KSTACK, 3, 0);
	ck_assert(fault.raised);
}
END_TEST

START_TEST(test_trap_in_kernel_pushes_frame_on_current_stack)
{
	init_guest();
	idt(13, HANDLER, 0xF, 0);
	struct guest_regs r = kregs();
	ck_assert(lguest_deliver_trap(&h, &r, 13, 0x58));
	ck_assert_uint_eq(r.esp, KSTACK - 16);
	ck_assert_uint_eq(word_at(r.esp), 0x58);       /* error code */
	ck_assert_uint_eq(word_at(r.esp + 4), 0x1000); /* eip */
	ck_assert_uint_eq(word_at(r.esp + 8), GUEST_KERNEL_CS);
	ck_assert_uint_eq(r.eip, HANDLER);
	ck_assert_uint_eq(r.cs, GUEST_KERNEL_CS);
	/* A trap gate leaves interrupts as they were. */
	ck_assert_uint_eq(ld()->irq_enabled, X86_EFLAGS_IF);
}
END_TEST

START_TEST(test_trap_from_user_switches_to_set_stack)
{
	init_guest();
	hcall(LHCALL_SET_STACK, GUEST_KERNEL_DS, KSTACK, 1, 0);
	idt(0x80, HANDLER, 0xF, 3);
	struct guest_regs r = { .cs = 0x73, .ss = 0x7b, .esp = USTACK, .eip = 0x8000,
				.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF };
	ck_assert(lguest_software_interrupt(&h, &r, 0x80, 2));
	ck_assert_uint_eq(r.esp, KSTACK - 20);
	ck_assert_uint_eq(r.ss, GUEST_KERNEL_DS);
	ck_assert_uint_eq(word_at(r.esp), 0x8000);
	ck_assert_uint_eq(word_at(r.esp + 4), 0x73);
	ck_assert_uint_eq(word_at(r.esp + 12), USTACK);
	ck_assert_uint_eq(word_at(r.esp + 16), 0x7b);
	ck_assert_uint_eq(r.cs, GUEST_KERNEL_CS);
}
END_TEST

START_TEST(test_interrupt_gate_clears_virtual_if_and_frame_shows_old_if)
{
	init_guest();
	idt(32, HANDLER, 0xE, 0);
	struct guest_regs r = kregs();
	lguest_set_irq(&h, 0);
	ld()->blocked_interrupts = 0;
	ck_assert_uint_eq(lguest_irq_pending(&h), 0);
	ck_assert(lguest_try_deliver_irq(&h, &r, 0));
	ck_assert_uint_eq(ld()->irq_enabled, 0);
	ck_assert(word_at(r.esp + 8) & X86_EFLAGS_IF);
	ck_assert_uint_eq(r.eip, HANDLER);
	ck_assert_uint_eq(h.irqs_pending, 0);
}
END_TEST

START_TEST(test_delivering_one_of_two_irqs_leaves_irq_pending_set)
{
	init_guest();
	idt(32, HANDLER, 0xE, 0);
	idt(34, HANDLER + 0x100, 0xE, 0);
	ld()->blocked_interrupts = 0;
	ld()->irq_pending = 0;
	struct guest_regs r = kregs();
	lguest_set_irq(&h, 0);
	lguest_set_irq(&h, 2);
	ck_assert(lguest_try_deliver_irq(&h, &r, 0));
	/* IRQ 2 waits: the guest must ask for it when it enables again. */
	ck_assert_int_eq(ld()->irq_pending, X86_EFLAGS_IF);
	ck_assert_uint_eq(lguest_irq_pending(&h), 2);
	ld()->irq_enabled = X86_EFLAGS_IF;
	ck_assert(lguest_try_deliver_irq(&h, &r, 2));
	ck_assert_int_eq(ld()->irq_pending, 0);
}
END_TEST

/* --sticky-irq-pending: as lguest 4.10's Host, irq_pending stays set. */
START_TEST(test_sticky_irq_pending_is_never_cleared)
{
	h.sticky_irq_pending = true;
	lguest_host_reset(&h); /* every boot starts with one: the option stays */
	init_guest();
	idt(32, HANDLER, 0xE, 0);
	ld()->blocked_interrupts = 0;
	ld()->irq_pending = X86_EFLAGS_IF;
	struct guest_regs r = kregs();
	lguest_set_irq(&h, 0);
	ck_assert(lguest_try_deliver_irq(&h, &r, 0));
	ck_assert_uint_eq(lguest_irq_pending(&h), LGUEST_IRQS);
	ck_assert_int_eq(ld()->irq_pending, X86_EFLAGS_IF);
}
END_TEST

START_TEST(test_irq_disabled_defers_and_sets_irq_pending)
{
	init_guest();
	idt(32, HANDLER, 0xE, 0);
	ld()->blocked_interrupts = 0;
	ld()->irq_enabled = 0;
	struct guest_regs r = kregs(), before = r;
	lguest_set_irq(&h, 0);
	ck_assert(!lguest_try_deliver_irq(&h, &r, 0));
	ck_assert_int_eq(ld()->irq_pending, X86_EFLAGS_IF);
	ck_assert_mem_eq(&r, &before, sizeof(r));
	ck_assert_uint_eq(h.irqs_pending, 1);
}
END_TEST

START_TEST(test_blocked_interrupts_are_not_pending)
{
	init_guest();
	ld()->blocked_interrupts = 1u << 3;
	lguest_set_irq(&h, 3);
	ck_assert_uint_eq(lguest_irq_pending(&h), LGUEST_IRQS);
	lguest_set_irq(&h, 5);
	ck_assert_uint_eq(lguest_irq_pending(&h), 5);
}
END_TEST

START_TEST(test_no_delivery_at_noirq_iret)
{
	init_guest();
	idt(33, HANDLER, 0xE, 0);
	ld()->blocked_interrupts = 0;
	struct guest_regs r = kregs();
	r.eip = h.noirq_iret;
	lguest_set_irq(&h, 1);
	ck_assert(!lguest_try_deliver_irq(&h, &r, 1));
	ck_assert_uint_eq(r.eip, h.noirq_iret);
	ck_assert_uint_eq(h.irqs_pending, 2);
}
END_TEST

START_TEST(test_halt_wakes_with_interrupts_enabled)
{
	init_guest();
	idt(32, HANDLER, 0xE, 0);
	ld()->blocked_interrupts = 0;
	ld()->irq_enabled = 0;
	hcall(LHCALL_HALT, 0, 0, 0, 0);
	ck_assert(h.halted);
	struct guest_regs r = kregs();
	lguest_set_irq(&h, 0);
	ck_assert(lguest_try_deliver_irq(&h, &r, 0));
	ck_assert(!h.halted);
	ck_assert_uint_eq(r.eip, HANDLER);
}
END_TEST

START_TEST(test_iret_to_user_pops_five_words)
{
	uint32_t frame[5] = { 0x8000, 0x73, X86_EFLAGS_FIXED | X86_EFLAGS_IF, USTACK, 0x7b };
	init_guest();
	/* User segments as Linux loads them. */
	hcall(LHCALL_LOAD_GDT_ENTRY, 14, 0x0000ffff, 0x00cffa00, 0);
	hcall(LHCALL_LOAD_GDT_ENTRY, 15, 0x0000ffff, 0x00cff200, 0);
	memcpy(mem.ram + KSTACK - 20, frame, sizeof(frame));
	struct guest_regs r = kregs();
	r.esp = KSTACK - 20;
	ck_assert(lguest_emulate_iret(&h, &r));
	ck_assert_uint_eq(r.eip, 0x8000);
	ck_assert_uint_eq(r.cs, 0x73);
	ck_assert_uint_eq(r.esp, USTACK);
	ck_assert_uint_eq(r.ss, 0x7b);
	ck_assert(r.eflags & X86_EFLAGS_IF);
}
END_TEST

START_TEST(test_iret_to_ring_0_selector_is_a_gp)
{
	uint32_t frame[3] = { 0x8000, 0x60, X86_EFLAGS_FIXED };
	init_guest();
	idt(13, HANDLER, 0xE, 0);
	memcpy(mem.ram + KSTACK - 12, frame, sizeof(frame));
	struct guest_regs r = kregs();
	r.esp = KSTACK - 12;
	ck_assert(lguest_emulate_iret(&h, &r));
	ck_assert_uint_eq(r.eip, HANDLER);
	ck_assert_uint_eq(word_at(r.esp), 0x60); /* #GP error: the selector */
}
END_TEST

START_TEST(test_software_interrupt_to_kernel_gate_from_user_is_a_gp)
{
	init_guest();
	hcall(LHCALL_SET_STACK, GUEST_KERNEL_DS, KSTACK, 1, 0);
	idt(13, HANDLER, 0xE, 0);
	idt(0x81, 0x45000, 0xE, 0); /* DPL 0: not for user mode */
	struct guest_regs r = { .cs = 0x73, .ss = 0x7b, .esp = USTACK, .eip = 0x8002,
				.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF };
	ck_assert(lguest_software_interrupt(&h, &r, 0x81, 2));
	ck_assert_uint_eq(r.eip, HANDLER);
	ck_assert_uint_eq(word_at(r.esp), (0x81u << 3) | 2);
	ck_assert_uint_eq(word_at(r.esp + 4), 0x8000); /* at the int, not past it */
}
END_TEST

START_TEST(test_trap_with_unmapped_stack_kills)
{
	init_guest();
	idt(6, HANDLER, 0xF, 0);
	struct guest_regs r = kregs();
	r.esp = RAM_SIZE + 0x100000 + 64; /* past RAM and the MMIO window */
	lguest_deliver_trap(&h, &r, 6, 0);
	ck_assert(fault.raised);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hypercalls");
	TCase *t = tcase_create("host");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_hypercall_before_init_kills_the_guest);
	tcase_add_test(t, test_init_with_lguest_data_outside_ram_kills);
	tcase_add_test(t, test_init_publishes_host_fields);
	tcase_add_test(t, test_init_publishes_reserve_top_when_asked);
	tcase_add_test(t, test_sticky_irq_pending_is_never_cleared);
	tcase_add_test(t, test_init_twice_kills);
	tcase_add_test(t, test_unknown_hypercall_kills_naming_it);
	tcase_add_test(t, test_set_clockevent_arms_the_clock);
	tcase_add_test(t, test_async_ring_runs_in_order_and_marks_done);
	tcase_add_test(t, test_async_ring_wraps_around);
	tcase_add_test(t, test_async_ring_bad_entry_kills);
	tcase_add_test(t, test_shutdown_poweroff_and_restart_carry_the_message);
	tcase_add_test(t, test_shutdown_message_at_end_of_ram_is_truncated_not_overread);
	tcase_add_test(t, test_idt_entry_forced_to_kernel_cs_and_guest_pl);
	tcase_add_test(t, test_idt_entries_the_host_keeps_are_ignored);
	tcase_add_test(t, test_idt_entry_with_bogus_type_kills);
	tcase_add_test(t, test_idt_entry_with_bogus_selector_kills);
	tcase_add_test(t, test_idt_vector_past_the_table_kills);
	tcase_add_test(t, test_gdt_entry_never_gets_ring_0);
	tcase_add_test(t, test_gdt_entry_cannot_be_64_bit_or_a_gate);
	tcase_add_test(t, test_gdt_host_slots_are_ignored_and_bad_index_kills);
	tcase_add_test(t, test_load_tls_reads_three_descriptors_and_fixes_them);
	tcase_add_test(t, test_set_stack_with_user_segment_kills);
	tcase_add_test(t, test_set_stack_with_too_many_pages_kills);
	tcase_add_test(t, test_trap_in_kernel_pushes_frame_on_current_stack);
	tcase_add_test(t, test_trap_from_user_switches_to_set_stack);
	tcase_add_test(t, test_interrupt_gate_clears_virtual_if_and_frame_shows_old_if);
	tcase_add_test(t, test_irq_disabled_defers_and_sets_irq_pending);
	tcase_add_test(t, test_delivering_one_of_two_irqs_leaves_irq_pending_set);
	tcase_add_test(t, test_blocked_interrupts_are_not_pending);
	tcase_add_test(t, test_no_delivery_at_noirq_iret);
	tcase_add_test(t, test_halt_wakes_with_interrupts_enabled);
	tcase_add_test(t, test_iret_to_user_pops_five_words);
	tcase_add_test(t, test_iret_to_ring_0_selector_is_a_gp);
	tcase_add_test(t, test_software_interrupt_to_kernel_gate_from_user_is_a_gp);
	tcase_add_test(t, test_trap_with_unmapped_stack_kills);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
