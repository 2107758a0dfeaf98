/*
 * Hypercalls: how the Guest asks the Host for what it may not do itself.
 *
 * A synchronous hypercall is `int $0x1f` with the call in %eax and up to
 * four arguments in %ebx, %ecx, %edx, %esi.  The Guest can also queue calls
 * in the ring inside lguest_data (hcall_status[i] = 0 means "pending"); the
 * Host runs them, in order, at the next synchronous hypercall, and sets each
 * status back to 0xFF.  Anything malformed kills the Guest: a Guest that
 * sends garbage is broken, and carrying on would only hide it.
 */
#include <stddef.h>
#include <string.h>

#include "hypercalls/lguest_host.h"
#include "hypercalls/lguest_internal.h"
#include "mmu/shadow_mmu.h"
#include "vmm/trace.h"
#include "vmm/trace/trace_model.h"

static void shutdown_hcall(struct lguest_host *h, uint32_t msg_gpa,
			   uint32_t how)
{
	char msg[sizeof(h->shutdown_msg)];
	uint64_t avail;

	/* The message is a C string at a guest-physical address; read what
	 * fits in RAM, up to 127 characters.  Linux's plain `reboot` passes
	 * __pa(NULL): no message, but still a restart, as in lguest; a power
	 * off with a bad message is a bad hypercall. */
	memset(msg, 0, sizeof(msg));
	if (!gmem_range_ok(h->mem, msg_gpa, 1) && how != LGUEST_SHUTDOWN_RESTART) {
		guest_fault_raise(h->fault,
				  "SHUTDOWN message at %#x is outside guest RAM",
				  msg_gpa);
		return;
	}
	if (gmem_range_ok(h->mem, msg_gpa, 1)) {
		avail = h->mem->size - msg_gpa;
		if (avail > sizeof(msg) - 1)
			avail = sizeof(msg) - 1;
		gmem_read(h->mem, msg_gpa, msg, avail);
	}
	memcpy(h->shutdown_msg, msg, sizeof(msg));
	h->shutdown = how == LGUEST_SHUTDOWN_RESTART ? LG_RESTART : LG_POWEROFF;
}

static void do_hcall(struct lguest_host *h, const struct lguest_hcall_args *a,
		     bool async)
{
	if (a->arg0 < 32) {
		h->hcall_count[a->arg0]++;
		h->hcall_async_count[a->arg0] += async;
	}
	TRACE("hcall", "nr=%u name=%s a1=0x%x a2=0x%x a3=0x%x a4=0x%x src=%s", a->arg0,
	      trace_hcall_name(a->arg0), a->arg1, a->arg2, a->arg3, a->arg4,
	      async ? "async" : "sync");

	switch (a->arg0) {
	case LHCALL_FLUSH_ASYNC:
		/* The ring has just been run: nothing more to do. */
		break;
	case LHCALL_SEND_INTERRUPTS:
		/* The run loop delivers pending interrupts after every exit. */
		break;
	case LHCALL_LGUEST_INIT:
		guest_fault_raise(h->fault,
				  "LGUEST_INIT hypercall when lguest_data is already set");
		break;
	case LHCALL_SHUTDOWN:
		shutdown_hcall(h, a->arg1, a->arg2);
		break;
	case LHCALL_FLUSH_TLB:
		mmu_flush_tlb(h->mmu, a->arg1 != 0);
		break;
	case LHCALL_NEW_PGTABLE:
		if (!h->paging_chosen) {
			h->paging_chosen = true;
			if (h->ops.choose_paging)
				h->ops.choose_paging(h->ops.opaque, a->arg1);
		}
		mmu_new_pgtable(h->mmu, a->arg1);
		break;
	case LHCALL_SET_STACK:
		lguest_set_stack(h, a->arg1, a->arg2, a->arg3);
		break;
	case LHCALL_SET_PTE:
		/* PAE guests pass the high half of the entry in arg4. */
		mmu_set_pte(h->mmu, a->arg1, a->arg2,
			    (uint64_t)a->arg3 | ((uint64_t)a->arg4 << 32));
		break;
	case LHCALL_SET_PGD:
		mmu_set_pgd(h->mmu, a->arg1, a->arg2);
		break;
	case LHCALL_SET_PMD:
		mmu_set_pmd(h->mmu, a->arg1, a->arg2);
		break;
	case LHCALL_SET_CLOCKEVENT:
		h->ops.set_clockevent(h->ops.opaque, a->arg1);
		break;
	case LHCALL_HALT:
		h->halted = true;
		break;
	case LHCALL_LOAD_IDT_ENTRY:
		lguest_load_idt_entry(h, a->arg1, a->arg2, a->arg3);
		break;
	case LHCALL_LOAD_GDT_ENTRY:
		lguest_load_gdt_entry(h, a->arg1, a->arg2, a->arg3);
		break;
	case LHCALL_LOAD_TLS:
		lguest_load_tls(h, a->arg1);
		break;
	default:
		guest_fault_raise(h->fault, "unknown hypercall %u", a->arg0);
		break;
	}
}

/* The async ring: run every pending entry from where we stopped last time,
 * in order, marking each done (0xFF) as lguest did. */
static void do_async_hcalls(struct lguest_host *h)
{
	uint32_t base = h->lguest_data;
	uint8_t st[LHCALL_RING_SIZE];

	if (!gmem_read(h->mem, base + LGUEST_DATA_OFFSET(hcall_status), st,
		       sizeof(st)))
		return;
	for (unsigned i = 0; i < LHCALL_RING_SIZE; i++) {
		unsigned n = h->next_hcall;
		struct lguest_hcall_args a;
		uint8_t done = 0xFF;

		if (st[n] == 0xFF)
			break;
		h->next_hcall = (n + 1) % LHCALL_RING_SIZE;
		gmem_read(h->mem,
			  base + LGUEST_DATA_OFFSET(hcalls) + n * sizeof(a), &a,
			  sizeof(a));
		h->async_hcalls++;
		do_hcall(h, &a, true);
		gmem_write(h->mem, base + LGUEST_DATA_OFFSET(hcall_status) + n,
			   &done, 1);
		if (h->fault->raised || h->shutdown != LG_RUNNING)
			break;
	}
}

/* The first hypercall must be LHCALL_LGUEST_INIT with the guest-physical
 * address of lguest_data: from then on both sides share that page. */
static void initialize(struct lguest_host *h, const struct guest_regs *r)
{
	uint32_t addr = r->ebx, syscall_vec;

	if (r->eax != LHCALL_LGUEST_INIT) {
		guest_fault_raise(h->fault, "hypercall %u before LGUEST_INIT",
				  r->eax);
		return;
	}
	h->hcall_count[LHCALL_LGUEST_INIT]++;
	TRACE("hcall", "nr=1 name=LGUEST_INIT a1=0x%x a2=0x%x a3=0x%x a4=0x%x src=sync",
	      addr, r->ecx, r->edx, r->esi);
	if (!gmem_range_ok(h->mem, addr, sizeof(struct lguest_data))) {
		guest_fault_raise(h->fault,
				  "LGUEST_INIT: lguest_data at %#x is outside guest RAM",
				  addr);
		return;
	}
	h->lguest_data = addr;
	h->initialized = true;
	h->gates_gen++;
	lguest_data_read(h, LGUEST_DATA_OFFSET(noirq_iret), &h->noirq_iret);
	lguest_data_read(h, LGUEST_DATA_OFFSET(kernel_address),
			 &h->kernel_address);
	lguest_data_read(h, LGUEST_DATA_OFFSET(syscall_vec), &syscall_vec);
	if (syscall_vec != IA32_SYSCALL_VECTOR) {
		guest_fault_raise(h->fault, "bad syscall vector %#x", syscall_vec);
		return;
	}
	/* Nothing of the guest's 4 GiB is ours (the VMM lives above it), so
	 * this is 0 unless asked for: lguest's Host gave 4 GiB less its
	 * Switcher's address, which moves the guest's fixmap down. */
	lguest_data_write(h, LGUEST_DATA_OFFSET(reserve_mem), &h->reserve_mem);
	lguest_data_write(h, LGUEST_DATA_OFFSET(tsc_khz), &h->tsc_khz);
	lguest_write_timestamp(h);
	mmu_set_kernel_address(h->mmu, h->kernel_address);
}

void lguest_hypercall(struct lguest_host *h, struct guest_regs *r)
{
	struct lguest_hcall_args a = { r->eax, r->ebx, r->ecx, r->edx, r->esi };

	if (!h->initialized) {
		initialize(h, r);
		return;
	}
	do_async_hcalls(h);
	if (h->fault->raised || h->shutdown != LG_RUNNING)
		return;
	do_hcall(h, &a, false);
}
