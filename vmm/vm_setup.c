/*
 * Building the VM: memory, the VMM's host area, the shadow MMU, the lguest
 * Host, devices, and the vCPU in long mode with the guest in compatibility
 * mode at its entry point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "guest-loader/boot_loader.h"
#include "mmu/shadow_mmu.h"
#include "vmm/coalesced_io.h"
#include "vmm/cpuid.h"
#include "vmm/event_loop.h"
#include "vmm/host_net.h"
#include "vmm/kvm_engine.h"
#include "vmm/trace.h"
#include "vmm/vm.h"

#define RAM_SLOT 0
#define HOST_SLOT 1
#define POOL_SLOT 2
#define POOL_BYTES (64ull << 20)
#define MMIO_WINDOW (256ull << 20)

#ifdef LGKVM_NO_DEMO_IMAGE
static const unsigned char lgkvm_demo_image[1];
static const unsigned int lgkvm_demo_image_size = 0;
#else
extern const unsigned char lgkvm_demo_image[];
extern const unsigned int lgkvm_demo_image_size;
#endif

static void *map_anon(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static bool set_memslot(struct vm *vm, unsigned slot, uint64_t gpa,
			uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};
	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) == 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void clockevent(void *opaque, uint64_t ns)
{
	struct vm *vm = opaque;
	event_timer_arm(vm->clock, ns);
}

static void clock_fired(void *opaque)
{
	struct vm *vm = opaque;
	lguest_set_irq(&vm->lg, 0);
}

static void retry_fired(void *opaque)
{
	(void)opaque; /* the kick itself is the point */
}

/* PAE or not: what the user said, else what the kernel image says, else
 * what the guest's first page table looks like (a PAE kernel's is a
 * page-directory-pointer table). */
static void choose_paging(void *opaque, uint32_t gpgdir)
{
	struct vm *vm = opaque;
	const char *why;
	bool pae;

	if (vm->cfg.pae >= 0) {
		pae = vm->cfg.pae == 1;
		why = vm->cfg.pae ? "--pae" : "--no-pae";
	} else if (vm->image_pae >= 0) {
		pae = vm->image_pae == 1;
		why = "from the kernel image";
	} else {
		pae = mmu_guess_pae(vm->mmu, gpgdir);
		why = "from the guest's first page table";
	}
	mmu_set_guest_format(vm->mmu, pae);
	if (vm->cfg.verbose)
		fprintf(stderr, "lgkvm: guest page tables: %s (%s)\r\n",
			pae ? "PAE, 3 levels" : "2 levels, no PAE", why);
}

static void gdt_changed(void *opaque, unsigned first, unsigned count)
{
	vm_sync_gdt(opaque, first, count);
}

static void wallclock(void *opaque, int64_t *sec, int32_t *nsec)
{
	struct timespec ts;
	(void)opaque;
	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	*nsec = (int32_t)ts.tv_nsec;
}

static void raise_irq(void *opaque, unsigned irq)
{
	struct vm *vm = opaque;
	lguest_set_irq(&vm->lg, irq);
}

static bool device_add_fd(void *opaque, int fd, void (*cb)(void *), void *cb_opaque)
{
	struct vm *vm = opaque;
	return event_loop_add(vm->ev, fd, cb, cb_opaque);
}

static void device_watch_fd(void *opaque, int fd, bool on)
{
	struct vm *vm = opaque;
	event_loop_watch(vm->ev, fd, on);
}

static void console_input(void *opaque)
{
	struct vm *vm = opaque;
	virtio_console_input_ready(vm->console);
}

/* The Host keeps the guest's slots it ignores empty, so only the two the
 * VMM's own segments occupy need skipping. */
void vm_sync_gdt(struct vm *vm, unsigned first, unsigned count)
{
	for (unsigned i = first; i < first + count && i < GDT_ENTRIES; i++)
		if (i != HOST_CS_SEL / 8 && i != HOST_DS_SEL / 8)
			vm->ha.gdt[i] = vm->lg.gdt[i];
}

static int load_guest(struct vm *vm);

/* The devices the command line asked for, after the console (00:01.0).
 * A file or tap that cannot be opened is bad input. */
static int add_devices(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	char err[256];

	for (unsigned i = 0; i < cfg->nblocks; i++) {
		if (!virtio_blk_create(vm->pci, cfg->blocks[i].path,
				       cfg->blocks[i].readonly, err, sizeof(err))) {
			fprintf(stderr, "lgkvm: %s\n", err);
			return VM_INPUT_ERROR;
		}
	}
	if (cfg->net_tap || cfg->tunnet_host) {
		/* The Launcher's --tunnet names no tap: the kernel picks one. */
		const char *tap = cfg->net_tap ? cfg->net_tap : "lgkvm%d";
		struct virtio_net *net = virtio_net_create(
			vm->pci, tap, cfg->net_mac_set ? cfg->net_mac : NULL, err,
			sizeof(err));
		if (!net || (cfg->tunnet_host &&
			     !host_net_configure(virtio_net_name(net),
						 cfg->tunnet_host, err, sizeof(err)))) {
			fprintf(stderr, "lgkvm: %s\n", err);
			return VM_INPUT_ERROR;
		}
		if (cfg->verbose)
			fprintf(stderr, "lgkvm: network on tap %s\n", virtio_net_name(net));
	}
	if (cfg->rng && !virtio_rng_create(vm->pci, err, sizeof(err))) {
		fprintf(stderr, "lgkvm: %s\n", err);
		return VM_INPUT_ERROR;
	}
	return 0;
}

/* The devices, the console first (00:01.0), with their event loop. */
static int create_devices(struct vm *vm)
{
	vm->ev = event_loop_create();
	if (!vm->ev || !(vm->clock = event_timer_create(vm->ev, clock_fired, vm)) ||
	    !(vm->retry = event_timer_create(vm->ev, retry_fired, vm))) {
		fprintf(stderr, "lgkvm: cannot set up the event loop\n");
		return VM_CRASHED;
	}
	struct device_host dh = { .mem = &vm->mem, .fault = &vm->fault,
				  .raise_irq = raise_irq, .add_fd = device_add_fd,
				  .watch_fd = device_watch_fd, .opaque = vm };
	vm->pci = pci_bus_create(&dh, vm->mmio_base, vm->mmio_size);
	if (!vm->pci ||
	    !(vm->console = virtio_console_create(vm->pci, STDIN_FILENO,
						  STDOUT_FILENO))) {
		fprintf(stderr, "lgkvm: cannot create devices\n");
		return VM_CRASHED;
	}
	if (!event_loop_add(vm->ev, STDIN_FILENO, console_input, vm))
		vm->console_input_off = true; /* stdin not pollable (/dev/null) */
	return add_devices(vm);
}

/* The KVM VM and its vCPU, in long mode, with the engine's quirks. */
static int create_kvm_vcpu(struct vm *vm)
{
	struct kvm_run *run;
	int mmap_size;

	vm->kvm_fd = kvm_engine_open_dev();
	if (vm->kvm_fd < 0)
		return VM_CRASHED;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "lgkvm: KVM_CREATE_VM: %s\n", strerror(errno));
		return VM_CRASHED;
	}
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0 ||
	    (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) &
	     (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) !=
		    (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) {
		fprintf(stderr, "lgkvm: KVM lacks IMMEDIATE_EXIT or SYNC_REGS\n");
		return VM_CRASHED;
	}
	kvm_engine_detect(&vm->engine);
	{
		char what[256];
		kvm_engine_describe(&vm->engine, what, sizeof(what));
		if (vm->cfg.verbose)
			fprintf(stderr, "lgkvm: engine: %s\n", what);
		trace_header(vm->cfg.kernel, vm->cfg.initrd, vm->mem.size >> 20,
			     vm->cfg.cmdline, what);
	}
	if (!set_memslot(vm, RAM_SLOT, 0, vm->mem.size, vm->mem.ram) ||
	    !set_memslot(vm, HOST_SLOT, HOST_AREA_GPA, HOST_AREA_SIZE, vm->host_mem) ||
	    !set_memslot(vm, POOL_SLOT, POOL_GPA, vm->pool_bytes, vm->pool_mem)) {
		fprintf(stderr, "lgkvm: KVM_SET_USER_MEMORY_REGION: %s\n",
			strerror(errno));
		return VM_CRASHED;
	}
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_fd < 0 || mmap_size <= 0) {
		fprintf(stderr, "lgkvm: KVM_CREATE_VCPU: %s\n", strerror(errno));
		return VM_CRASHED;
	}
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vm->vcpu_fd, 0);
	if (run == MAP_FAILED) {
		fprintf(stderr, "lgkvm: cannot map kvm_run: %s\n", strerror(errno));
		return VM_CRASHED;
	}
	vm->run = run;
	vm->run_size = (size_t)mmap_size;
	run->kvm_valid_regs =
		KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
	if (!coalesced_io_setup(vm) && vm->cfg.verbose)
		fprintf(stderr, "lgkvm: KVM cannot coalesce port writes: every "
				"PCI configuration write exits\n");
	vm->cpuid = cpuid_setup(vm->kvm_fd, vm->vcpu_fd, vm->engine.emulates_compat,
				&vm->cfg.cpu_flags);
	if (vm->cfg.verbose && vm->cfg.cpu_flags_ignored)
		fprintf(stderr, "lgkvm: --cpu-flags: no CPUID bit, ignored: %s\n",
			vm->cfg.cpu_flags_ignored);
	if (!vm->cpuid) {
		fprintf(stderr, "lgkvm: cannot set the guest's CPUID (KVM_SET_CPUID2, MSRs): %s\n",
			strerror(errno));
		return VM_CRASHED;
	}
	return 0;
}

/* Everything the user gave is read and checked (kernel, initrd, disks,
 * tap) before /dev/kvm is opened: bad input is exit 2 with its own
 * message on any machine. */
int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	int rc;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
	vm->statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	vm->reflect_gen = UINT64_MAX; /* the trampoline's table: not built */

	/* Memory: guest RAM, the host area, the shadow-table pool. */
	vm->mem.size = cfg->mem_mib << 20;
	vm->mem.ram = map_anon(vm->mem.size);
	vm->host_mem = map_anon(HOST_AREA_SIZE);
	vm->pool_bytes = POOL_BYTES;
	vm->pool_mem = map_anon(vm->pool_bytes);
	if (!vm->mem.ram || !vm->host_mem || !vm->pool_mem) {
		fprintf(stderr, "lgkvm: cannot allocate %llu MiB of guest memory\n",
			(unsigned long long)cfg->mem_mib);
		return VM_CRASHED;
	}
	vm->host_pml4e = host_area_init(&vm->ha, vm->host_mem, vm->pool_bytes);

	/* Device BARs live in a window right after RAM, below 4 GiB. */
	vm->mmio_base = (vm->mem.size + (16ull << 20) - 1) & ~((16ull << 20) - 1);
	vm->mmio_size = MMIO_WINDOW;

	if ((rc = load_guest(vm)) || (rc = create_devices(vm)) ||
	    (rc = create_kvm_vcpu(vm)))
		return rc;

	struct mmu_config mc = {
		.mem = &vm->mem, .fault = &vm->fault,
		.mmio_base = vm->mmio_base, .mmio_size = vm->mmio_size,
		.pool = vm->pool_mem, .pool_gpa = POOL_GPA,
		.pool_pages = (uint32_t)(vm->pool_bytes >> 12),
		.host_pml4e = vm->host_pml4e, .max_roots = 16, .touch_log = true,
	};
	vm->mmu = mmu_create(&mc);
	if (!vm->mmu) {
		fprintf(stderr, "lgkvm: cannot set up the shadow MMU\n");
		return VM_CRASHED;
	}
	int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	struct lguest_host_ops ops = { .set_clockevent = clockevent,
				       .gdt_changed = gdt_changed,
				       .choose_paging = choose_paging,
				       .wallclock = wallclock, .opaque = vm };
	lguest_host_init(&vm->lg, &vm->mem, &vm->fault, vm->mmu, &ops,
			 khz > 0 ? (uint32_t)khz : 0);
	vm->lg.reserve_mem = vm->cfg.reserve_top;
	vm->lg.sticky_irq_pending = vm->cfg.sticky_irq_pending;
	return 0;
}

static struct kvm_segment guest_segment(uint16_t sel, bool code)
{
	return (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
				     .selector = sel, .type = code ? 11 : 3,
				     .present = 1, .dpl = sel & 3, .db = 1,
				     .s = 1, .l = 0, .g = 1 };
}

/* Keeps what boot_load wrote: the zero page and command line, the kernel,
 * the initrd. */
static bool snapshot_boot_image(struct vm *vm, const struct boot_result *br)
{
	uint64_t ranges[3][2] = {
		{ 0, 0x2000 },
		{ br->kernel_start, (uint64_t)br->kernel_end - br->kernel_start },
		{ br->initrd_start, br->initrd_size },
	};

	for (unsigned i = 0; i < 3; i++) {
		struct boot_piece *p = &vm->boot_image[i];
		const void *src = gmem_ptr(&vm->mem, ranges[i][0], ranges[i][1]);

		p->gpa = ranges[i][0];
		p->len = ranges[i][1];
		p->data = p->len ? malloc(p->len) : NULL;
		if (p->len && (!p->data || !src))
			return false;
		if (p->len)
			memcpy(p->data, src, p->len);
	}
	vm->boot_entry = br->entry;
	vm->boot_image_saved = true;
	return true;
}

static void restore_boot_image(struct vm *vm)
{
	for (unsigned i = 0; i < 3; i++) {
		struct boot_piece *p = &vm->boot_image[i];
		if (p->len)
			memcpy(gmem_ptr(&vm->mem, p->gpa, p->len), p->data, p->len);
	}
}

/* The kernel (and initrd) in guest RAM: read from the files the first
 * time, replayed from the snapshot on a restart. */
static int load_guest(struct vm *vm)
{
	struct boot_config bc = { .kernel_path = vm->cfg.kernel,
				  .initrd_path = vm->cfg.initrd,
				  .cmdline = vm->cfg.cmdline,
				  .as_launcher = vm->cfg.boot_as_launcher };
	struct boot_result br;
	char err[256];
	char demo_path[64];
	int memfd = -1;

	if (vm->boot_image_saved) {
		restore_boot_image(vm);
		return 0;
	}
	if (!bc.kernel_path) {
		/* The embedded demo guest, read through the same loader. */
		if (!lgkvm_demo_image_size) {
			fprintf(stderr, "lgkvm: this build has no demo guest; give a KERNEL\n");
			return VM_INPUT_ERROR;
		}
		memfd = memfd_create("lgkvm-demo", MFD_CLOEXEC);
		if (memfd < 0 || write(memfd, lgkvm_demo_image, lgkvm_demo_image_size) !=
					 (ssize_t)lgkvm_demo_image_size) {
			fprintf(stderr, "lgkvm: cannot stage the demo guest\n");
			return VM_CRASHED;
		}
		snprintf(demo_path, sizeof(demo_path), "/proc/self/fd/%d", memfd);
		bc.kernel_path = demo_path;
	}
	int rc = boot_load(&vm->mem, &bc, &br, err, sizeof(err));
	if (memfd >= 0)
		close(memfd);
	if (rc < 0) {
		fprintf(stderr, "lgkvm: %s\n", err);
		return VM_INPUT_ERROR;
	}
	vm->image_pae = br.pae_hint;
	if (vm->cfg.verbose) {
		fprintf(stderr,
			"lgkvm: %s: %s, entry %#x, kernel %#x-%#x, %llu MiB RAM\n",
			vm->cfg.kernel ? vm->cfg.kernel : "demo guest", br.format,
			br.entry, br.kernel_start, br.kernel_end,
			(unsigned long long)vm->cfg.mem_mib);
		if (br.initrd_decompressed)
			fprintf(stderr, "lgkvm: initrd: %s, %u -> %u bytes unpacked by lgkvm\n",
				br.initrd_compression, br.initrd_file_size, br.initrd_size);
	}
	if (!snapshot_boot_image(vm, &br)) {
		fprintf(stderr, "lgkvm: out of memory keeping the boot image\n");
		return VM_CRASHED;
	}
	return 0;
}

/* Fresh guest memory and state, the kernel loaded, the vCPU at its entry. */
int vm_boot(struct vm *vm)
{
	struct kvm_sregs s;
	struct kvm_regs g;

	/* Restart: everything the guest had is gone.  Devices first: a read
	 * still in flight must not land in the fresh memory. */
	pci_bus_reset(vm->pci);
	madvise(vm->mem.ram, vm->mem.size, MADV_DONTNEED);
	guest_fault_clear(&vm->fault);
	mmu_reset(vm->mmu);
	mmu_set_guest_format(vm->mmu, false);
	lguest_host_reset(&vm->lg);
	pit_init(&vm->pit, monotonic_ns);
	event_timer_arm(vm->clock, 0);
	memset(vm->ha.ctl, 0, sizeof(*vm->ha.ctl));
	vm_sync_gdt(vm, 0, GDT_ENTRIES);

	int rc = load_guest(vm);
	if (rc)
		return rc;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return VM_CRASHED;
	s.cs = guest_segment(GUEST_KERNEL_CS, true);
	s.ds = s.es = s.ss = guest_segment(GUEST_KERNEL_DS, false);
	s.fs = s.gs = (struct kvm_segment){ .unusable = 1 };
	s.tr = (struct kvm_segment){ .base = HOST_AREA_VA + HOST_TSS_OFF,
				     .limit = HOST_TSS_LIMIT, .selector = HOST_TSS_SEL,
				     .present = 1 }; /* type: kvm_engine_fix_tr */
	s.ldt = (struct kvm_segment){ .unusable = 1 };
	s.gdt.base = HOST_AREA_VA + HOST_GDT_OFF;
	s.gdt.limit = HOST_GDT_ENTRIES * 8 - 1;
	s.idt.base = HOST_AREA_VA + HOST_IDT_OFF;
	s.idt.limit = 256 * 16 - 1;
	/* PE MP ET NE WP PG: long mode paging, and write protection honoured
	 * at CPL 1 so clean guest pages really are read-only. */
	s.cr0 = 0x80050033;
	s.cr4 = 0x620; /* PAE OSFXSR OSXMMEXCPT */
	s.efer = 0x500 | 0x800; /* LME LMA NXE */
	s.cr3 = mmu_cr3(vm->mmu);
	vm->loaded_cr3 = s.cr3;
	kvm_engine_fix_tr(&vm->engine, &s);
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0) {
		s.efer &= ~0x800ull; /* no NX on this host */
		if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0) {
			fprintf(stderr, "lgkvm: KVM_SET_SREGS: %s\n", strerror(errno));
			return VM_CRASHED;
		}
	}
	memset(&g, 0, sizeof(g));
	g.rip = vm->boot_entry;
	g.rsi = 0; /* boot_params at guest-physical 0 */
	g.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &g) < 0) {
		fprintf(stderr, "lgkvm: KVM_SET_REGS: %s\n", strerror(errno));
		return VM_CRASHED;
	}
	vm->run->kvm_dirty_regs = 0;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	event_timer_destroy(vm->clock);
	event_timer_destroy(vm->retry);
	if (vm->ev)
		event_loop_destroy(vm->ev);
	if (vm->pci)
		pci_bus_destroy(vm->pci);
	if (vm->mmu)
		mmu_destroy(vm->mmu);
	cpuid_free(vm->cpuid);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->statm_fd >= 0)
		close(vm->statm_fd);
	if (vm->mem.ram)
		munmap(vm->mem.ram, vm->mem.size);
	if (vm->host_mem)
		munmap(vm->host_mem, HOST_AREA_SIZE);
	if (vm->pool_mem)
		munmap(vm->pool_mem, vm->pool_bytes);
	for (unsigned i = 0; i < 3; i++)
		free(vm->boot_image[i].data);
}
