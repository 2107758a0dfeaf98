#include "vmm/trap_reflect.h"

#include <string.h>

#include "vmm/trace.h"
#include "vmm/vm.h"

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_NX (1ull << 63)

static bool user_may_raise(const uint32_t gate[2])
{
	return ((gate[1] >> 13) & 3) == 3;
}

/* Which vectors the trampoline may hand to the guest's handler, exactly
 * as lguest_software_interrupt or lguest_deliver_trap would. */
static bool reflectable(unsigned v, const uint32_t gate[2])
{
	if (!(gate[1] & 0x8000))
		return false;
	if (v == 0 || v == 6)          /* #DE, #UD: exceptions, no DPL check */
		return true;
	if (v == 3 || v == 4)          /* int3, into */
		return user_may_raise(gate);
	/* `int n` from user mode arrives on the VMM's DPL-3 gates, 0x20 and
	 * up; the kick vector's gate is DPL 0, so it never comes from there. */
	return v >= 0x20 && v != HOST_KICK_VECTOR && user_may_raise(gate);
}

void trap_reflect_update(struct vm *vm)
{
	struct trampoline_ctl *ctl = vm->ha.ctl;
	const struct lguest_host *h = &vm->lg;
	uint64_t pte = 0;

	if (vm->reflect_gen == h->gates_gen)
		return;
	vm->reflect_gen = h->gates_gen;
	memset(ctl->reflect, 0, sizeof(ctl->reflect));
	/* irq_enabled must not straddle the window's page.  A traced run
	 * reflects nothing in the VM: every trap the lguest Host would have
	 * handled then passes through lgkvm and into the trace. */
	if (trace_file || vm->engine.emulates_compat || !h->initialized || !h->esp1 ||
	    !lguest_selector_ok(h, (uint16_t)h->ss1, false, GUEST_PL) ||
	    (h->lguest_data & 0xfff) + LGUEST_DATA_OFFSET(irq_enabled) + 4 > 4096)
		return;
	/* lguest_data was checked to lie in guest RAM at LGUEST_INIT. */
	pte = ((uint64_t)h->lguest_data & ~0xfffull) | PTE_P | PTE_W | PTE_NX;
	if (*vm->ha.window_pte != pte) {
		*vm->ha.window_pte = pte;
		ctl->flush = 1; /* the trampoline reloads CR3 before it returns */
	}
	ctl->irq_enabled_va = HOST_WINDOW_VA + (h->lguest_data & 0xfff) +
			      LGUEST_DATA_OFFSET(irq_enabled);
	ctl->esp1 = h->esp1;
	ctl->ss1 = h->ss1;
	for (unsigned v = 0; v < IDT_ENTRIES && v < 256; v++) {
		const uint32_t *gate = h->idt[v];
		if (!reflectable(v, gate))
			continue;
		ctl->reflect[v] = ((gate[0] & 0xffff) | (gate[1] & 0xffff0000)) |
				  REFLECT_VALID |
				  (((gate[1] >> 8) & 0xf) == 0xE ? REFLECT_IRQ_GATE : 0);
	}
}

uint64_t trap_reflect_count(const struct vm *vm)
{
	return vm->ha.ctl->reflected;
}
