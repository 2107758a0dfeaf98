/*
 * virtio-rng: requests are served during the notification exit itself;
 * getrandom() never blocks once the host's pool is initialized.
 */
#include "devices/virtio_rng.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "devices/virtio_pci.h"
#include "vmm/trace.h"

/* "Unassigned class", as lguest and QEMU give their rng. */
#define VIRTIO_RNG_PCI_CLASS 0xFF0000

struct virtio_rng {
	struct virtio_pci *vp;
	struct iovec iov[VIRTIO_RNG_QUEUE_SIZE];
};

/* Fills len bytes.  getrandom() may return fewer than asked (large
 * requests, a signal: the vCPU thread gets kicked with one) and may fail
 * with EINTR; virtio 1.0 (5.4.7.1) wants at least one byte per buffer, so
 * keep going.  Returns the bytes filled. */
static size_t rng_fill(uint8_t *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno != EINTR)
			break; /* ENOSYS and the like: give what we have */
	}
	return done;
}

static uint32_t rng_fill_chain(const struct virtq_chain *chain)
{
	uint32_t total = 0;

	for (unsigned i = 0; i < chain->n_writable; i++) {
		size_t want = chain->writable[i].iov_len, got;

		if (want > VIRTIO_RNG_MAX_FILL - total)
			want = VIRTIO_RNG_MAX_FILL - total;
		got = rng_fill(chain->writable[i].iov_base, want);
		total += (uint32_t)got;
		if (got < chain->writable[i].iov_len)
			break; /* the used length covers a prefix only */
	}
	return total;
}

static void rng_queue_notify(void *dev, unsigned index)
{
	struct virtio_rng *rng = dev;
	struct virtqueue *vq = virtio_pci_queue(rng->vp, index);
	struct virtq_chain chain;

	while (virtq_pop(vq, &chain, rng->iov, VIRTIO_RNG_QUEUE_SIZE)) {
		uint32_t n = rng_fill_chain(&chain);

		if (!chain.n_writable)
			TRACE("dev", "rng no-writable-buffer head=%u",
			      chain.head);
		TRACE("dev", "rng filled=%u head=%u", n, chain.head);
		virtq_push(vq, chain.head, n);
	}
	virtq_signal(vq);
}

static void rng_destroy(void *dev)
{
	free(dev);
}

static const char *const rng_queue_names[] = { "requestq" };

static const struct virtio_device_ops rng_ops = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.pci_class = VIRTIO_RNG_PCI_CLASS,
	.features = 0,
	.num_queues = 1,
	.queue_max_size = VIRTIO_RNG_QUEUE_SIZE,
	.queue_names = rng_queue_names,
	.config_size = 0,
	.queue_notify = rng_queue_notify,
	.destroy = rng_destroy,
};

struct virtio_rng *virtio_rng_create(struct pci_bus *bus, char *err,
				     size_t errlen)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));

	if (!rng) {
		snprintf(err, errlen, "rng: out of memory");
		return NULL;
	}
	rng->vp = virtio_pci_create(bus, PCI_DEVNUM_ANY, &rng_ops, rng);
	if (!rng->vp) {
		snprintf(err, errlen, "rng: no free PCI slot");
		free(rng);
		return NULL;
	}
	return rng;
}
