/*
 * Segments and gates: the Guest may not load the GDT or IDT itself, so it
 * hands us entries one at a time and we keep checked copies.
 *
 * lguest's rules, plus what long mode needs: a Guest descriptor never gets
 * privilege 0 (DPL 0 becomes GUEST_PL), code segments never become 64-bit
 * (the L bit would let the Guest address the VMM's upper half), and system
 * descriptors (call gates, TSS, LDT) are never installed: a call gate is the
 * one descriptor that could lead back into ring 0.
 */
#include "hypercalls/lguest_internal.h"
#include "vmm/trace.h"

#define DESC_TYPE_ACCESSED (1ull << 40)
#define DESC_S (1ull << 44)
#define DESC_DPL_SHIFT 45
#define DESC_DPL_MASK (3ull << DESC_DPL_SHIFT)
#define DESC_P (1ull << 47)
#define DESC_L (1ull << 53)
#define DESC_CODE (1ull << 43)

/* Entries the Host keeps for itself whatever the Guest says. */
static bool ignored_gdt(unsigned num)
{
	return num == GDT_ENTRY_TSS || num == GDT_ENTRY_LGUEST_CS ||
	       num == GDT_ENTRY_LGUEST_DS || num == GDT_ENTRY_DOUBLEFAULT_TSS;
}

uint64_t lguest_fixup_descriptor(uint64_t d)
{
	if (!(d & DESC_P))
		return d;
	if (!(d & DESC_S))
		return d & ~DESC_P;   /* system descriptor: never present */
	if (((d & DESC_DPL_MASK) >> DESC_DPL_SHIFT) == 0)
		d |= (uint64_t)GUEST_PL << DESC_DPL_SHIFT;
	if (d & DESC_CODE)
		d &= ~DESC_L;
	/* Pre-set accessed, so the CPU never writes the table. */
	return d | DESC_TYPE_ACCESSED;
}

static void set_gdt_entry(struct lguest_host *h, unsigned num, uint64_t d)
{
	if (ignored_gdt(num))
		return;
	h->gdt[num] = lguest_fixup_descriptor(d);
}

void lguest_load_gdt_entry(struct lguest_host *h, uint32_t num, uint32_t lo,
			   uint32_t hi)
{
	if (num >= GDT_ENTRIES) {
		guest_fault_raise(h->fault, "LOAD_GDT_ENTRY: entry %u past the GDT",
				  num);
		return;
	}
	set_gdt_entry(h, num, (uint64_t)hi << 32 | lo);
	h->gates_gen++; /* the stack segment may have changed with it */
	h->ops.gdt_changed(h->ops.opaque, num, 1);
}

/* The three TLS entries, read from a guest-physical array of descriptors. */
void lguest_load_tls(struct lguest_host *h, uint32_t gtls)
{
	uint64_t tls[GDT_ENTRY_TLS_ENTRIES];

	if (!gmem_read(h->mem, gtls, tls, sizeof(tls))) {
		guest_fault_raise(h->fault,
				  "LOAD_TLS: descriptors at %#x are outside guest RAM",
				  gtls);
		return;
	}
	for (unsigned i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		set_gdt_entry(h, GDT_ENTRY_TLS_MIN + i, tls[i]);
	h->gates_gen++;
	h->ops.gdt_changed(h->ops.opaque, GDT_ENTRY_TLS_MIN,
			   GDT_ENTRY_TLS_ENTRIES);
}

/*
 * IDT entries.  Vectors 2 (NMI), 8 (double fault), 15 (reserved) and the
 * hypercall vector stay the Host's.  Only interrupt (0xE) and trap (0xF)
 * gates, and only to the kernel code segment: the handler always runs with
 * the Guest's kernel CS at GUEST_PL.
 */
void lguest_load_idt_entry(struct lguest_host *h, uint32_t num, uint32_t lo,
			   uint32_t hi)
{
	unsigned type = (hi >> 8) & 0xF;
	unsigned sel_index = (lo >> 16) >> 3;

	if (num == 2 || num == 8 || num == 15 || num == LGUEST_TRAP_ENTRY)
		return;
	if (num >= IDT_ENTRIES) {
		guest_fault_raise(h->fault, "LOAD_IDT_ENTRY: vector %u past the IDT",
				  num);
		return;
	}
	h->gates_gen++;
	if (!(hi & 0x8000)) {
		h->idt[num][0] = h->idt[num][1] = 0;
		return;
	}
	if (type != 0xE && type != 0xF) {
		guest_fault_raise(h->fault, "LOAD_IDT_ENTRY: bad IDT type %u for vector %u",
				  type, num);
		return;
	}
	if (sel_index != GDT_ENTRY_KERNEL_CS) {
		guest_fault_raise(h->fault,
				  "LOAD_IDT_ENTRY: bad IDT selector %#x for vector %u",
				  lo >> 16, num);
		return;
	}
	h->idt[num][0] = ((uint32_t)GUEST_KERNEL_CS << 16) | (lo & 0xFFFF);
	h->idt[num][1] = hi & 0xFFFFEF00;
	TRACE("idt", "vector=%u handler=%#x type=%u dpl=%u", num,
	      (lo & 0xFFFF) | (hi & 0xFFFF0000), type, (hi >> 13) & 3);
}

/* The kernel stack for traps from user mode: must be a GUEST_PL segment. */
void lguest_set_stack(struct lguest_host *h, uint32_t seg, uint32_t esp,
		      uint32_t pages)
{
	/* lguest only looked at the privilege bits; the frame lands through
	 * the trampoline's iretq, which must not fault on the segment. */
	if ((seg & 3) != GUEST_PL || !lguest_selector_ok(h, (uint16_t)seg, false, GUEST_PL)) {
		guest_fault_raise(h->fault,
				  "SET_STACK: bad stack segment %#x (not a present writable data segment at privilege %u)",
				  seg, GUEST_PL);
		return;
	}
	if (pages > 2) {
		guest_fault_raise(h->fault, "SET_STACK: bad stack pages %u", pages);
		return;
	}
	h->ss1 = seg;
	h->esp1 = esp;
	h->stack_pages = pages;
	h->gates_gen++;
}
