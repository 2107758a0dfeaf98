#include "vmm/coalesced_io.h"

#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/port_io.h"
#include "vmm/vm.h"

#define PCI_CONFIG_PORTS 0xcf8
#define PCI_CONFIG_PORTS_LEN 8
/* KVM_COALESCED_MMIO_MAX, for x86's 4 KiB pages (the uapi macro needs the
 * kernel's PAGE_SIZE). */
#define RING_PAGE 4096
#define RING_MAX                                                               \
	((RING_PAGE - sizeof(struct kvm_coalesced_mmio_ring)) /                \
	 sizeof(struct kvm_coalesced_mmio))

bool coalesced_io_setup(struct vm *vm)
{
	/* The ring's page in the vCPU mapping is what the MMIO capability
	 * answers; the PIO one only says yes. */
	int offset = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	struct kvm_coalesced_mmio_zone zone = {
		.addr = PCI_CONFIG_PORTS, .size = PCI_CONFIG_PORTS_LEN, .pio = 1,
	};

	if (offset <= 0 || ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0 ||
	    sysconf(_SC_PAGESIZE) != RING_PAGE ||
	    (size_t)(offset + 1) * RING_PAGE > vm->run_size ||
	    ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0)
		return false;
	vm->coalesced_ring = (struct kvm_coalesced_mmio_ring *)((char *)vm->run +
							       (size_t)offset * RING_PAGE);
	return true;
}

bool coalesced_io_port(const struct vm *vm, unsigned port)
{
	return vm->coalesced_ring && port >= PCI_CONFIG_PORTS &&
	       port < PCI_CONFIG_PORTS + PCI_CONFIG_PORTS_LEN;
}

void coalesced_io_drain(struct vm *vm)
{
	struct kvm_coalesced_mmio_ring *ring = vm->coalesced_ring;

	if (!ring)
		return;
	while (ring->first != ring->last) {
		uint32_t i = ring->first % RING_MAX;
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[i];
		uint8_t data[8];
		unsigned len = e->len <= sizeof(data) ? e->len : sizeof(data);

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memcpy(data, e->data, len);
		if (e->pio && len)
			port_io_access(vm, (uint16_t)e->phys_addr, true, data, len);
		vm->coalesced_writes++;
		__atomic_store_n(&ring->first, (i + 1) % RING_MAX,
				 __ATOMIC_RELEASE);
	}
}
