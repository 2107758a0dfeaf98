/*
 * virtio block: requests from the queue become io_uring readv, writev and
 * fsync operations on the backing file.
 *
 * The story of one request:
 *  1. The guest kicks the queue.  blk_process_queue pops every chain (up to
 *     VIRTIO_BLK_QUEUE_SIZE in flight), checks it (blk_request) and either
 *     answers at once (bad sector range, wrong data direction, GET_ID,
 *     unknown type) or prepares an SQE; one io_uring_submit sends the lot.
 *  2. The kernel posts a CQE and bumps the ring's eventfd; the VMM calls
 *     blk_reap, which finishes each request (or resubmits what a short
 *     transfer left), pushes them all and signals the guest once.
 *  3. A FLUSH waits in blk->flushes until every write submitted before it
 *     has completed, then runs as fdatasync (IORING_FSYNC_DATASYNC).  An
 *     IOSQE_IO_DRAIN would not cover the rest of a short write, which is
 *     resubmitted after the flush was queued; tracking writes does.
 *
 * Chains the device cannot answer at all are guest errors that kill the
 * guest, as lguest's Launcher did: no writable byte for the status, or
 * fewer than 16 readable bytes for the header.  A 4.x driver never builds
 * them, and a request whose header we cannot read has no sensible answer.
 * Everything else a guest can get wrong in a well-formed chain (data in
 * the wrong direction, a length that is not whole sectors, sectors past
 * the end, a write to a read-only disk) is answered VIRTIO_BLK_S_IOERR
 * without touching the file or the guest's data buffers.
 *
 * The header and the status byte are found by byte position, not by
 * descriptor (virtio 1.0 2.4.4: the device must not assume a layout): the
 * header is the first 16 readable bytes, the status the last writable one.
 */
#include <liburing.h> /* first: it asks for _GNU_SOURCE */

#include "devices/virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/iov.h"
#include "devices/virtio_pci.h"
#include "vmm/trace.h"

/* Mass storage, other (lguest's choice too). */
#define VIRTIO_BLK_PCI_CLASS 0x018000
#define BLK_SECTOR 512u
#define BLK_HEADER_LEN 16u /* struct virtio_blk_outhdr */
/* Two descriptors of a chain hold the header and the status. */
#define BLK_SEG_MAX (VIRTIO_BLK_QUEUE_SIZE - 2)
/* SQ entries: one per request in flight, and one for the reset cancel. */
#define BLK_RING_ENTRIES (2 * VIRTIO_BLK_QUEUE_SIZE)
/* -EAGAIN/-EINTR results retried before the request fails. */
#define BLK_RETRY_MAX 100
/* Guest config reads end after num_queues (the 4.x layout). */
#define BLK_CONFIG_SIZE (offsetof(struct virtio_blk_config, num_queues) + 2)

enum blk_op { BLK_OP_READ, BLK_OP_WRITE, BLK_OP_FLUSH };

struct blk_req {
	struct blk_req *prev, *next;  /* blk->writes or blk->flushes */
	bool listed;
	enum blk_op op;
	uint16_t head;
	uint32_t type;                /* VIRTIO_BLK_T_*, for traces */
	uint64_t sector;
	uint8_t *status;              /* the chain's last writable byte */
	uint32_t len;                 /* data bytes */
	uint32_t done;                /* data bytes moved so far */
	uint64_t offset;              /* file offset of the next byte */
	uint64_t seq;                 /* arrival order (flush vs writes) */
	unsigned epoch;               /* blk->epoch when popped */
	unsigned retries;
	unsigned iov_first, niov;     /* iov[iov_first..niov) still to move */
	struct iovec iov[];
};

struct blk_list {
	struct blk_req *first, *last;
};

struct virtio_blk {
	struct virtio_pci *vp;
	const struct device_host *host;
	int fd, efd;
	bool readonly;
	bool ring_ready, efd_registered;
	uint64_t capacity;            /* sectors */
	uint32_t blk_size;
	char id[VIRTIO_BLK_ID_BYTES];
	struct io_uring ring;

	bool broken;                  /* guest faulted: idle until reset */
	bool write_through;           /* FLUSH not negotiated: RWF_DSYNC */
	bool stalled;                 /* stopped popping at the in-flight cap */
	unsigned epoch;               /* bumped by reset */
	unsigned inflight;            /* popped, not yet pushed */
	unsigned submitted;           /* SQEs whose CQE is not reaped */
	unsigned unsubmitted;         /* SQEs prepared since the last submit */
	uint64_t next_seq;
	struct blk_list writes;       /* writes in flight, arrival order */
	struct blk_list flushes;      /* flushes waiting for earlier writes */
	struct iovec pop_iov[VIRTIO_BLK_QUEUE_SIZE];
};

static const char *blk_type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
		return "in";
	case VIRTIO_BLK_T_OUT:
		return "out";
	case VIRTIO_BLK_T_FLUSH:
		return "flush";
	case VIRTIO_BLK_T_GET_ID:
		return "get_id";
	default:
		return "unknown";
	}
}

/* ---- iovec helpers: the chain seen as one run of bytes ---- */

/* Bytes [skip, skip + len) of src as iovecs in dst; returns their count
 * (at most n). */
static unsigned blk_iov_slice(const struct iovec *src, unsigned n, size_t skip,
			      size_t len, struct iovec *dst)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n && len; i++) {
		size_t l = src[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l -= skip;
		if (l > len)
			l = len;
		dst[out].iov_base = (uint8_t *)src[i].iov_base + skip;
		dst[out].iov_len = l;
		out++;
		len -= l;
		skip = 0;
	}
	return out;
}

/* The last byte of the writable part (the caller checked it is not empty). */
static uint8_t *blk_status_byte(const struct virtq_chain *c)
{
	for (unsigned i = c->n_writable; i-- > 0;)
		if (c->writable[i].iov_len)
			return (uint8_t *)c->writable[i].iov_base +
			       c->writable[i].iov_len - 1;
	return NULL;
}

/* ---- request lists ---- */

static void blk_list_append(struct blk_list *l, struct blk_req *r)
{
	r->next = NULL;
	r->prev = l->last;
	if (l->last)
		l->last->next = r;
	else
		l->first = r;
	l->last = r;
	r->listed = true;
}

static void blk_list_remove(struct blk_list *l, struct blk_req *r)
{
	if (!r->listed)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else
		l->first = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		l->last = r->prev;
	r->prev = r->next = NULL;
	r->listed = false;
}

/* ---- completing requests ---- */

static struct virtqueue *blk_vq(struct virtio_blk *blk)
{
	return virtio_pci_queue(blk->vp, 0);
}

/* Answers a chain: status byte, used entry, trace.  `written` counts the
 * data bytes the device filled; the status byte is added here. */
static void blk_answer(struct virtio_blk *blk, uint16_t head, uint8_t *status,
		       uint8_t value, uint32_t written, uint32_t type,
		       uint64_t sector, uint32_t len)
{
	*status = value;
	virtq_push(blk_vq(blk), head, written + 1);
	TRACE("dev", "blk head=%u type=%s sector=%llu len=%u status=%u", head,
	      blk_type_name(type), (unsigned long long)sector, len, value);
}

static void blk_start_ready_flushes(struct virtio_blk *blk);

/* A popped request is done: answer it and forget it. */
static void blk_finish(struct virtio_blk *blk, struct blk_req *req,
		       uint8_t value)
{
	bool was_write = req->op == BLK_OP_WRITE;

	blk_answer(blk, req->head, req->status, value,
		   req->op == BLK_OP_READ ? req->done : 0, req->type,
		   req->sector, req->len);
	blk_list_remove(was_write ? &blk->writes : &blk->flushes, req);
	blk->inflight--;
	free(req);
	if (was_write)
		blk_start_ready_flushes(blk);
}

/* ---- submitting ---- */

static void blk_submit(struct virtio_blk *blk)
{
	while (blk->unsubmitted) {
		int n = io_uring_submit(&blk->ring);

		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n <= 0) {
			/* The SQEs stay queued; the next submit retries. */
			TRACE("dev", "blk submit-failed err=%d", n);
			return;
		}
		blk->unsubmitted -= (unsigned)n < blk->unsubmitted
					    ? (unsigned)n
					    : blk->unsubmitted;
	}
}

static struct io_uring_sqe *blk_get_sqe(struct virtio_blk *blk)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&blk->ring);

	if (!sqe) {
		blk_submit(blk);
		sqe = io_uring_get_sqe(&blk->ring);
	}
	if (sqe) {
		blk->submitted++;
		blk->unsubmitted++;
	}
	return sqe;
}

/* Queues the rest of `req` on the ring; false when the ring is full. */
static bool blk_prep(struct virtio_blk *blk, struct blk_req *req)
{
	struct io_uring_sqe *sqe = blk_get_sqe(blk);
	unsigned n = req->niov - req->iov_first;

	if (!sqe)
		return false;
	switch (req->op) {
	case BLK_OP_READ:
		io_uring_prep_readv(sqe, blk->fd, req->iov + req->iov_first, n,
				    req->offset);
		break;
	case BLK_OP_WRITE:
		io_uring_prep_writev(sqe, blk->fd, req->iov + req->iov_first, n,
				     req->offset);
		/* Without FLUSH the driver assumes a write-through disk. */
		if (blk->write_through)
			sqe->rw_flags = RWF_DSYNC;
		break;
	case BLK_OP_FLUSH:
		io_uring_prep_fsync(sqe, blk->fd, IORING_FSYNC_DATASYNC);
		break;
	}
	io_uring_sqe_set_data(sqe, req);
	return true;
}

static void blk_issue(struct virtio_blk *blk, struct blk_req *req)
{
	if (!blk_prep(blk, req)) {
		TRACE("dev", "blk head=%u ring-full", req->head);
		blk_finish(blk, req, VIRTIO_BLK_S_IOERR);
	}
}

/* True when no write that arrived before `flush` is still in flight. */
static bool blk_flush_ready(const struct virtio_blk *blk,
			    const struct blk_req *flush)
{
	return !blk->writes.first || blk->writes.first->seq > flush->seq;
}

static void blk_start_ready_flushes(struct virtio_blk *blk)
{
	while (blk->flushes.first && blk_flush_ready(blk, blk->flushes.first)) {
		struct blk_req *flush = blk->flushes.first;

		blk_list_remove(&blk->flushes, flush);
		blk_issue(blk, flush);
	}
}

/* ---- taking requests from the queue ---- */

/* A chain the device cannot answer: the guest driver is broken. */
static void blk_guest_error(struct virtio_blk *blk, uint16_t head,
			    const char *what)
{
	blk->broken = true;
	TRACE("dev", "blk head=%u fault=\"%s\"", head, what);
	guest_fault_raise(blk->host->fault, "virtio-blk: request at descriptor "
			  "%u %s", head, what);
}

static void blk_request(struct virtio_blk *blk, const struct virtq_chain *c)
{
	struct virtio_blk_outhdr hdr;
	uint32_t type, data_out, data_in, len;
	uint64_t sector;
	uint8_t *status;
	struct blk_req *req;
	enum blk_op op;

	if (c->writable_len == 0) {
		blk_guest_error(blk, c->head, "has no writable status byte");
		return;
	}
	if (c->readable_len < BLK_HEADER_LEN) {
		blk_guest_error(blk, c->head, "has a header shorter than 16 "
				"readable bytes");
		return;
	}
	status = blk_status_byte(c);
	iov_copy_from(c->readable, c->n_readable, 0, &hdr, sizeof(hdr));
	type = le32toh(hdr.type);
	sector = le64toh(hdr.sector);
	data_out = c->readable_len - BLK_HEADER_LEN;
	data_in = c->writable_len - 1;

	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		op = type == VIRTIO_BLK_T_IN ? BLK_OP_READ : BLK_OP_WRITE;
		len = op == BLK_OP_READ ? data_in : data_out;
		/* Data only in the direction of the transfer, whole
		 * sectors, inside the disk (no overflow: sector is the
		 * guest's), and no writes to a read-only disk. */
		if ((op == BLK_OP_READ ? data_out : data_in) != 0 ||
		    len % BLK_SECTOR || sector > blk->capacity ||
		    len / BLK_SECTOR > blk->capacity - sector ||
		    (op == BLK_OP_WRITE && blk->readonly)) {
			blk_answer(blk, c->head, status, VIRTIO_BLK_S_IOERR, 0,
				   type, sector, len);
			return;
		}
		if (len == 0) {
			blk_answer(blk, c->head, status, VIRTIO_BLK_S_OK, 0,
				   type, sector, 0);
			return;
		}
		break;
	case VIRTIO_BLK_T_FLUSH:
		op = BLK_OP_FLUSH;
		len = 0;
		if (data_out || data_in) {
			blk_answer(blk, c->head, status, VIRTIO_BLK_S_IOERR, 0,
				   type, sector, data_out + data_in);
			return;
		}
		break;
	case VIRTIO_BLK_T_GET_ID: {
		struct iovec id_iov[VIRTIO_BLK_QUEUE_SIZE];
		uint32_t n = data_in < VIRTIO_BLK_ID_BYTES
				     ? data_in
				     : VIRTIO_BLK_ID_BYTES;
		unsigned k;

		if (data_out) {
			blk_answer(blk, c->head, status, VIRTIO_BLK_S_IOERR, 0,
				   type, sector, data_out);
			return;
		}
		k = blk_iov_slice(c->writable, c->n_writable, 0, n, id_iov);
		iov_copy_to(id_iov, k, 0, blk->id, n);
		blk_answer(blk, c->head, status, VIRTIO_BLK_S_OK, n, type,
			   sector, n);
		return;
	}
	default:
		blk_answer(blk, c->head, status, VIRTIO_BLK_S_UNSUPP, 0, type,
			   sector, 0);
		return;
	}

	req = calloc(1, sizeof(*req) + (c->n_readable + c->n_writable) *
						sizeof(struct iovec));
	if (!req) {
		blk_answer(blk, c->head, status, VIRTIO_BLK_S_IOERR, 0, type,
			   sector, len);
		return;
	}
	req->op = op;
	req->head = c->head;
	req->type = type;
	req->sector = sector;
	req->status = status;
	req->len = len;
	req->offset = sector * BLK_SECTOR;
	req->seq = blk->next_seq++;
	req->epoch = blk->epoch;
	if (op == BLK_OP_READ)
		req->niov = blk_iov_slice(c->writable, c->n_writable, 0, len,
					  req->iov);
	else if (op == BLK_OP_WRITE)
		req->niov = blk_iov_slice(c->readable, c->n_readable,
					  BLK_HEADER_LEN, len, req->iov);
	blk->inflight++;

	if (op == BLK_OP_WRITE)
		blk_list_append(&blk->writes, req);
	if (op == BLK_OP_FLUSH && !blk_flush_ready(blk, req)) {
		TRACE("dev", "blk head=%u flush-waits-for-writes", req->head);
		blk_list_append(&blk->flushes, req);
		return;
	}
	blk_issue(blk, req);
}

static void blk_process_queue(struct virtio_blk *blk)
{
	struct virtqueue *vq = blk_vq(blk);
	struct virtq_chain chain;
	unsigned popped = 0;

	/* The cap keeps a guest that recycles heads still in flight from
	 * growing our state without bound; a correct driver never has
	 * more requests out than the queue has entries. */
	while (!blk->broken && blk->inflight < VIRTIO_BLK_QUEUE_SIZE &&
	       virtq_pop(vq, &chain, blk->pop_iov, VIRTIO_BLK_QUEUE_SIZE)) {
		popped++;
		blk_request(blk, &chain);
	}
	blk->stalled = blk->inflight >= VIRTIO_BLK_QUEUE_SIZE;
	if (popped)
		TRACE("dev", "blk popped=%u inflight=%u submit=%u", popped,
		      blk->inflight, blk->unsubmitted);
	blk_submit(blk);
	virtq_signal(vq);
}

/* ---- reaping ---- */

/* One CQE for `req`: finish it, or resubmit what is left. */
static void blk_io_done(struct virtio_blk *blk, struct blk_req *req, int res)
{
	uint32_t left = req->len - req->done;

	if (req->epoch != blk->epoch) {
		/* From before a reset whose drain failed: forget it. */
		if (req->op == BLK_OP_WRITE)
			blk_list_remove(&blk->writes, req);
		free(req);
		return;
	}
	if ((res == -EAGAIN || res == -EINTR) &&
	    ++req->retries <= BLK_RETRY_MAX) {
		blk_issue(blk, req);
		return;
	}
	if (res < 0) {
		TRACE("dev", "blk head=%u io-error=%d", req->head, -res);
		blk_finish(blk, req, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (req->op == BLK_OP_FLUSH) {
		blk_finish(blk, req, VIRTIO_BLK_S_OK);
		return;
	}
	/* No progress means the file shrank under us (end of file). */
	if (res == 0 || (uint32_t)res > left) {
		TRACE("dev", "blk head=%u no-progress res=%d left=%u",
		      req->head, res, left);
		blk_finish(blk, req, VIRTIO_BLK_S_IOERR);
		return;
	}
	req->done += (uint32_t)res;
	if (req->done == req->len) {
		blk_finish(blk, req, VIRTIO_BLK_S_OK);
		return;
	}
	/* Short transfer: step past what moved and go again. */
	req->offset += (uint32_t)res;
	req->retries = 0;
	for (size_t n = (uint32_t)res; n && req->iov_first < req->niov;) {
		struct iovec *v = &req->iov[req->iov_first];

		if (n < v->iov_len) {
			v->iov_base = (uint8_t *)v->iov_base + n;
			v->iov_len -= n;
			n = 0;
		} else {
			n -= v->iov_len;
			req->iov_first++;
		}
	}
	TRACE("dev", "blk head=%u short=%d left=%u", req->head, res,
	      req->len - req->done);
	blk_issue(blk, req);
}

static void blk_eventfd_clear(struct virtio_blk *blk)
{
	uint64_t v;

	/* Non-blocking: nothing to read is fine. */
	if (read(blk->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		TRACE("dev", "blk eventfd-read errno=%d", errno);
}

void virtio_blk_poll(struct virtio_blk *blk)
{
	struct io_uring_cqe *cqe;
	unsigned reaped = 0;

	/* Clear first: a CQE posted after this bumps the eventfd again. */
	blk_eventfd_clear(blk);
	while (io_uring_peek_cqe(&blk->ring, &cqe) == 0) {
		struct blk_req *req = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&blk->ring, cqe);
		blk->submitted--;
		reaped++;
		if (req)
			blk_io_done(blk, req, res);
	}
	if (!reaped)
		return;
	TRACE("dev", "blk reaped=%u inflight=%u", reaped, blk->inflight);
	if (blk->stalled && blk->inflight < VIRTIO_BLK_QUEUE_SIZE &&
	    virtio_pci_live(blk->vp))
		blk_process_queue(blk); /* submits and signals */
	else {
		blk_submit(blk);
		virtq_signal(blk_vq(blk));
	}
}

static void blk_event(void *opaque)
{
	virtio_blk_poll(opaque);
}

/*
 * Reset: the guest forgets its buffers, so the kernel must be done with
 * them first.  Cancel what has not started and wait for every CQE; the
 * requests are dropped without an answer.
 */
static void blk_drain(struct virtio_blk *blk)
{
	struct io_uring_cqe *cqe;
	struct blk_req *req;

	if (blk->submitted) {
		struct io_uring_sqe *sqe = blk_get_sqe(blk);

		if (sqe) {
			io_uring_prep_cancel(sqe, NULL,
					     IORING_ASYNC_CANCEL_ANY);
			io_uring_sqe_set_data(sqe, NULL);
		}
		blk_submit(blk);
		TRACE("dev", "blk drain submitted=%u", blk->submitted);
	}
	while (blk->submitted) {
		int rc = io_uring_wait_cqe(&blk->ring, &cqe);

		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc < 0) {
			/* Leave them to blk_io_done's epoch check. */
			TRACE("dev", "blk drain-failed err=%d", rc);
			break;
		}
		req = io_uring_cqe_get_data(cqe);
		io_uring_cqe_seen(&blk->ring, cqe);
		blk->submitted--;
		if (req) {
			if (req->op == BLK_OP_WRITE)
				blk_list_remove(&blk->writes, req);
			free(req);
		}
	}
	while ((req = blk->flushes.first)) {
		blk_list_remove(&blk->flushes, req);
		free(req);
	}
	while ((req = blk->writes.first))
		blk_list_remove(&blk->writes, req); /* only after a failure */
	if (blk->efd >= 0)
		blk_eventfd_clear(blk);
	blk->inflight = 0;
	blk->epoch++;
}

/* ---- virtio device operations ---- */

static void blk_config_read(void *dev, unsigned off, uint8_t *data,
			    unsigned len)
{
	struct virtio_blk *blk = dev;
	struct virtio_blk_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = htole64(blk->capacity);
	cfg.seg_max = htole32(BLK_SEG_MAX);
	cfg.blk_size = htole32(blk->blk_size);
	memcpy(data, (const uint8_t *)&cfg + off, len);
}

static void blk_driver_ok(void *dev)
{
	struct virtio_blk *blk = dev;

	blk->write_through = !(virtio_pci_features(blk->vp) &
			       (1ull << VIRTIO_BLK_F_FLUSH));
}

static void blk_queue_notify(void *dev, unsigned index)
{
	(void)index; /* one queue */
	blk_process_queue(dev);
}

static void blk_reset(void *dev)
{
	struct virtio_blk *blk = dev;

	blk_drain(blk);
	blk->broken = false;
	blk->stalled = false;
	blk->write_through = false;
}

static void blk_free(struct virtio_blk *blk)
{
	if (blk->ring_ready) {
		blk_drain(blk);
		io_uring_queue_exit(&blk->ring);
	}
	if (blk->efd >= 0)
		close(blk->efd);
	if (blk->fd >= 0)
		close(blk->fd);
	free(blk);
}

static void blk_destroy(void *dev)
{
	blk_free(dev);
}

#define BLK_FEATURES                                                           \
	(1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_SEG_MAX |           \
	 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_RING_F_INDIRECT_DESC | \
	 1ull << VIRTIO_RING_F_EVENT_IDX)

static const char *const blk_queue_names[] = { "requests" };

#define BLK_OPS(feat)                                                          \
	{                                                                      \
		.name = "block", .device_id = VIRTIO_ID_BLOCK,                 \
		.pci_class = VIRTIO_BLK_PCI_CLASS, .features = (feat),         \
		.num_queues = 1, .queue_max_size = VIRTIO_BLK_QUEUE_SIZE,      \
		.queue_names = blk_queue_names,                                \
		.config_size = BLK_CONFIG_SIZE,                                \
		.config_read = blk_config_read,                                \
		.driver_ok = blk_driver_ok,                                    \
		.queue_notify = blk_queue_notify, .reset = blk_reset,          \
		.destroy = blk_destroy,                                        \
	}

static const struct virtio_device_ops blk_rw_ops = BLK_OPS(BLK_FEATURES);
static const struct virtio_device_ops blk_ro_ops =
	BLK_OPS(BLK_FEATURES | 1ull << VIRTIO_BLK_F_RO);

/* ---- creation ---- */

/* "lgkvm-" and a hash of where the data lives, so an image keeps its
 * serial across runs (udev's /dev/disk/by-id names stay put). */
static void blk_make_id(struct virtio_blk *blk, const struct stat *st)
{
	uint64_t key[2] = { S_ISBLK(st->st_mode) ? st->st_rdev : st->st_dev,
			    S_ISBLK(st->st_mode) ? 0 : st->st_ino };
	const uint8_t *p = (const uint8_t *)key;
	uint32_t h = 2166136261u; /* FNV-1a */
	char id[VIRTIO_BLK_ID_BYTES + 1];

	for (size_t i = 0; i < sizeof(key); i++)
		h = (h ^ p[i]) * 16777619u;
	snprintf(id, sizeof(id), "lgkvm-%08x", h);
	memset(blk->id, 0, sizeof(blk->id));
	memcpy(blk->id, id, strlen(id));
}

/* Size and logical block size of the backing store; false (err set) when
 * it is not a regular file or a block device. */
static bool blk_probe(struct virtio_blk *blk, const char *path, char *err,
		      size_t errlen)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(blk->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	blk->blk_size = BLK_SECTOR;
	if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		int ssz = 0;

		if (ioctl(blk->fd, BLKGETSIZE64, &bytes) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return false;
		}
		if (ioctl(blk->fd, BLKSSZGET, &ssz) == 0 &&
		    ssz >= (int)BLK_SECTOR)
			blk->blk_size = (uint32_t)ssz;
	} else {
		snprintf(err, errlen, "%s: not a regular file or block device",
			 path);
		return false;
	}
	blk->capacity = bytes / BLK_SECTOR;
	blk_make_id(blk, &st);
	return true;
}

struct virtio_blk *virtio_blk_create(struct pci_bus *bus, const char *path,
				     bool readonly, char *err, size_t errlen)
{
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	int rc;

	if (!blk) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	blk->efd = -1;
	blk->readonly = readonly;
	blk->host = pci_bus_host(bus);
	blk->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (blk->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!blk_probe(blk, path, err, errlen))
		goto fail;
	rc = io_uring_queue_init(BLK_RING_ENTRIES, &blk->ring, 0);
	if (rc < 0) {
		snprintf(err, errlen, "%s: io_uring: %s", path, strerror(-rc));
		goto fail;
	}
	blk->ring_ready = true;
	blk->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (blk->efd < 0) {
		snprintf(err, errlen, "%s: eventfd: %s", path, strerror(errno));
		goto fail;
	}
	rc = io_uring_register_eventfd(&blk->ring, blk->efd);
	if (rc < 0) {
		snprintf(err, errlen, "%s: io_uring eventfd: %s", path,
			 strerror(-rc));
		goto fail;
	}
	blk->vp = virtio_pci_create(bus, PCI_DEVNUM_ANY,
				    readonly ? &blk_ro_ops : &blk_rw_ops, blk);
	if (!blk->vp) {
		snprintf(err, errlen, "%s: no free PCI slot", path);
		goto fail;
	}
	/* From here the bus owns blk: a failure leaves it there, idle, and
	 * pci_bus_destroy frees it. */
	if (blk->host->add_fd &&
	    !blk->host->add_fd(blk->host->opaque, blk->efd, blk_event, blk)) {
		snprintf(err, errlen, "%s: cannot watch the io_uring eventfd",
			 path);
		return NULL;
	}
	TRACE("dev", "blk path=\"%s\" sectors=%llu ro=%d id=%.20s", path,
	      (unsigned long long)blk->capacity, readonly, blk->id);
	return blk;
fail:
	blk_free(blk);
	return NULL;
}
