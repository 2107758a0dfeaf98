/*
 * One lguest guest on one KVM vCPU: everything the run loop needs.
 */
#ifndef LGKVM_VM_H
#define LGKVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/i8254_pit.h"
#include "hypercalls/lguest_host.h"
#include "vmm/cpu_flags.h"
#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"
#include "vmm/host_area.h"
#include "vmm/kvm_engine.h"
#include "vmm/trace/trace_tools.h"

struct kvm_run;
struct shadow_mmu;
struct pci_bus;
struct virtio_console;
struct event_loop;
struct event_timer;
struct cpuid_table;
struct kvm_coalesced_mmio_ring;

#define VM_MAX_BLOCKS 8

struct block_config {
	const char *path;
	bool readonly;
};

struct vm_config {
	uint64_t mem_mib;
	const char *kernel;       /* path; NULL for the embedded demo guest */
	const char *initrd;
	char cmdline[2048];
	const char *trace;
	bool verbose;
	bool stats;               /* print exit statistics at the end */
	bool probe;               /* `lgkvm probe`: name the engine, boot nothing */
	bool mmu_check;           /* check the shadow MMU at every pgdir switch */
	bool no_seccomp;          /* run without the seccomp filter */
	int pae;                  /* -1 detect, 0 2-level tables, 1 PAE */
	struct block_config blocks[VM_MAX_BLOCKS];
	unsigned nblocks;
	const char *net_tap;      /* tap device name (NULL: no network) */
	bool net_mac_set;
	uint8_t net_mac[6];
	/* The lguest Launcher's --tunnet: host side of the tap, "IP" or
	 * "bridge:BR"; the tap is then created with a name of lgkvm's choice. */
	const char *tunnet_host;
	bool rng;
	/* lguest_data.reserve_mem: the top of the guest's address space it must
	 * leave alone (lguest's Host kept its Switcher there; lgkvm needs none). */
	uint32_t reserve_top;
	bool sticky_irq_pending;  /* lguest 4.10's irq_pending, never cleared */
	struct cpu_flags cpu_flags;   /* --cpu-flags: the CPUID features kept */
	const char *cpu_flags_ignored; /* its names that are no CPUID bit */
	bool boot_as_launcher;    /* the Launcher's layout: the guest decompresses */
	const char *username;     /* drop to this user once set up */
	const char *chroot_dir;   /* and chroot here */
	/* Pieces cut out of option values live here (argv stays untouched). */
	char arena[4096];
	size_t arena_used;
};

/* Why the vCPU came back to us (enum trace_exit_cause): the trace's exit
 * causes, shared with the trace tools. */


struct vm {
	struct vm_config cfg;
	int kvm_fd, vm_fd, vcpu_fd;
	int statm_fd;             /* /proc/self/statm, opened before the sandbox */
	struct kvm_run *run;
	size_t run_size;
	struct kvm_engine engine;

	struct guest_memory mem;
	void *host_mem;
	void *pool_mem;
	uint64_t pool_bytes;
	struct host_area ha;
	uint64_t host_pml4e;
	uint64_t mmio_base, mmio_size;

	struct guest_fault fault;
	struct shadow_mmu *mmu;
	struct cpuid_table *cpuid;
	struct lguest_host lg;
	struct pci_bus *pci;
	struct pit pit;
	struct virtio_console *console;
	struct event_loop *ev;
	struct event_timer *clock, *retry;
	bool console_input_off;   /* stdin cannot be polled */
	bool console_watching;    /* stdin is in the event loop's set */

	int image_pae;            /* the loader's PAE hint: -1 unknown */
	/* What the first boot loaded, replayed on a restart: the same image
	 * boots again even when its files are out of reach (--chroot). */
	struct boot_piece {
		uint64_t gpa, len;
		uint8_t *data;
	} boot_image[3];
	uint32_t boot_entry;
	bool boot_image_saved;
	uint64_t loaded_cr3;      /* CR3 the vCPU runs with */
	bool pending_user_gp;     /* user-mode port I/O: #GP at the next kick */
	bool iret_emulated;       /* this exit ran the guest's iret (kvm_pvm) */
	struct kvm_coalesced_mmio_ring *coalesced_ring; /* NULL: none */
	uint64_t coalesced_writes;  /* port writes that did not exit */
	uint64_t coalesced_full;    /* writes that exited: the ring was full */
	uint64_t reflect_gen;       /* lg.gates_gen the trampoline's table is from */
	uint64_t mmu_checked_at;    /* root switches at the last --mmu-check */
	uint64_t mmu_checks;
	uint64_t exits[EXIT_CAUSES];
	/* The exit being handled: its cause (the first one counted; EXIT_CAUSES
	 * until then), when it happened, how long the guest ran before it, and
	 * how long of the handling the guest sat halted. */
	bool exit_open;
	unsigned exit_cause;
	uint64_t exit_ns, exit_guest_ns, exit_idle_ns;
	struct trace_stats stats;
	uint64_t started_ns;      /* trace_now_ns() when the vCPU first ran */
	uint64_t hcall_exits;
};

/* Exit status of `lgkvm run`. */
enum vm_result { VM_POWEROFF = 0, VM_CRASHED = 1, VM_INPUT_ERROR = 2 };

/* Builds the VM; on failure prints one line and returns VM_INPUT_ERROR
 * (bad user input) or VM_CRASHED (host failure). */
int vm_create(struct vm *vm, const struct vm_config *cfg);
/* Loads the kernel and sets the vCPU at its entry (also on restart). */
int vm_boot(struct vm *vm);
/* Runs until power-off, crash or kill. */
enum vm_result vm_run(struct vm *vm);
/* From a signal handler: print the --stats figures so far at the next
 * return from KVM_RUN (the signal itself makes KVM_RUN return). */
void vm_request_stats(void);
void vm_destroy(struct vm *vm);

/* The guest GDT entries first..first+count-1 changed: copy them in. */
void vm_sync_gdt(struct vm *vm, unsigned first, unsigned count);

/* Counts an exit by cause; the first cause counted names the exit. */
static inline void vm_count_exit(struct vm *vm, unsigned cause)
{
	vm->exits[cause]++;
	if (vm->exit_cause == EXIT_CAUSES)
		vm->exit_cause = cause;
}

#endif
