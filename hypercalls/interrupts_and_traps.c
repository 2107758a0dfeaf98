/*
 * Delivering traps and interrupts to the Guest, and returning from them.
 *
 * The Guest's handlers expect what a 32-bit CPU would push: [error code],
 * eip, cs, eflags, and esp/ss when the trap came from user mode, in which
 * case the frame goes on the kernel stack the Guest gave with SET_STACK.
 * The interrupt flag the Guest sees is its virtual one, lguest_data's
 * irq_enabled; the real one stays set.  An interrupt gate clears it.
 */
#include <stddef.h>

#include "hypercalls/lguest_internal.h"
#include "vmm/trace.h"

/* Real EFLAGS of a running Guest: IF set (the VMM decides delivery), IOPL 0
 * (port I/O reaches the VMM through the TSS bitmap; cli/sti trap). */
#define REAL_EFLAGS_FORCED (X86_EFLAGS_FIXED | X86_EFLAGS_IF)
/* Flags an iret at CPL 1 or 3 may change. */
#define IRET_EFLAGS_MASK 0x00254fd5u /* CF PF AF ZF SF TF DF OF RF AC ID */

static uint32_t idt_address(const uint32_t e[2])
{
	return (e[0] & 0x0000FFFF) | (e[1] & 0xFFFF0000);
}

static unsigned idt_type(const uint32_t e[2])
{
	return (e[1] >> 8) & 0xF;
}

static bool idt_present(const uint32_t e[2])
{
	return e[1] & 0x8000;
}

static bool has_err(unsigned trap)
{
	return trap == 8 || (trap >= 10 && trap <= 14) || trap == 17;
}

static uint32_t virtual_eflags(struct lguest_host *h, uint32_t eflags)
{
	uint32_t irq_enabled = X86_EFLAGS_IF;

	eflags &= ~0x3000u; /* the Guest never sees the IOPL we run it with */
	if (h->initialized)
		lguest_data_read(h, LGUEST_DATA_OFFSET(irq_enabled), &irq_enabled);
	if (!(irq_enabled & X86_EFLAGS_IF))
		eflags &= ~X86_EFLAGS_IF;
	return eflags;
}

/* Push the 32-bit frame and switch to the handler. */
static bool push_frame_and_enter(struct lguest_host *h, struct guest_regs *r,
				 const uint32_t gate[2], bool with_err,
				 uint32_t errcode)
{
	uint32_t frame[6];
	unsigned n = 0;
	uint32_t stack, ss;
	bool from_user = (r->cs & 3) != GUEST_PL;

	/* Built top-down in memory order: lowest address first. */
	if (with_err)
		frame[n++] = errcode;
	frame[n++] = r->eip;
	frame[n++] = r->cs;
	frame[n++] = virtual_eflags(h, r->eflags);
	if (from_user) {
		if (!h->esp1) {
			guest_fault_raise(h->fault,
					  "trap from user mode before SET_STACK");
			return false;
		}
		frame[n++] = r->esp;
		frame[n++] = r->ss;
		stack = h->esp1;
		ss = h->ss1;
	} else {
		stack = r->esp;
		ss = r->ss;
	}
	stack -= n * 4;
	if (!lguest_write_virt(h, stack, frame, n * 4, false)) {
		guest_fault_raise(h->fault,
				  "cannot push a trap frame at %#x: guest stack not mapped or not writable",
				  stack);
		return false;
	}
	r->esp = stack;
	r->ss = ss;
	r->cs = GUEST_KERNEL_CS;
	r->eip = idt_address(gate);
	r->eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_VM | X86_EFLAGS_RF | X86_EFLAGS_NT);
	r->eflags |= REAL_EFLAGS_FORCED;
	if (idt_type(gate) == 0xE && h->initialized) {
		uint32_t zero = 0;
		lguest_data_write(h, LGUEST_DATA_OFFSET(irq_enabled), &zero);
	}
	return true;
}

bool lguest_deliver_trap(struct lguest_host *h, struct guest_regs *r,
			 unsigned num, uint32_t errcode)
{
	if (num >= IDT_ENTRIES || !idt_present(h->idt[num]))
		return false;
	TRACE("deliver", "nr=%u err=%#x eip=%#x cs=%#x handler=%#x", num,
	      errcode, r->eip, r->cs, idt_address(h->idt[num]));
	h->traps_delivered++;
	push_frame_and_enter(h, r, h->idt[num], has_err(num), errcode);
	return true;
}

/* `int n` executed by the Guest (emulated: the engine may not run it, and
 * the VMM owns the real IDT).  r->eip already points past the instruction.
 * The gate's DPL decides, as on hardware: too privileged is a #GP. */
bool lguest_software_interrupt(struct lguest_host *h, struct guest_regs *r,
			       unsigned num, unsigned insn_len)
{
	const uint32_t *gate = h->idt[num & 0xff];
	unsigned dpl = (gate[1] >> 13) & 3;

	if (!idt_present(gate) || dpl < (r->cs & 3)) {
		TRACE("softint", "nr=%u refused dpl=%u cpl=%u", num, dpl,
		      r->cs & 3);
		/* A fault: it points at the instruction, not past it. */
		r->eip -= insn_len;
		return lguest_deliver_trap(h, r, 13, (num << 3) | 2);
	}
	TRACE("deliver", "nr=%u err=0 eip=%#x cs=%#x handler=%#x", num, r->eip,
	      r->cs, idt_address(gate));
	h->traps_delivered++;
	return push_frame_and_enter(h, r, gate, false, 0);
}

/* The code and stack segments an iret may load: what the hardware would
 * check, so the trampoline's own iretq can never fault on them. */
bool lguest_selector_ok(const struct lguest_host *h, uint16_t sel, bool code,
			unsigned rpl)
{
	uint64_t d;
	unsigned dpl;

	if ((sel & 3) != rpl || (sel & 4) || (sel >> 3) >= GDT_ENTRIES ||
	    !(sel >> 3))
		return false;
	d = h->gdt[sel >> 3];
	dpl = (d >> 45) & 3;
	if (!(d & (1ull << 47)) || !(d & (1ull << 44)) || dpl != rpl)
		return false;
	if (code)
		return (d & (1ull << 43)) && !(d & (1ull << 53));
	return !(d & (1ull << 43)) && (d & (1ull << 41));
}

bool lguest_emulate_iret(struct lguest_host *h, struct guest_regs *r)
{
	uint32_t f[5];
	unsigned cpl = r->cs & 3, new_rpl;
	bool outer;

	if (!lguest_read_virt(h, r->esp, f, 12, cpl == 3))
		return false;
	new_rpl = f[1] & 3;
	outer = new_rpl > cpl;
	if (new_rpl < cpl || !lguest_selector_ok(h, f[1], true, new_rpl))
		return lguest_deliver_trap(h, r, 13, f[1] & 0xfffc);
	if (outer) {
		if (!lguest_read_virt(h, r->esp + 12, &f[3], 8, cpl == 3))
			return false;
		if (!lguest_selector_ok(h, f[4], false, new_rpl))
			return lguest_deliver_trap(h, r, 13, f[4] & 0xfffc);
		r->esp = f[3];
		r->ss = f[4];
	} else {
		r->esp += 12;
	}
	r->eip = f[0];
	r->cs = f[1];
	r->eflags = (f[2] & IRET_EFLAGS_MASK) | REAL_EFLAGS_FORCED;
	TRACE("iret", "eip=%#x cs=%#x esp=%#x", r->eip, r->cs, r->esp);
	return true;
}

void lguest_set_irq(struct lguest_host *h, unsigned irq)
{
	if (irq < LGUEST_IRQS) {
		TRACE("set_irq", "nr=%u", irq);
		h->irqs_pending |= 1u << irq;
	}
}

unsigned lguest_irq_pending(struct lguest_host *h)
{
	uint32_t blocked = 0, ready;

	if (!h->initialized)
		return LGUEST_IRQS;
	lguest_data_read(h, LGUEST_DATA_OFFSET(blocked_interrupts), &blocked);
	ready = h->irqs_pending & ~blocked;
	return ready ? (unsigned)__builtin_ctz(ready) : LGUEST_IRQS;
}

bool lguest_try_deliver_irq(struct lguest_host *h, struct guest_regs *r,
			    unsigned irq)
{
	uint32_t on = X86_EFLAGS_IF, zero = 0;
	const uint32_t *gate;

	if (irq >= LGUEST_IRQS)
		return false;
	if (trace_file) {
		uint32_t irq_enabled = 0;
		lguest_data_read(h, LGUEST_DATA_OFFSET(irq_enabled), &irq_enabled);
		TRACE("irq_pending", "nr=%u more=%d halted=%d irqen=%#x eip=%#x", irq,
		      (h->irqs_pending & ~(1u << irq)) != 0, h->halted, irq_enabled,
		      r->eip);
	}
	if (h->halted) {
		/* HALT is "sti; hlt": waking re-enables interrupts. */
		lguest_data_write(h, LGUEST_DATA_OFFSET(irq_enabled), &on);
		h->halted = false;
	} else {
		uint32_t irq_enabled;
		lguest_data_read(h, LGUEST_DATA_OFFSET(irq_enabled), &irq_enabled);
		if (!(irq_enabled & X86_EFLAGS_IF)) {
			/* Tell the Guest to ask (SEND_INTERRUPTS) when it
			 * enables interrupts again. */
			lguest_data_write(h, LGUEST_DATA_OFFSET(irq_pending), &on);
			return false;
		}
	}
	/* At its iret the Guest has already restored irq_enabled from the
	 * frame it is about to pop: delivering now would nest a frame under
	 * it.  Wait until the iret is done. */
	if (r->eip == h->noirq_iret)
		return false;
	gate = h->idt[FIRST_EXTERNAL_VECTOR + irq];
	if (!idt_present(gate))
		return false;
	h->irqs_pending &= ~(1u << irq);
	TRACE("irq", "nr=%u eip=%#x vector=%u cs=%#x", irq, r->eip,
	      FIRST_EXTERNAL_VECTOR + irq, r->cs);
	h->irqs_delivered++;
	if (!push_frame_and_enter(h, r, gate, false, 0))
		return false;
	lguest_write_timestamp(h);
	/* More waiting: the handler runs with interrupts off, so have the
	 * Guest ask (SEND_INTERRUPTS) as soon as it turns them back on. */
	if (lguest_irq_pending(h) == LGUEST_IRQS && !h->sticky_irq_pending)
		lguest_data_write(h, LGUEST_DATA_OFFSET(irq_pending), &zero);
	else
		lguest_data_write(h, LGUEST_DATA_OFFSET(irq_pending), &on);
	return true;
}
