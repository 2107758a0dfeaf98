/*
 * Split virtqueue, device side.  Every guest value is read once into a local
 * and checked there: the guest may rewrite its rings while we look.
 */
#include "devices/virtqueue.h"

#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/trace.h"

#define VIRTQ_DESC_SIZE 16u
#define VIRTQ_AVAIL_RING 4u /* avail: flags, idx, then ring[] */
#define VIRTQ_USED_RING 4u  /* used: flags, idx, then {id, len}[] */
#define VIRTQ_USED_ELEM 8u

/* Guest memory seen as 16-bit fields without breaking aliasing rules. */
typedef uint16_t __attribute__((may_alias)) virtq_u16;

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static void virtq_fail(struct virtqueue *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void virtq_fail(struct virtqueue *vq, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vq->broken = true;
	TRACE("dev", "vq=%s fault=\"%s\"", vq->name, msg);
	guest_fault_raise(vq->fault, "virtqueue %s: %s", vq->name, msg);
}

static uint16_t virtq_load16(const uint8_t *p, int order)
{
	return __atomic_load_n((const virtq_u16 *)p, order);
}

static void virtq_store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((virtq_u16 *)p, v, order);
}

static uint8_t *virtq_used_event(const struct virtqueue *vq)
{
	return vq->avail + VIRTQ_AVAIL_RING + 2u * vq->size;
}

static uint8_t *virtq_avail_event(const struct virtqueue *vq)
{
	return vq->used + VIRTQ_USED_RING + VIRTQ_USED_ELEM * vq->size;
}

void virtq_init(struct virtqueue *vq, const char *name,
		const struct guest_memory *mem, struct guest_fault *fault,
		uint16_t max_size, void (*signal)(void *opaque), void *opaque)
{
	memset(vq, 0, sizeof(*vq));
	snprintf(vq->name, sizeof(vq->name), "%s", name);
	vq->mem = mem;
	vq->fault = fault;
	vq->max_size = max_size;
	vq->signal = signal;
	vq->signal_opaque = opaque;
}

void virtq_reset(struct virtqueue *vq)
{
	vq->enabled = false;
	vq->broken = false;
	vq->indirect = vq->event_idx = false;
	vq->size = 0;
	vq->desc_gpa = vq->avail_gpa = vq->used_gpa = 0;
	vq->desc = vq->avail = vq->used = NULL;
	vq->last_avail = vq->used_idx = vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->unsignalled = 0;
}

/* Host view of a ring part, or NULL after faulting the guest. */
static uint8_t *virtq_map_ring(struct virtqueue *vq, const char *what,
			       uint64_t gpa, uint64_t len, uint64_t align)
{
	uint8_t *p;

	if (gpa % align) {
		virtq_fail(vq, "%s at 0x%llx is not %llu-byte aligned", what,
			   (unsigned long long)gpa, (unsigned long long)align);
		return NULL;
	}
	p = gmem_ptr(vq->mem, gpa, len);
	if (!p)
		virtq_fail(vq, "%s at 0x%llx+0x%llx lies outside RAM", what,
			   (unsigned long long)gpa, (unsigned long long)len);
	return p;
}

bool virtq_enable(struct virtqueue *vq, uint16_t size, uint64_t desc,
		  uint64_t avail, uint64_t used, uint64_t features)
{
	virtq_reset(vq);
	if (size == 0 || (size & (size - 1)) || size > vq->max_size) {
		virtq_fail(vq, "size %u is not a power of two <= %u", size,
			   vq->max_size);
		return false;
	}
	vq->size = size;
	/* Sizes include used_event and avail_event: the driver lays them
	 * out whether or not EVENT_IDX is negotiated. */
	vq->desc = virtq_map_ring(vq, "descriptor table", desc,
				  (uint64_t)VIRTQ_DESC_SIZE * size,
				  VRING_DESC_ALIGN_SIZE);
	if (vq->desc)
		vq->avail = virtq_map_ring(vq, "available ring", avail,
					   VIRTQ_AVAIL_RING + 2ull * size + 2,
					   VRING_AVAIL_ALIGN_SIZE);
	if (vq->avail)
		vq->used = virtq_map_ring(vq, "used ring", used,
					  VIRTQ_USED_RING +
						  (uint64_t)VIRTQ_USED_ELEM *
							  size +
						  2,
					  VRING_USED_ALIGN_SIZE);
	if (!vq->used) {
		vq->desc = vq->avail = NULL;
		vq->size = 0;
		return false;
	}
	vq->desc_gpa = desc;
	vq->avail_gpa = avail;
	vq->used_gpa = used;
	vq->indirect = features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	vq->event_idx = features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	vq->enabled = true;
	TRACE("dev",
	      "vq=%s enable size=%u desc=0x%llx avail=0x%llx used=0x%llx "
	      "indirect=%d event_idx=%d",
	      vq->name, size, (unsigned long long)desc,
	      (unsigned long long)avail, (unsigned long long)used,
	      vq->indirect, vq->event_idx);
	return true;
}

/* Chains the guest has made available and we have not taken, or -1 after
 * faulting the guest for an index that ran ahead by more than the queue. */
static int virtq_pending(struct virtqueue *vq)
{
	uint16_t idx = virtq_load16(vq->avail + 2, __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(idx - vq->last_avail);

	if (n > vq->size) {
		virtq_fail(vq, "available index %u runs %u entries ahead of %u "
			   "(queue size %u)", idx, n, vq->last_avail,
			   vq->size);
		return -1;
	}
	return n;
}

bool virtq_has_avail(const struct virtqueue *vq)
{
	return virtq_ready(vq) &&
	       virtq_load16(vq->avail + 2, __ATOMIC_ACQUIRE) != vq->last_avail;
}

static void virtq_read_desc(const uint8_t *table, unsigned i,
			    struct virtq_desc *d)
{
	const uint8_t *p = table + (size_t)i * VIRTQ_DESC_SIZE;

	/* memcpy: indirect tables need not be aligned. */
	memcpy(&d->addr, p, 8);
	memcpy(&d->len, p + 8, 4);
	memcpy(&d->flags, p + 12, 2);
	memcpy(&d->next, p + 14, 2);
}

/* Walks the chain starting at `head` into chain/iov; false after faulting. */
static bool virtq_walk(struct virtqueue *vq, uint16_t head,
		       struct virtq_chain *chain, struct iovec *iov,
		       unsigned iov_cap)
{
	const uint8_t *table = vq->desc;
	unsigned table_n = vq->size, walked = 0, n = 0, i = head;
	const char *kind = "descriptor";
	uint64_t total = 0;
	bool indirect = false;

	memset(chain, 0, sizeof(*chain));
	chain->head = head;
	for (;;) {
		struct virtq_desc d;
		void *buf;

		/* A chain visits each table entry at most once; more means
		 * the guest built a loop. */
		if (++walked > table_n) {
			virtq_fail(vq, "chain from head %u is longer than %u "
				   "descriptors (loop?)", head, table_n);
			return false;
		}
		virtq_read_desc(table, i, &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect) {
				virtq_fail(vq, "descriptor %u is indirect but "
					   "INDIRECT_DESC was not negotiated",
					   i);
				return false;
			}
			if (indirect) {
				virtq_fail(vq, "indirect descriptor %u nests "
					   "another indirect table", i);
				return false;
			}
			if (d.flags & VRING_DESC_F_NEXT) {
				virtq_fail(vq, "descriptor %u is indirect and "
					   "has NEXT", i);
				return false;
			}
			if (d.len == 0 || d.len % VIRTQ_DESC_SIZE ||
			    d.len / VIRTQ_DESC_SIZE > vq->size) {
				virtq_fail(vq, "descriptor %u: indirect table "
					   "length %u is not 16..%u*16", i,
					   d.len, vq->size);
				return false;
			}
			table = gmem_ptr(vq->mem, d.addr, d.len);
			if (!table) {
				virtq_fail(vq, "descriptor %u: indirect table "
					   "0x%llx+0x%x lies outside RAM", i,
					   (unsigned long long)d.addr, d.len);
				return false;
			}
			table_n = d.len / VIRTQ_DESC_SIZE;
			indirect = true;
			kind = "indirect descriptor";
			walked = 0;
			i = 0;
			continue;
		}
		if (!(d.flags & VRING_DESC_F_WRITE) && chain->n_writable) {
			virtq_fail(vq, "%s %u is device-readable after a "
				   "device-writable one", kind, i);
			return false;
		}
		buf = gmem_ptr(vq->mem, d.addr, d.len);
		if (!buf) {
			virtq_fail(vq, "%s %u points outside RAM "
				   "(0x%llx+0x%x)", kind, i,
				   (unsigned long long)d.addr, d.len);
			return false;
		}
		total += d.len;
		if (total > UINT32_MAX) {
			virtq_fail(vq, "chain from head %u holds more than "
				   "4 GiB", head);
			return false;
		}
		if (n >= iov_cap) {
			virtq_fail(vq, "chain from head %u has more than %u "
				   "buffers", head, iov_cap);
			return false;
		}
		if (d.flags & VRING_DESC_F_WRITE) {
			chain->n_writable++;
			chain->writable_len += d.len;
		} else {
			chain->n_readable++;
			chain->readable_len += d.len;
		}
		iov[n].iov_base = buf;
		iov[n].iov_len = d.len;
		n++;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= table_n) {
			virtq_fail(vq, "%s %u: next %u is not below %u", kind,
				   i, d.next, table_n);
			return false;
		}
		i = d.next;
	}
	chain->readable = iov;
	chain->writable = iov + chain->n_readable;
	return true;
}

bool virtq_pop(struct virtqueue *vq, struct virtq_chain *chain,
	       struct iovec *iov, unsigned iov_cap)
{
	uint16_t head;
	int pending;

	if (!virtq_ready(vq))
		return false;
	pending = virtq_pending(vq);
	if (pending == 0 && vq->event_idx) {
		/* Ask for a notification when more arrive, then look again
		 * in case the guest added one before it could see that. */
		virtq_store16(virtq_avail_event(vq), vq->last_avail,
			      __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		pending = virtq_pending(vq);
	}
	if (pending <= 0)
		return false;

	head = virtq_load16(vq->avail + VIRTQ_AVAIL_RING +
				    2u * (vq->last_avail % vq->size),
			    __ATOMIC_RELAXED);
	if (head >= vq->size) {
		virtq_fail(vq, "available entry %u names descriptor %u "
			   "(queue size %u)", vq->last_avail, head, vq->size);
		return false;
	}
	if (!virtq_walk(vq, head, chain, iov, iov_cap))
		return false;
	vq->last_avail++;
	if (vq->event_idx)
		virtq_store16(virtq_avail_event(vq), vq->last_avail,
			      __ATOMIC_RELAXED);
	return true;
}

void virtq_unpop(struct virtqueue *vq)
{
	vq->last_avail--;
	if (vq->event_idx && vq->enabled)
		virtq_store16(virtq_avail_event(vq), vq->last_avail,
			      __ATOMIC_RELAXED);
}

void virtq_push(struct virtqueue *vq, uint16_t head, uint32_t written)
{
	uint8_t *elem;
	uint32_t id = head;

	if (!virtq_ready(vq))
		return;
	elem = vq->used + VIRTQ_USED_RING +
	       VIRTQ_USED_ELEM * (vq->used_idx % vq->size);
	memcpy(elem, &id, 4);
	memcpy(elem + 4, &written, 4);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	virtq_store16(vq->used + 2, vq->used_idx, __ATOMIC_RELEASE);
	vq->unsignalled++;
}

/* virtio 1.0 2.4.7.2: signal when used_event lies in [old, new). */
static bool virtq_need_event(uint16_t event, uint16_t new_idx,
			     uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

void virtq_signal(struct virtqueue *vq)
{
	bool want;

	if (!virtq_ready(vq) || !vq->unsignalled)
		return;
	vq->unsignalled = 0;
	/* The used index must be visible before we read the guest's wish. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		uint16_t old = vq->signalled_used;
		bool valid = vq->signalled_valid;
		uint16_t event = virtq_load16(virtq_used_event(vq),
					      __ATOMIC_RELAXED);

		vq->signalled_used = vq->used_idx;
		vq->signalled_valid = true;
		want = !valid || virtq_need_event(event, vq->used_idx, old);
	} else {
		want = !(virtq_load16(vq->avail, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	}
	TRACE("dev", "vq=%s used=%u signal=%d", vq->name, vq->used_idx, want);
	if (want && vq->signal)
		vq->signal(vq->signal_opaque);
}
