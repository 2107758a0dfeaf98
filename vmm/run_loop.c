/*
 * The run loop: KVM_RUN, find out why the vCPU stopped, let the lguest Host
 * deal with it, deliver what interrupts the guest allows, go again.
 *
 * Routes into the Host:
 *   trampoline exit   every trap (and, on hardware KVM, `int $0x1f` and
 *                     `int $0x80`) arrives through the VMM's IDT and stub;
 *   internal error    kvm_pvm cannot run `int n` / x87 at CPL 1;
 *   I/O, MMIO         PCI configuration and BAR accesses;
 *   EINTR             a timer or device kicked us.
 */
#include <errno.h>
#include <signal.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio_console.h"
#include "mmu/shadow_mmu.h"
#include "vmm/coalesced_io.h"
#include "vmm/engine_fallback.h"
#include "vmm/event_loop.h"
#include "vmm/port_io.h"
#include "vmm/seccomp_jail.h"
#include "vmm/trace.h"
#include "vmm/trap_reflect.h"
#include "vmm/vcpu_context.h"
#include "vmm/vm.h"

/* How long to wait before retrying an interrupt we could not deliver yet
 * (the guest sat at its iret, or the vCPU was inside the trampoline). */
#define RETRY_NS 200000u
/* ... and one the guest holds back with irq_enabled (see deliver_interrupts). */
#define HELD_BACK_RETRY_NS 2000000u

static void unhandled_trap(struct vm *vm, const struct guest_regs *r,
			   unsigned vector, uint32_t err, uint32_t cr2)
{
	if (vector == 14)
		guest_fault_raise(&vm->fault,
				  "unhandled page fault at eip %#x (address %#x, error %#x)",
				  r->eip, cr2, err);
	else
		guest_fault_raise(&vm->fault,
				  "unhandled trap %u at eip %#x (error %#x)", vector,
				  r->eip, err);
}

static void deliver_or_kill(struct vm *vm, struct guest_regs *r,
			    unsigned vector, uint32_t err, uint32_t cr2)
{
	vm_count_exit(vm, EXIT_TRAP);
	if (!lguest_deliver_trap(&vm->lg, r, vector, err))
		unhandled_trap(vm, r, vector, err, cr2);
}

/* A page fault's error code as the lguest Host saw it, for the trace.  The
 * CPU sets the I/D bit on instruction fetches only with NX on (EFER.NXE),
 * which the VMM's long mode always has; a 2-level guest's lguest Host ran
 * without it.  The raw code stays in the "mmu" line. */
static uint32_t traced_pf_err(const struct vm *vm, uint32_t err)
{
	return mmu_is_pae(vm->mmu) ? err : err & ~PF_INSTR;
}

static void page_fault(struct vm *vm, struct vcpu_context *c, uint32_t err)
{
	uint32_t cr2 = (uint32_t)vm->run->s.regs.sregs.cr2, gerr = 0;
	enum mmu_fault res = mmu_demand_page(vm->mmu, cr2, err, &gerr);

	TRACE("pf", "vaddr=%#x err=%#x eip=%#x result=%s", cr2, traced_pf_err(vm, err),
	      c->r.eip, res == MMU_FIXED ? "fixed" : res == MMU_KILLED ? "killed" : "guest");
	switch (res) {
	case MMU_FIXED:
		vm_count_exit(vm, EXIT_PF_FIXED);
		return;
	case MMU_KILLED:
		return;
	case MMU_GUEST_FAULT:
		break;
	}
	vm_count_exit(vm, EXIT_PF_GUEST);
	if (vm->lg.initialized)
		gmem_write32(&vm->mem,
			     (uint64_t)vm->lg.lguest_data + LGUEST_DATA_OFFSET(cr2),
			     cr2);
	if (!lguest_deliver_trap(&vm->lg, &c->r, 14, gerr))
		unhandled_trap(vm, &c->r, 14, gerr, cr2);
}

/* What the lguest Host would have seen enter it: a trap (its `trap`
 * kprobe).  Kicks are lgkvm's own, as host interrupts were lguest's. */
static void trace_trap(struct vm *vm, const struct vcpu_context *c,
		       unsigned vector, uint32_t err)
{
	if (!trace_file)
		return;
	if (vector == TRAMPOLINE_KICK_VECTOR || vector == HOST_KICK_VECTOR)
		trace_event("host_irq", "nr=%u eip=%#x", vector, c->r.eip);
	else if (vector == 14)
		trace_event("trap", "nr=14 err=%#x eip=%#x eax=%#x cr2=%#x cs=%#x",
			    traced_pf_err(vm, err), c->r.eip, c->r.eax,
			    (uint32_t)vm->run->s.regs.sregs.cr2, c->r.cs);
	else
		trace_event("trap", "nr=%u err=%#x eip=%#x eax=%#x cs=%#x", vector,
			    err, c->r.eip, c->r.eax, c->r.cs);
}

/* The trampoline exited with its frame elsewhere than at the top of its
 * stack: a trap inside the trampoline itself, whose frame is the one the
 * stack pointer shows.  Say which, for the bug report. */
static void bad_trampoline_exit(struct vm *vm)
{
	uint64_t rsp = vm->run->s.regs.regs.rsp, off = rsp - HOST_AREA_VA;

	if (off <= HOST_STACK_TOP_OFF - sizeof(struct trampoline_frame)) {
		const struct trampoline_frame *f =
			(const struct trampoline_frame *)(vm->ha.mem + off);
		guest_fault_raise(&vm->fault,
				  "internal error: trap %llu (error %#llx) at %#llx cs %#llx "
				  "inside the VMM trampoline (stack %#llx)",
				  (unsigned long long)f->vector, (unsigned long long)f->errcode,
				  (unsigned long long)f->rip, (unsigned long long)f->cs,
				  (unsigned long long)rsp);
		return;
	}
	guest_fault_raise(&vm->fault, "internal error: bad trampoline exit at %#llx (stack %#llx)",
			  (unsigned long long)vm->run->s.regs.regs.rip, (unsigned long long)rsp);
}

/* A trap that came through the VMM's IDT and stub. */
static void trampoline_trap(struct vm *vm, struct vcpu_context *c)
{
	unsigned vector = (unsigned)c->frame->vector;
	uint32_t err = (uint32_t)c->frame->errcode;

	if ((c->r.cs & 3) == 0) {
		guest_fault_raise(&vm->fault,
				  "internal error: trap %u inside the VMM trampoline at %#llx",
				  vector, (unsigned long long)c->frame->rip);
		return;
	}
	/* A #UD may be the engine's (an instruction it cannot run): traced
	 * below once it is known to be the guest's. */
	if (vector != 6)
		trace_trap(vm, c, vector, err);
	switch (vector) {
	case TRAMPOLINE_KICK_VECTOR:
	case HOST_KICK_VECTOR:
		/* We asked for this exit: deliver what waited for it. */
		vm_count_exit(vm, EXIT_KICK);
		if (vm->pending_user_gp) {
			vm->pending_user_gp = false;
			deliver_or_kill(vm, &c->r, 13, 0, 0);
		}
		return;
	case 14:
		page_fault(vm, c, err);
		return;
	case LGUEST_TRAP_ENTRY:
		/* `int $0x1f` through the gate: eip is already past it. */
		vm_count_exit(vm, EXIT_HCALL);
		lguest_hypercall(&vm->lg, &c->r);
		return;
	case 2:
	case 8:
	case 18:
		guest_fault_raise(&vm->fault, "fatal trap %u at eip %#x", vector,
				  c->r.eip);
		return;
	case 13:
		if ((err & 3) == 2) {
			/* `int n` against a gate the VMM keeps at DPL 0: the
			 * guest's own IDT decides, as lguest did. */
			unsigned n, len;
			software_interrupt_at(vm, &c->r, err, &n, &len);
			c->r.eip += len;
			vm_count_exit(vm, EXIT_TRAP);
			if (!lguest_software_interrupt(&vm->lg, &c->r, n, len) &&
			    !vm->fault.raised)
				unhandled_trap(vm, &c->r, n, 0, 0);
			return;
		}
		/* fall through */
	case 6:
		if (err == 0) {
			switch (engine_fallback(vm, c, (int)vector)) {
			case FALLBACK_DONE:
			case FALLBACK_KILLED:
				return;
			case FALLBACK_NOT_OURS:
				break;
			}
		}
		if (vector == 6)
			trace_trap(vm, c, vector, err);
		deliver_or_kill(vm, &c->r, vector, err, 0);
		return;
	default:
		break;
	}
	if (vector >= 32 || vector == 3 || vector == 4) {
		/* `int n` through a DPL-3 gate: eip is past the instruction. */
		vm_count_exit(vm, EXIT_TRAP);
		unsigned len = software_interrupt_len(vm, &c->r, vector);
		if (!lguest_software_interrupt(&vm->lg, &c->r, vector, len) &&
		    !vm->fault.raised)
			unhandled_trap(vm, &c->r, vector, 0, 0);
		return;
	}
	deliver_or_kill(vm, &c->r, vector, err, 0);
}

static void port_io(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	vm_count_exit(vm, EXIT_IO);
	if (run->io.direction == KVM_EXIT_IO_OUT && coalesced_io_port(vm, run->io.port))
		vm->coalesced_full++; /* KVM's ring was full */
	for (unsigned i = 0; i < run->io.count; i++, data += run->io.size)
		port_io_access(vm, run->io.port,
			       run->io.direction == KVM_EXIT_IO_OUT, data,
			       run->io.size);
}

static void mmio(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	vm_count_exit(vm, EXIT_MMIO);
	/* Ring 0 is the trampoline, whose only guest-space accesses are the
	 * frames it reflects onto the SET_STACK stack: never a device's. */
	if ((run->s.regs.sregs.cs.selector & 3) == 0) {
		guest_fault_raise(&vm->fault,
				  "cannot push a trap frame at %#llx: the kernel stack is device memory",
				  (unsigned long long)run->mmio.phys_addr);
		return;
	}
	TRACE("mmio", "%s addr=%#llx len=%u", run->mmio.is_write ? "write" : "read",
	      (unsigned long long)run->mmio.phys_addr, run->mmio.len);
	if (run->mmio.len > sizeof(run->mmio.data))
		return;
	if (!pci_bus_mmio(vm->pci, run->mmio.phys_addr, run->mmio.is_write,
			  run->mmio.data, run->mmio.len) &&
	    !run->mmio.is_write)
		memset(run->mmio.data, 0xff, run->mmio.len);
}

/* Bring a vCPU that runs guest user code into the trampoline, with an
 * interrupt KVM injects: changing its privilege level behind its back
 * (KVM_SET_SREGS) confuses an engine that keeps user and kernel apart
 * (kvm_pvm), and an exception it has in flight would land on the new eip. */
static bool inject_kick(struct vm *vm)
{
	struct kvm_interrupt irq = { .irq = HOST_KICK_VECTOR };

	if (ioctl(vm->vcpu_fd, KVM_INTERRUPT, &irq) == 0)
		return true;
	event_timer_arm(vm->retry, RETRY_NS); /* not injectable now: retry */
	return false;
}

/* KVM_RUN.  Segment registers written back go in with TR as the engine
 * needs it: KVM may report it otherwise (kvm_engine.h). */
static int run_vcpu(struct vm *vm)
{
	int rc, saved;

	if (vm->run->kvm_dirty_regs & KVM_SYNC_X86_SREGS)
		kvm_engine_fix_tr(&vm->engine, &vm->run->s.regs.sregs);
	/* A kick not yet dispatched must stop the vCPU before it runs on: its
	 * immediate_exit may have been cleared by a KVM_RUN that only
	 * completed an I/O (complete_pending_io), and the watcher waits for
	 * the dispatch.  The guest would otherwise run on, missing timers and
	 * device completions, until it happens to exit. */
	if (event_loop_kicked(vm->ev))
		vm->run->immediate_exit = 1;
	rc = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	saved = errno;
	/* Queued port writes first: whatever stopped the vCPU came after. */
	coalesced_io_drain(vm);
	errno = saved;
	return rc;
}

/* Let KVM finish an I/O or MMIO instruction without running on, so the
 * registers we are about to change are final. */
static bool complete_pending_io(struct vm *vm)
{
	vm->run->immediate_exit = 1;
	if (run_vcpu(vm) == 0 || errno != EINTR) {
		vm->run->immediate_exit = 0;
		return false;
	}
	vm->run->immediate_exit = 0;
	return true;
}

/* Hands the trampoline the CR3 switch and shadow rewrites the MMU left.
 * Entries that only gained rights need nothing (a stale "absent" or
 * "read-only" just faults again and is looked up afresh); when some entry
 * lost rights, the vCPU rewrites the changed entries itself (so an engine
 * that shadows our tables sees it) and reloads CR3 (so a TLB forgets it). */
static void queue_trampoline_work(struct vm *vm)
{
	uint64_t cr3 = mmu_cr3(vm->mmu);
	struct trampoline_ctl *ctl = vm->ha.ctl;
	uint64_t lost_rights = 0;
	uint64_t batch[TRAMPOLINE_TOUCH_MAX];
	size_t n;

	trap_reflect_update(vm);
	if (cr3 != vm->loaded_cr3) {
		ctl->new_cr3 = cr3;
		vm->loaded_cr3 = cr3;
	}
	n = mmu_take_touched(vm->mmu, batch, TRAMPOLINE_TOUCH_MAX - ctl->ntouch,
			     POOL_VA - POOL_GPA, &lost_rights);
	if (!lost_rights && !ctl->ntouch)
		return;
	memcpy(ctl->touch + ctl->ntouch, batch, n * sizeof(batch[0]));
	ctl->ntouch += n;
	ctl->flush = 1;
	/* More than one batch: the trampoline comes back for the rest. */
	if (mmu_touched_pending(vm->mmu))
		ctl->exit_again = 1;
}

static void update_console_watch(struct vm *vm)
{
	bool want;

	if (vm->console_input_off)
		return;
	want = virtio_console_wants_input(vm->console);
	if (want != vm->console_watching) {
		event_loop_watch(vm->ev, 0, want);
		vm->console_watching = want;
	}
}

/* Interrupts the guest can take now; arms a retry when it cannot yet. */
static void deliver_interrupts(struct vm *vm, struct vcpu_context *c)
{
	unsigned irq = lguest_irq_pending(&vm->lg);

	if (irq >= LGUEST_IRQS)
		return;
	/* Not now because the guest sits at its iret, or delivered with more
	 * waiting: the guest may run a long time without an exit, so come
	 * back soon.  Held back by the guest's own irq_enabled, it usually
	 * asks with SEND_INTERRUPTS when it enables them again; but an iret
	 * re-enables without asking (Linux's lguest_iret), and where iret
	 * runs natively (hardware KVM) a guest may then run on without any
	 * exit: look again later, as lguest's Host did at its next host
	 * interrupt. */
	bool delivered = lguest_try_deliver_irq(&vm->lg, &c->r, irq);
	if ((!delivered && c->r.eip == vm->lg.noirq_iret) ||
	    (delivered && lguest_irq_pending(&vm->lg) < LGUEST_IRQS))
		event_timer_arm(vm->retry, RETRY_NS);
	else if (!delivered)
		event_timer_arm(vm->retry, HELD_BACK_RETRY_NS);
}

static void halt(struct vm *vm)
{
	uint64_t from = trace_now_ns();

	while (vm->lg.halted && lguest_irq_pending(&vm->lg) >= LGUEST_IRQS &&
	       !vm->fault.raised) {
		update_console_watch(vm);
		event_loop_dispatch(vm->ev, -1);
	}
	vm->exit_idle_ns += trace_now_ns() - from;
}

/* The exit being handled is done (the vCPU runs again at `now`): its
 * trace line, stamped with the time of the exit, and its share of the
 * --stats table. */
static void close_exit(struct vm *vm, uint64_t now)
{
	struct trace_ev e = {
		.kind = TK_EXIT,
		.t_ns = vm->exit_ns,
		.guest_ns = vm->exit_guest_ns,
		.host_ns = now - vm->exit_ns,
		.idle_ns = vm->exit_idle_ns,
		.nr = vm->exit_cause < EXIT_CAUSES ? vm->exit_cause : EXIT_OTHER,
	};

	if (!vm->exit_open)
		return;
	vm->exit_open = false;
	trace_stats_add(&vm->stats, &e);
	if (trace_file)
		trace_event_at(e.t_ns, "exit", "cause=%s guest_ns=%llu host_ns=%llu idle_ns=%llu",
			       trace_exit_cause_name(e.nr),
			       (unsigned long long)e.guest_ns,
			       (unsigned long long)e.host_ns,
			       (unsigned long long)e.idle_ns);
}

static volatile sig_atomic_t stats_requested;

void vm_request_stats(void)
{
	stats_requested = 1;
}

/* lgkvm's resident memory, and how much of it is guest RAM the guest has
 * touched (mincore), in KiB; 0 when it cannot tell. */
static void resident_kib(const struct vm *vm, uint64_t *total, uint64_t *guest)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long size, resident;
	size_t pages = vm->mem.size / (uint64_t)page;
	unsigned char *vec = malloc(pages);
	char buf[128];
	ssize_t n = vm->statm_fd >= 0 ? pread(vm->statm_fd, buf, sizeof(buf) - 1, 0) : -1;

	*total = *guest = 0;
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%lu %lu", &size, &resident) == 2)
			*total = (uint64_t)resident * (uint64_t)page / 1024;
	}
	if (vec && mincore(vm->mem.ram, vm->mem.size, vec) == 0)
		for (size_t i = 0; i < pages; i++)
			*guest += (vec[i] & 1) ? (uint64_t)page / 1024 : 0;
	free(vec);
}

static void print_stats(struct vm *vm)
{
	/* The terminal may be raw while the guest runs. */
	const char *nl = isatty(STDERR_FILENO) ? "\r\n" : "\n";
	struct trace_stats st = vm->stats;

	/* The exits are counted as they close; the hypercalls by the Host. */
	for (unsigned i = 0; i < 32; i++) {
		st.hcalls[i] = vm->lg.hcall_count[i];
		st.hcalls_async[i] = vm->lg.hcall_async_count[i];
	}
	st.wall_ns = trace_now_ns() - vm->started_ns;
	fprintf(stderr, "lgkvm: exit statistics%s", nl);
	trace_stats_print(stderr, &st, nl);
	fprintf(stderr, "lgkvm:   coalesced writes   %llu (ring full: %llu exits)%s",
		(unsigned long long)vm->coalesced_writes,
		(unsigned long long)vm->coalesced_full, nl);
	fprintf(stderr, "lgkvm:   reflected in VM    %llu%s",
		(unsigned long long)trap_reflect_count(vm), nl);
	fprintf(stderr, "lgkvm:   early-console chars %llu%s",
		(unsigned long long)virtio_console_emerg_chars(vm->console), nl);
	uint64_t rss, guest;
	resident_kib(vm, &rss, &guest);
	fprintf(stderr, "lgkvm: resident %llu KiB, guest RAM %llu KiB of it, lgkvm's own %llu KiB%s",
		(unsigned long long)rss, (unsigned long long)guest,
		(unsigned long long)(rss > guest ? rss - guest : 0), nl);
}

/* --mmu-check: the shadow tables, the reverse map and the guest's tables
 * agree (at pgdir switches the guest has announced all its changes). */
static void check_mmu(struct vm *vm, bool force)
{
	struct mmu_stats st;
	char why[256];

	if (!vm->cfg.mmu_check || vm->fault.raised)
		return;
	mmu_get_stats(vm->mmu, &st);
	if (!force && st.root_switches == vm->mmu_checked_at)
		return;
	vm->mmu_checked_at = st.root_switches;
	vm->mmu_checks++;
	if (!mmu_check(vm->mmu, true, why, sizeof(why)))
		guest_fault_raise(&vm->fault, "shadow MMU check %llu failed: %s",
				  (unsigned long long)vm->mmu_checks, why);
}

static enum vm_result finish(struct vm *vm, enum vm_result res)
{
	close_exit(vm, trace_now_ns());
	if (res == VM_POWEROFF && vm->cfg.mmu_check) {
		check_mmu(vm, true);
		if (vm->fault.raised) {
			fprintf(stderr, "lgkvm: %s\n", vm->fault.reason);
			res = VM_CRASHED;
		} else {
			fprintf(stderr, "lgkvm: shadow MMU checked %llu times: consistent\n",
				(unsigned long long)vm->mmu_checks);
		}
	}
	if (vm->cfg.stats)
		print_stats(vm);
	return res;
}

enum vm_result vm_run(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	if (!vm->cfg.no_seccomp)
		event_loop_set_thread_jail(vm->ev, seccomp_jail_watcher_thread);
	if (!event_loop_start(vm->ev, run)) {
		fprintf(stderr, "lgkvm: cannot start the event thread\n");
		return VM_CRASHED;
	}
	if (!vm->cfg.no_seccomp) {
		char err[256];
		if (!seccomp_jail_vcpu_thread(vm->vcpu_fd, err, sizeof(err))) {
			fprintf(stderr, "lgkvm: %s\n", err);
			return VM_CRASHED;
		}
	}
	vm->started_ns = trace_now_ns();
	for (;;) {
		struct vcpu_context c;
		bool io_pending = false, have_ctx = false;
		int rc;

		update_console_watch(vm);
		uint64_t entered = trace_now_ns();
		close_exit(vm, entered);
		rc = run_vcpu(vm);
		vm->exit_ns = trace_now_ns();
		vm->exit_guest_ns = vm->exit_ns - entered;
		vm->exit_idle_ns = 0;
		vm->exit_cause = EXIT_CAUSES;
		vm->exit_open = true;
		vm->iret_emulated = false;
		run->immediate_exit = 0;
		run->kvm_dirty_regs = 0;
		if (rc < 0 && errno != EINTR && errno != EAGAIN) {
			fprintf(stderr, "lgkvm: KVM_RUN: %s\n", strerror(errno));
			return finish(vm, VM_CRASHED);
		}

		if (rc < 0 || event_loop_kicked(vm->ev)) {
			if (rc < 0)
				vm_count_exit(vm, EXIT_KICK);
			event_loop_dispatch(vm->ev, 0);
		}
		if (stats_requested) {
			stats_requested = 0;
			fprintf(stderr, "lgkvm: stats so far (SIGUSR2)%s",
				isatty(STDERR_FILENO) ? "\r\n" : "\n");
			print_stats(vm);
		}
		if (rc == 0) {
			switch (run->exit_reason) {
			case KVM_EXIT_IO:
				if (run->io.port == TRAMPOLINE_PORT &&
				    (run->s.regs.sregs.cs.selector & 3) == 0) {
					if (!vcpu_context_load(vm, &c, true)) {
						bad_trampoline_exit(vm);
						break;
					}
					have_ctx = true;
					trampoline_trap(vm, &c);
					break;
				}
				if ((run->s.regs.sregs.cs.selector & 3) == 3) {
					/* The engine let user mode reach a port
					 * (hardware raises #GP(0)): say no. */
					struct kvm_regs before = run->s.regs.regs;
					if (run->io.direction == KVM_EXIT_IO_IN)
						memset((uint8_t *)run + run->io.data_offset,
						       0xff, run->io.size * run->io.count);
					if (!complete_pending_io(vm) ||
					    !vcpu_context_load(vm, &c, false))
						break;
					have_ctx = true;
					/* Undo the instruction: it faults, with
					 * the #GP delivered once the vCPU is in
					 * the trampoline (inject_kick). */
					c.r.eip = (uint32_t)before.rip;
					c.r.eax = (uint32_t)before.rax;
					c.r.ecx = (uint32_t)before.rcx;
					c.r.esi = (uint32_t)before.rsi;
					c.r.edi = (uint32_t)before.rdi;
					vm->pending_user_gp = true;
					break;
				}
				port_io(vm);
				io_pending = true;
				break;
			case KVM_EXIT_MMIO:
				mmio(vm);
				io_pending = true;
				break;
			case KVM_EXIT_INTERNAL_ERROR:
				if (!vcpu_context_load(vm, &c, false) || (c.r.cs & 3) == 0) {
					guest_fault_raise(&vm->fault,
							  "KVM internal error %u in the VMM at %#llx",
							  run->internal.suberror,
							  (unsigned long long)run->s.regs.regs.rip);
					break;
				}
				have_ctx = true;
				if (engine_fallback(vm, &c, -1) == FALLBACK_NOT_OURS)
					deliver_or_kill(vm, &c.r, 6, 0, 0);
				break;
			case KVM_EXIT_SHUTDOWN:
				guest_fault_raise(&vm->fault,
						  "the vCPU shut down (triple fault) at %#llx",
						  (unsigned long long)run->s.regs.regs.rip);
				break;
			case KVM_EXIT_HLT:
				break;
			case KVM_EXIT_FAIL_ENTRY:
				guest_fault_raise(&vm->fault,
						  "KVM could not enter the guest (reason %#llx)",
						  (unsigned long long)run->fail_entry
							  .hardware_entry_failure_reason);
				break;
			default:
				vm_count_exit(vm, EXIT_OTHER);
				guest_fault_raise(&vm->fault, "unexpected KVM exit %u",
						  run->exit_reason);
				break;
			}
		}

		check_mmu(vm, false);
		if (vm->fault.raised) {
			fprintf(stderr, "lgkvm: guest killed: %s\n", vm->fault.reason);
			return finish(vm, VM_CRASHED);
		}
		if (vm->lg.shutdown == LG_POWEROFF) {
			if (strcmp(vm->lg.shutdown_msg, "Power down") == 0)
				return finish(vm, VM_POWEROFF);
			fprintf(stderr, "lgkvm: guest crashed: %s\n",
				vm->lg.shutdown_msg);
			return finish(vm, VM_CRASHED);
		}
		if (vm->lg.shutdown == LG_RESTART) {
			if (vm->cfg.verbose)
				fprintf(stderr, "lgkvm: guest restarts: %s\n",
					vm->lg.shutdown_msg);
			int b = vm_boot(vm);
			if (b)
				return finish(vm, (enum vm_result)b);
			continue;
		}

		if (vm->lg.halted)
			halt(vm);
		queue_trampoline_work(vm);

		/* Deliver interrupts, and get pending trampoline work done. */
		if (!have_ctx && (lguest_irq_pending(&vm->lg) < LGUEST_IRQS ||
				  vcpu_trampoline_has_work(vm))) {
			if (io_pending && !complete_pending_io(vm))
				continue;
			have_ctx = vcpu_context_load(vm, &c, false);
			if (!have_ctx) {
				/* Mid-trampoline, or an exception on its way in:
				 * have the trampoline exit again, and come back
				 * soon in case the guest does not trap. */
				vm->ha.ctl->exit_again = 1;
				event_timer_arm(vm->retry, RETRY_NS);
				continue;
			}
		}
		if (!have_ctx)
			continue;
		/* kvm_pvm: the guest's iret came to us (engine_fallback).  Where
		 * it runs natively (hardware KVM, lguest) the guest runs on from
		 * it until its next exit before an interrupt that arrived in the
		 * handler is looked at; delivering here instead would land the
		 * next interrupt on the very eip the iret returned to, and an
		 * interrupt storm would starve the interrupted code for good. */
		bool irqs_now = !vm->iret_emulated;
		if (!irqs_now && lguest_irq_pending(&vm->lg) < LGUEST_IRQS)
			event_timer_arm(vm->retry, RETRY_NS);
		if (!c.in_trampoline && (c.r.cs & 3) == 3 &&
		    (vm->pending_user_gp || vcpu_trampoline_has_work(vm) ||
		     (irqs_now && lguest_irq_pending(&vm->lg) < LGUEST_IRQS))) {
			/* From user mode everything goes through the trampoline
			 * (a kick taken inside it exits again: trampoline.S). */
			vcpu_context_store(vm, &c);
			inject_kick(vm);
			continue;
		}
		if ((c.r.cs & 3) != 0 && irqs_now)
			deliver_interrupts(vm, &c);
		/* The trampoline's iretq reloads CS and SS from the GDT the
		 * guest keeps through hypercalls: one it made unusable must end
		 * the guest here, with a message, not fault in ring 0. */
		if (c.in_trampoline && !vm->fault.raised &&
		    (!lguest_selector_ok(&vm->lg, c.r.cs, true, c.r.cs & 3) ||
		     !lguest_selector_ok(&vm->lg, c.r.ss, false, c.r.cs & 3)))
			guest_fault_raise(&vm->fault,
					  "cs %#x or ss %#x to return to is no longer a usable segment "
					  "(the guest changed its GDT entry)", c.r.cs, c.r.ss);
		if (vm->fault.raised) {
			fprintf(stderr, "lgkvm: guest killed: %s\n", vm->fault.reason);
			return finish(vm, VM_CRASHED);
		}
		queue_trampoline_work(vm);
		vcpu_context_store(vm, &c);
	}
}
