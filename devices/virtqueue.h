/*
 * Split virtqueues (virtio 1.0 section 2.4), device side.
 *
 * The guest places three structures in its RAM and gives their addresses
 * through the transport: the descriptor table (16 bytes per entry), the
 * available ring (flags, idx, ring[size], used_event) and the used ring
 * (flags, idx, {id, len}[size], avail_event).  Everything the guest wrote is
 * checked before use: ring structures and buffers must lie inside RAM,
 * indexes inside the queue, chains must end within the queue size (no
 * loops), indirect tables must not nest.  A violation kills the guest
 * through guest_fault_raise("virtqueue <name>: ...") and the queue stops.
 *
 * Devices take chains with virtq_pop (host iovecs for the device-readable
 * part, then the device-writable part), return them with virtq_push and
 * call virtq_signal once per batch; virtq_signal interrupts the guest only
 * when it asked (VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX).
 */
#ifndef LGKVM_VIRTQUEUE_H
#define LGKVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/guest_fault.h"
#include "vmm/guest_memory.h"

#define VIRTQ_MAX_SIZE 32768u /* virtio 1.0: queue size is at most 2^15 */

/* One descriptor chain, as host memory.  The iovecs point into guest RAM and
 * stay valid for the VM's lifetime; the caller owns the iovec array. */
struct virtq_chain {
	uint16_t head;             /* what virtq_push gives back */
	struct iovec *readable;    /* driver -> device buffers, in order */
	unsigned n_readable;
	uint32_t readable_len;
	struct iovec *writable;    /* device -> driver buffers, in order */
	unsigned n_writable;
	uint32_t writable_len;
};

/* Fields are the transport's and this file's; devices use the functions. */
struct virtqueue {
	char name[32];
	const struct guest_memory *mem;
	struct guest_fault *fault;
	uint16_t max_size;
	void (*signal)(void *opaque); /* interrupt the guest for this queue */
	void *signal_opaque;

	bool enabled;
	bool broken;               /* a guest error was raised: stay idle */
	bool indirect;             /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool event_idx;            /* VIRTIO_RING_F_EVENT_IDX negotiated */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint8_t *desc, *avail, *used; /* host views, range-checked at enable */
	uint16_t last_avail;       /* next available ring entry to take */
	uint16_t used_idx;         /* next used ring entry to fill */
	uint16_t signalled_used;   /* used_idx when we last decided to signal */
	bool signalled_valid;
	unsigned unsignalled;      /* pushes since the last virtq_signal */
};

void virtq_init(struct virtqueue *vq, const char *name,
		const struct guest_memory *mem, struct guest_fault *fault,
		uint16_t max_size, void (*signal)(void *opaque), void *opaque);
/* Guest enabled the queue: checks size and ring placement (faulting the
 * guest when they are bad) and starts from index 0.  `features` are the
 * negotiated ones; only the ring bits matter here. */
bool virtq_enable(struct virtqueue *vq, uint16_t size, uint64_t desc,
		  uint64_t avail, uint64_t used, uint64_t features);
/* Device reset: the queue forgets the rings. */
void virtq_reset(struct virtqueue *vq);
static inline bool virtq_ready(const struct virtqueue *vq)
{
	return vq->enabled && !vq->broken;
}
/* True when the guest has made a chain available that was not popped
 * (virtq_pop does the checking). */
bool virtq_has_avail(const struct virtqueue *vq);
/* Takes the next available chain.  `iov` receives the buffers (readable
 * ones first); iov_cap >= the queue's max size fits every legal chain.
 * False when none is available or the chain was bad (guest faulted). */
bool virtq_pop(struct virtqueue *vq, struct virtq_chain *chain,
	       struct iovec *iov, unsigned iov_cap);
/* Gives back the chain just popped, untouched (e.g. no input after all). */
void virtq_unpop(struct virtqueue *vq);
/* Returns chain `head` to the guest, `written` bytes of it filled. */
void virtq_push(struct virtqueue *vq, uint16_t head, uint32_t written);
/* After a batch of pushes: interrupt the guest if it wants one. */
void virtq_signal(struct virtqueue *vq);

#endif
