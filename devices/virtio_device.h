/*
 * A virtio device, as the transport sees it: a table of operations.
 *
 * The device (console, block, net, rng ...) fills one static table and
 * hands it to virtio_pci_create with its own state; the transport does
 * everything else: PCI identity and capabilities, feature negotiation,
 * device status and reset, queue setup and checks, notifications, ISR and
 * interrupts.  Adding a device never touches the transport.
 */
#ifndef LGKVM_VIRTIO_DEVICE_H
#define LGKVM_VIRTIO_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_device_ops {
	const char *name;            /* "console": traces and fault messages */
	uint16_t device_id;          /* VIRTIO_ID_*; PCI device 0x1040 + id */
	uint32_t pci_class;          /* class << 16 | subclass << 8 | prog-if */
	/* Offered feature bits, ring ones (INDIRECT_DESC, EVENT_IDX)
	 * included; the transport adds VIRTIO_F_VERSION_1. */
	uint64_t features;
	unsigned num_queues;
	uint16_t queue_max_size;     /* power of two */
	const char *const *queue_names; /* num_queues names, or NULL */
	unsigned config_size;        /* device config bytes, 0..0xF00; 0: none */

	/* Device-specific configuration (little-endian); the transport
	 * checks off + len <= config_size; len is 1 to 8, as the guest
	 * accessed it. */
	void (*config_read)(void *dev, unsigned off, uint8_t *data,
			    unsigned len);
	void (*config_write)(void *dev, unsigned off, const uint8_t *data,
			     unsigned len);
	/* Optional: may refuse the feature set the driver chose (already a
	 * subset of the offered one) when the driver sets FEATURES_OK. */
	bool (*features_ok)(void *dev, uint64_t features);
	/* Optional: the driver set DRIVER_OK; the device is live. */
	void (*driver_ok)(void *dev);
	/* The driver notified queue `index` of new buffers.  Only called
	 * while the device is live (notifications that come earlier are
	 * delivered when DRIVER_OK is set) and the queue is enabled. */
	void (*queue_notify)(void *dev, unsigned index);
	/* Optional: the device was reset (status 0 or guest restart); the
	 * transport has reset the queues already. */
	void (*reset)(void *dev);
	/* Optional: frees the device's state when the bus is destroyed. */
	void (*destroy)(void *dev);
};

#endif
