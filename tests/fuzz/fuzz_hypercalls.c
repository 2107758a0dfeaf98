/*
 * The lguest Host and the shadow MMU (hypercalls/, mmu/) as a guest drives
 * them: hypercalls with fuzzed arguments (synchronous, and through the
 * async ring in lguest_data), demand faults, trap and interrupt delivery,
 * iret, and the guest rewriting its own memory in between; 2-level or PAE.
 * After every operation the shadow tables and the reverse map must agree
 * (mmu_check), whatever the guest did.
 *
 * Input: u8 flags (bit 0: PAE), then operations: u8 kind and up to five
 * u32 arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "hypercalls/lguest_host.h"
#include "mmu/shadow_mmu.h"

#define RAM_SIZE (1u << 20)
#define POOL_PAGES 256
#define LGDATA 0x10000u

static uint8_t *ram;
static void *pool;

static void set_clockevent(void *o, uint64_t ns) { (void)o; (void)ns; }
static void gdt_changed(void *o, unsigned a, unsigned b) { (void)o; (void)a; (void)b; }
static void wallclock(void *o, int64_t *s, int32_t *ns) { (void)o; *s = 1; *ns = 0; }

/* Mostly addresses the guest could mean: inside RAM, page aligned or not. */
static uint32_t addr(uint32_t v)
{
	switch (v >> 30) {
	case 0: return v % RAM_SIZE;
	case 1: return (v % RAM_SIZE) & ~0xfffu;
	case 2: return 0xc0000000u + (v % RAM_SIZE);
	default: return v;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct guest_memory mem;
	struct guest_fault fault;
	struct shadow_mmu *m;
	struct lguest_host h;
	bool pae = fuzz_u8(&in) & 1;
	char why[256];

	if (!ram) {
		ram = malloc(RAM_SIZE);
		pool = aligned_alloc(4096, POOL_PAGES * 4096);
		if (!ram || !pool)
			abort();
	}
	memset(ram, 0, RAM_SIZE);
	mem.ram = ram;
	mem.size = RAM_SIZE;
	guest_fault_clear(&fault);
	struct mmu_config mc = { .mem = &mem, .fault = &fault, .mmio_base = RAM_SIZE,
				 .mmio_size = 1 << 20, .pool = pool, .pool_gpa = 1ull << 32,
				 .pool_pages = POOL_PAGES, .max_roots = 4, .touch_log = true };
	m = mmu_create(&mc);
	if (!m || !mmu_set_guest_format(m, pae))
		abort();
	struct lguest_host_ops ops = { .set_clockevent = set_clockevent,
				       .gdt_changed = gdt_changed, .wallclock = wallclock };
	lguest_host_init(&h, &mem, &fault, m, &ops, 2000000);
	/* lguest_data as a Linux guest prepares it before LGUEST_INIT. */
	struct lguest_data *ld = (struct lguest_data *)(ram + LGDATA);
	ld->irq_enabled = X86_EFLAGS_IF;
	memset(ld->hcall_status, 0xff, sizeof(ld->hcall_status));
	ld->kernel_address = 0xc0000000u;
	ld->syscall_vec = 0x80;

	for (unsigned ops_done = 0; in.left && !fault.raised && ops_done < 256; ops_done++) {
		uint8_t kind = fuzz_u8(&in);
		uint32_t a = fuzz_u32(&in), b = fuzz_u32(&in), c = fuzz_u32(&in),
			 d = fuzz_u32(&in);
		struct guest_regs r = { .cs = GUEST_KERNEL_CS, .ss = GUEST_KERNEL_DS,
					.esp = 0x20000, .eip = 0x1000,
					.eflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF };
		uint32_t gerr;

		if (kind & 0x80) {
			r.cs = (GDT_ENTRY_DEFAULT_USER_CS * 8) | 3;
			r.ss = (GDT_ENTRY_DEFAULT_USER_DS * 8) | 3;
		}
		switch (kind % 9) {
		case 0: /* a hypercall: the first one initializes */
			r.eax = h.initialized ? a % 32 : LHCALL_LGUEST_INIT;
			r.ebx = h.initialized ? addr(b) : LGDATA;
			r.ecx = addr(c);
			r.edx = d;
			r.esi = fuzz_u32(&in);
			lguest_hypercall(&h, &r);
			break;
		case 1: /* the guest writes its memory (tables, lguest_data, the ring) */
			memcpy(ram + (a % (RAM_SIZE - 8)), &b, 4);
			memcpy(ram + (a % (RAM_SIZE - 8)) + 4, &c, 4);
			break;
		case 2:
			mmu_demand_page(m, addr(a), b & 0x1f, &gerr);
			break;
		case 3:
			lguest_deliver_trap(&h, &r, a % 256, b);
			break;
		case 4:
			r.eip += 2;
			lguest_software_interrupt(&h, &r, a % 256, 2);
			break;
		case 5:
			r.esp = addr(a);
			lguest_emulate_iret(&h, &r);
			break;
		case 6:
			lguest_set_irq(&h, a % LGUEST_IRQS);
			if (lguest_irq_pending(&h) < LGUEST_IRQS)
				lguest_try_deliver_irq(&h, &r, lguest_irq_pending(&h));
			break;
		case 7: { /* the VMM reads and writes guest-virtual memory */
			uint8_t buf[16];
			lguest_read_virt(&h, addr(a), buf, 1 + b % 16, kind & 0x80);
			lguest_write_virt(&h, addr(c), buf, 1 + d % 16, kind & 0x40);
			break;
		}
		default: {
			uint64_t va[32], flush = 0;
			mmu_take_touched(m, va, 32, 0, &flush);
			break;
		}
		}
		if ((ops_done % 8 == 7 || !in.left) && !mmu_check(m, false, why, sizeof(why))) {
			fprintf(stderr, "mmu_check after op %u (kind %u): %s\n", ops_done,
				kind % 9, why);
			abort();
		}
	}
	mmu_destroy(m);
	return 0;
}
