/*
 * What devices need from the VMM: guest RAM (checked access only), the place
 * to report a misbehaving guest, and a way to raise a guest interrupt.
 *
 * Devices are not thread-safe: the VMM serializes every call into devices/
 * (port I/O and MMIO exits, input readiness, reset) for one bus.
 */
#ifndef LGKVM_DEVICE_HOST_H
#define LGKVM_DEVICE_HOST_H

#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

struct device_host {
	const struct guest_memory *mem;
	struct guest_fault *fault;  /* bad descriptors etc. kill the guest */
	/* Marks guest IRQ `irq` (1..31; 0 is the timer) pending. */
	void (*raise_irq)(void *opaque, unsigned irq);
	/* Optional: a device's wish to be polled may have changed (e.g. the
	 * console got receive buffers): re-check virtio_console_wants_input
	 * and the like before the event loop sleeps again. */
	void (*poll_update)(void *opaque);
	void *opaque;
};

#endif
