/*
 * The lguest Host: the state lguest kept per Guest CPU (drivers/lguest/lg.h)
 * and the operations the run loop calls.  It works on a 32-bit view of the
 * guest's registers (struct guest_regs) so it knows nothing of KVM: the run
 * loop moves registers in and out, and unit tests drive it directly.
 */
#ifndef LGKVM_LGUEST_HOST_H
#define LGKVM_LGUEST_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "hypercalls/lguest_abi.h"
#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

struct shadow_mmu;

struct guest_regs {
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi; /* ModRM order */
	uint32_t eip, eflags;
	uint16_t cs, ss;
};

static inline unsigned guest_cpl(const struct guest_regs *r)
{
	return r->cs & 3;
}

/* What the run loop must do after a Host operation. */
enum lguest_shutdown { LG_RUNNING, LG_POWEROFF, LG_RESTART };

/* The VMM side the Host calls back into. */
struct lguest_host_ops {
	/* Arm the one-shot clock: fire IRQ 0 after `ns` nanoseconds; 0 stops it. */
	void (*set_clockevent)(void *opaque, uint64_t ns);
	/* A guest GDT entry (0..31) changed: reload the hardware copy. */
	void (*gdt_changed)(void *opaque, unsigned first, unsigned count);
	/* The guest's first NEW_PGTABLE is about to switch to `gpgdir`: last
	 * chance to choose its page-table format (may be NULL). */
	void (*choose_paging)(void *opaque, uint32_t gpgdir);
	/* Wall-clock time for lguest_data.time. */
	void (*wallclock)(void *opaque, int64_t *sec, int32_t *nsec);
	void *opaque;
};

struct lguest_host {
	const struct guest_memory *mem;
	struct guest_fault *fault;
	struct shadow_mmu *mmu;
	struct lguest_host_ops ops;
	uint32_t tsc_khz;
	uint32_t reserve_mem;   /* published at LGUEST_INIT (lguest_data.reserve_mem) */
	/* lguest 4.10's Host never cleared irq_pending once set (its `more`
	 * was find_next_bit()'s result, never 0), so its guests asked with
	 * SEND_INTERRUPTS at every irq enable: set to do the same, for trace
	 * comparisons. */
	bool sticky_irq_pending;

	/* Set by LHCALL_LGUEST_INIT: guest-physical address of lguest_data. */
	bool initialized;
	bool paging_chosen;
	uint32_t lguest_data;
	uint32_t noirq_iret;
	uint32_t kernel_address;

	/* Guest descriptor tables, as the Guest gave them (after fix-ups). */
	uint32_t idt[IDT_ENTRIES][2];
	uint64_t gdt[GDT_ENTRIES];

	/* Kernel stack for traps from user mode (LHCALL_SET_STACK). */
	uint32_t ss1, esp1;
	unsigned stack_pages;
	/* Bumped whenever the IDT, the kernel stack or lguest_data change:
	 * what the VMM derived from them is stale. */
	uint64_t gates_gen;

	uint32_t irqs_pending;  /* bitmap of LGUEST_IRQS */
	bool halted;
	unsigned next_hcall;    /* next slot of the async ring to look at */

	enum lguest_shutdown shutdown;
	char shutdown_msg[128];

	/* Counters for --verbose / the boot benchmark. */
	uint64_t hcall_count[32];
	uint64_t async_hcalls;
	uint64_t hcall_async_count[32]; /* the async-ring part of hcall_count */
	uint64_t traps_delivered, irqs_delivered;
};

void lguest_host_init(struct lguest_host *h, const struct guest_memory *mem,
		      struct guest_fault *fault, struct shadow_mmu *mmu,
		      const struct lguest_host_ops *ops, uint32_t tsc_khz);

/* Back to the state at power-on (restart). */
void lguest_host_reset(struct lguest_host *h);

/* A synchronous hypercall: arguments in eax/ebx/ecx/edx/esi, any result
 * in eax.  Runs the async ring first, as lguest did. */
void lguest_hypercall(struct lguest_host *h, struct guest_regs *r);

/* Deliver trap `num` (with errcode when it has one) to the guest's own
 * handler; false when the guest has no handler for it. */
bool lguest_deliver_trap(struct lguest_host *h, struct guest_regs *r,
			 unsigned num, uint32_t errcode);

/* `int n` (insn_len bytes) by the guest; r->eip already past it.  Honours
 * the guest gate's DPL: too privileged is a #GP at the instruction. */
bool lguest_software_interrupt(struct lguest_host *h, struct guest_regs *r,
			       unsigned num, unsigned insn_len);

/* Whether selector `sel` names a present code (code) or writable data
 * segment of privilege rpl in the guest's GDT: what an iret may load, and
 * so what the trampoline's iretq may return to. */
bool lguest_selector_ok(const struct lguest_host *h, uint16_t sel, bool code,
			unsigned rpl);
/* Emulate the guest's `iret` at r->eip (32-bit frame on the guest stack). */
bool lguest_emulate_iret(struct lguest_host *h, struct guest_regs *r);

/* IRQs. */
void lguest_set_irq(struct lguest_host *h, unsigned irq);
/* The first deliverable IRQ, or LGUEST_IRQS when none. */
unsigned lguest_irq_pending(struct lguest_host *h);
/* Deliver `irq` now if the guest allows it (irq_enabled, noirq_iret);
 * otherwise note it in lguest_data.irq_pending.  Returns true when the
 * guest's registers changed. */
bool lguest_try_deliver_irq(struct lguest_host *h, struct guest_regs *r,
			    unsigned irq);

void lguest_write_timestamp(struct lguest_host *h);

/* Guest-virtual access for the VMM's own use (trap frames, instructions). */
bool lguest_read_virt(struct lguest_host *h, uint32_t vaddr, void *buf,
		      unsigned len, bool user);
bool lguest_write_virt(struct lguest_host *h, uint32_t vaddr, const void *buf,
		       unsigned len, bool user);

#endif
