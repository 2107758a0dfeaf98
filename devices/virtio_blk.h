/*
 * virtio block device (virtio 1.0 section 5.2), one request queue, backed
 * by a regular file or a block device through io_uring.
 *
 * Offers FLUSH, SEG_MAX, BLK_SIZE, RO (read-only images) and the
 * INDIRECT_DESC and EVENT_IDX ring features.  Capacity is the backing
 * size in 512-byte sectors (a partial last sector is not visible).
 *
 * Requests run asynchronously: a notification pops every available
 * chain and submits them in one io_uring_submit; completions are reaped
 * when the ring's eventfd is readable (the VMM watches it through
 * device_host->add_fd) and returned to the guest as one batch with one
 * interrupt.  A request completes only after its data reached the backing
 * file (or the write failed).  Device reset and guest restart wait for
 * every request in flight before forgetting them, so no stale completion
 * writes guest memory afterwards.
 */
#ifndef LGKVM_VIRTIO_BLK_H
#define LGKVM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/pci.h"

#define VIRTIO_BLK_QUEUE_SIZE 256

struct virtio_blk;

/* Opens path (O_RDONLY when readonly, else O_RDWR), at the next free PCI
 * slot.  NULL with a one-line message in err (e.g. "disk.img: Permission
 * denied") when the file cannot be opened or is not a regular file /
 * block device.  The bus owns the device. */
struct virtio_blk *virtio_blk_create(struct pci_bus *bus, const char *path,
				     bool readonly, char *err, size_t errlen);
/* Reaps finished I/O and returns it to the guest; never blocks.  The VMM
 * gets this called through add_fd; without add_fd (unit tests), call it. */
void virtio_blk_poll(struct virtio_blk *blk);

#endif
