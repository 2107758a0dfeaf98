/*
 * virtio entropy device (virtio 1.0 section 5.4): one request queue whose
 * device-writable buffers come back filled from getrandom().
 *
 * A chain is filled up to VIRTIO_RNG_MAX_FILL bytes (the guest's hwrng
 * driver asks for a cache line or so).  A chain with no device-writable
 * buffer cannot hold the byte virtio 1.0 asks for: it is a harmless driver
 * mistake, so it comes back with used length 0 (and a trace line) rather
 * than killing the guest.
 */
#ifndef LGKVM_VIRTIO_RNG_H
#define LGKVM_VIRTIO_RNG_H

#include <stddef.h>

#include "devices/pci.h"

#define VIRTIO_RNG_QUEUE_SIZE 64
#define VIRTIO_RNG_MAX_FILL (64u * 1024)

struct virtio_rng;

/* At the next free PCI slot; NULL with a one-line message in err when it
 * does not fit.  The bus owns the device. */
struct virtio_rng *virtio_rng_create(struct pci_bus *bus, char *err,
				     size_t errlen);

#endif
