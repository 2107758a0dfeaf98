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
	/* Optional: call cb(cb_opaque) on the vCPU thread whenever fd is
	 * readable (a tap, an io_uring completion eventfd).  watch_fd turns
	 * watching on or off later.  Returns false when it cannot. */
	bool (*add_fd)(void *opaque, int fd, void (*cb)(void *cb_opaque),
		       void *cb_opaque);
	void (*watch_fd)(void *opaque, int fd, bool on);
	void *opaque;
};

#endif
