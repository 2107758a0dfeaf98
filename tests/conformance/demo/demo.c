/*
 * The demo guest: `lgkvm run` with no kernel boots this.  It walks through
 * what the VMM does for an lguest guest and says so as it goes: the
 * hypercalls, a page-table switch with demand paging, a system call from
 * user mode, a timer interrupt; then it powers off (exit status 0).
 */
#include "runtime.h"

#define DEMO_VA USER_TEST_BASE

USER_TEXT uint32_t u_demo_syscall(uint32_t arg)
{
	return user_syscall(SYS_ECHO, arg);
}

static void say(const char *what)
{
	kprintf("lgkvm demo: %s\n", what);
}

static void demo_boot(void)
{
	say("a freestanding i386 lguest guest is running (tests/conformance/demo/demo.c)");
	kprintf("lgkvm demo: entered at CPL %u (cs %#x) in linear mode, boot_params at physical 0, %u MiB of RAM\n",
		boot_entry_state.cs & 3, boot_entry_state.cs, ram_size() >> 20);
	kprintf("lgkvm demo: LHCALL_LGUEST_INIT registered lguest_data at physical %#x; the host wrote "
		"tsc_khz %u and the time (%d s since 1970)\n",
		virt_to_phys(&lguest_data), lguest_data.tsc_khz, boot_time.tv_sec);
	kprintf("lgkvm demo: %u hypercalls so far: LGUEST_INIT, NEW_PGTABLE, LOAD_IDT_ENTRY x%u, LOAD_GDT_ENTRY x2, SET_STACK, "
		"FLUSH_TLB\n",
		hcall_count + 2, 32 + LGUEST_IRQS + 1);
}

static void demo_paging(void)
{
	uint32_t *pgdir = pgdir_create(), pa = page_alloc_phys(), pte, v = 0;

	memcpy(phys_to_virt(pa), "hello", 6);
	pte_set(pgdir, DEMO_VA, pa | PTE_PRESENT | PTE_RW); /* kernel-only: no SMAP question */
	user_map(pgdir);
	kprintf("lgkvm demo: switching to a new page directory at physical %#x (LHCALL_NEW_PGTABLE)\n",
		virt_to_phys(pgdir));
	pgdir_switch(pgdir);
	pte = *pte_ptr(pgdir, DEMO_VA);
	kprintf("lgkvm demo: %#x maps physical %#x, PTE %#x: not accessed yet\n", DEMO_VA, pa, pte);
	probe_read32(DEMO_VA, &v);
	pte = *pte_ptr(pgdir, DEMO_VA);
	kprintf("lgkvm demo: read \"%s\" there: the host paged it in on demand and set Accessed (PTE %#x)\n",
		(const char *)phys_to_virt(pa), pte);
	probe_write32(DEMO_VA, 0x216f6c6c); /* "llo!" */
	pte = *pte_ptr(pgdir, DEMO_VA);
	kprintf("lgkvm demo: wrote to it: the first write set Dirty (PTE %#x)\n", pte);
}

static void demo_user(void)
{
	uint32_t r;

	say("entering user mode (iret to CPL 3) to make a system call (int $0x80)");
	r = user_call(u_demo_syscall, 41, 0, 0);
	kprintf("lgkvm demo: the system call ran on the kernel stack from LHCALL_SET_STACK (frame at %#x) "
		"and returned %u to user mode; back in the kernel\n",
		syscall_last.frame_top - 20, r);
}

static void demo_timer(void)
{
	uint32_t before = irq_count[0], us;
	uint64_t t0;

	say("LHCALL_SET_CLOCKEVENT for 10 ms, then LHCALL_HALT until the timer interrupt");
	irq_disable();
	t0 = rdtsc();
	clock_event(10000000);
	halt();
	us = since_us(t0);
	kprintf("lgkvm demo: woken by IRQ 0 (vector 32) after %u us; %u timer interrupt%s\n", us,
		irq_count[0] - before, irq_count[0] - before == 1 ? "" : "s");
}

void guest_main(void)
{
	demo_boot();
	user_init();
	demo_paging();
	demo_user();
	demo_timer();
	kprintf("lgkvm demo: %u hypercalls in all; powering off (LHCALL_SHUTDOWN)\n", hcall_count + 3);
}
