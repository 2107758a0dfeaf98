/*
 * virtio-net on a tap: frames go between the guest's buffers and the tap
 * with readv/writev, the 12-byte header included (TUNSETVNETHDRSZ 12).
 *
 * Guest mistakes that cannot hurt the host (a transmit chain shorter than
 * the header, a receive chain too short for one, offload flags it did not
 * negotiate) lose that frame or buffer and are traced; the virtqueue layer
 * has checked every descriptor already.
 */
#define _GNU_SOURCE
#include "devices/virtio_net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/iov.h"
#include "devices/virtio_pci.h"
#include "vmm/trace.h"

#define VIRTIO_NET_PCI_CLASS 0x020000 /* network controller, Ethernet */
#define NET_CONFIG_SIZE 8             /* mac[6], status */
#define NET_HDR_FLAGS 0               /* offsets in virtio_net_hdr_v1 */
#define NET_HDR_GSO_TYPE 1
#define NET_HDR_NUM_BUFFERS 10

struct virtio_net {
	struct virtio_pci *vp;
	const struct device_host *host;
	int fd;
	char name[IFNAMSIZ + 8];
	uint8_t mac[6];
	bool added;      /* the host calls net_rx_ready when fd is readable */
	bool watching;   /* ... and does so now */
	bool rx_failed;  /* the fd gave a lasting error: no more receiving */
	struct iovec tx_iov[VIRTIO_NET_QUEUE_SIZE];
	struct iovec rx_iov[VIRTIO_NET_QUEUE_SIZE];
};

/* Watch the fd exactly while a received frame has somewhere to go. */
static void net_update_watch(struct virtio_net *net)
{
	bool want = net->added && !net->rx_failed &&
		    virtio_pci_live(net->vp) &&
		    virtq_has_avail(virtio_pci_queue(net->vp, VIRTIO_NET_RX));

	if (want == net->watching)
		return;
	net->watching = want;
	TRACE("dev", "net=%s watch=%d", net->name, want);
	if (net->host->watch_fd)
		net->host->watch_fd(net->host->opaque, net->fd, want);
}

/* ---- transmit: guest -> tap ---- */

static void net_transmit_one(struct virtio_net *net,
			     const struct virtq_chain *chain)
{
	uint8_t hdr[VIRTIO_NET_HDR_LEN];
	ssize_t n;

	if (chain->n_writable)
		TRACE("dev", "net=%s tx-writable-ignored head=%u", net->name,
		      chain->head);
	if (!iov_copy_from(chain->readable, chain->n_readable, 0, hdr,
			  sizeof(hdr))) {
		TRACE("dev", "net=%s tx-drop short=%u head=%u", net->name,
		      chain->readable_len, chain->head);
		return;
	}
	/* 5.1.6.2.1: no NEEDS_CSUM and no GSO unless negotiated, and we
	 * offer neither; the tap would act on them. */
	if (hdr[NET_HDR_FLAGS] ||
	    hdr[NET_HDR_GSO_TYPE] != VIRTIO_NET_HDR_GSO_NONE) {
		TRACE("dev", "net=%s tx-drop flags=0x%x gso=0x%x", net->name,
		      hdr[NET_HDR_FLAGS], hdr[NET_HDR_GSO_TYPE]);
		return;
	}
	do {
		n = writev(net->fd, chain->readable, (int)chain->n_readable);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		TRACE("dev", "net=%s tx-drop errno=%d len=%u", net->name,
		      errno, chain->readable_len);
}

static void net_transmit(struct virtio_net *net)
{
	struct virtqueue *tx = virtio_pci_queue(net->vp, VIRTIO_NET_TX);
	struct virtq_chain chain;

	while (virtq_pop(tx, &chain, net->tx_iov, VIRTIO_NET_QUEUE_SIZE)) {
		net_transmit_one(net, &chain);
		virtq_push(tx, chain.head, 0);
	}
	virtq_signal(tx);
}

/* ---- receive: tap -> guest ---- */

/* What the frame just read into `chain` (n bytes) means for the guest.
 * Returns the used length to report, or 0 to drop the frame and reuse the
 * buffer. */
static uint32_t net_rx_finish(struct virtio_net *net,
			      const struct virtq_chain *chain, size_t n)
{
	uint8_t hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	uint8_t gso = 0;

	if (n < VIRTIO_NET_HDR_LEN) {
		TRACE("dev", "net=%s rx-drop runt=%zu", net->name, n);
		return 0;
	}
	iov_copy_from(chain->writable, chain->n_writable, NET_HDR_GSO_TYPE, &gso,
		     1);
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		/* The tap has no offloads, so this does not happen; the
		 * guest could not take it. */
		TRACE("dev", "net=%s rx-drop gso=0x%x", net->name, gso);
		return 0;
	}
	/* No GUEST_CSUM: flags must be 0 (5.1.6.4.1); and the tap leaves
	 * num_buffers as it was, while without MRG_RXBUF it must be 1. */
	hdr[NET_HDR_NUM_BUFFERS] = 1;
	iov_copy_to(chain->writable, chain->n_writable, 0, hdr, sizeof(hdr));
	/* A frame longer than the buffer arrives cut to it (readv on a tap
	 * returns what it copied); never report more than the buffer. */
	return n < chain->writable_len ? (uint32_t)n : chain->writable_len;
}

static void net_rx_ready(void *opaque)
{
	struct virtio_net *net = opaque;
	struct virtqueue *rx = virtio_pci_queue(net->vp, VIRTIO_NET_RX);
	struct virtq_chain chain;

	while (!net->rx_failed && virtio_pci_live(net->vp) &&
	       virtq_pop(rx, &chain, net->rx_iov, VIRTIO_NET_QUEUE_SIZE)) {
		uint32_t used;
		ssize_t n;

		if (chain.writable_len < VIRTIO_NET_HDR_LEN) {
			/* The buffer goes back empty; the frame stays. */
			TRACE("dev", "net=%s rx-buffer-short len=%u head=%u",
			      net->name, chain.writable_len, chain.head);
			virtq_push(rx, chain.head, 0);
			continue;
		}
		n = readv(net->fd, chain.writable, (int)chain.n_writable);
		if (n < 0) {
			int e = errno;

			virtq_unpop(rx);
			if (e == EAGAIN || e == EWOULDBLOCK)
				break;
			if (e == EINTR)
				continue;
			TRACE("dev", "net=%s rx-error errno=%d", net->name, e);
			/* These lost one frame; anything else will last. */
			if (e == EINVAL || e == EFAULT || e == EMSGSIZE ||
			    e == ENOBUFS || e == ENOMEM)
				continue;
			net->rx_failed = true;
			break;
		}
		if (n == 0) {
			/* End of file: only a test's socket does that. */
			virtq_unpop(rx);
			net->rx_failed = true;
			break;
		}
		used = net_rx_finish(net, &chain, (size_t)n);
		if (!used) {
			virtq_unpop(rx);
			continue;
		}
		TRACE("dev", "net=%s rx len=%u head=%u", net->name, used,
		      chain.head);
		virtq_push(rx, chain.head, used);
	}
	virtq_signal(rx);
	net_update_watch(net);
}

/* ---- transport operations ---- */

static void net_config_read(void *dev, unsigned off, uint8_t *data,
			    unsigned len)
{
	struct virtio_net *net = dev;
	uint8_t cfg[NET_CONFIG_SIZE];

	memcpy(cfg, net->mac, 6);
	cfg[6] = VIRTIO_NET_S_LINK_UP; /* status, little-endian */
	cfg[7] = 0;
	memcpy(data, cfg + off, len);
}

static void net_config_write(void *dev, unsigned off, const uint8_t *data,
			     unsigned len)
{
	struct virtio_net *net = dev;

	(void)data;
	/* 5.1.4: all read-only for a virtio 1.0 driver. */
	TRACE("dev", "net=%s config-write-ignored off=%u len=%u", net->name,
	      off, len);
}

static void net_driver_ok(void *dev)
{
	net_update_watch(dev);
}

static void net_queue_notify(void *dev, unsigned index)
{
	struct virtio_net *net = dev;

	if (index == VIRTIO_NET_TX)
		net_transmit(net);
	else
		net_update_watch(net); /* receive buffers: watch the tap */
}

static void net_reset(void *dev)
{
	struct virtio_net *net = dev;

	/* The queues are gone; a new driver may find the tap working again. */
	net->rx_failed = false;
	net_update_watch(net);
}

static void net_destroy(void *dev)
{
	struct virtio_net *net = dev;

	close(net->fd);
	free(net);
}

static const char *const net_queue_names[] = { "rx", "tx" };

static const struct virtio_device_ops net_ops = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.pci_class = VIRTIO_NET_PCI_CLASS,
	.features = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
		    1ull << VIRTIO_RING_F_INDIRECT_DESC |
		    1ull << VIRTIO_RING_F_EVENT_IDX,
	.num_queues = 2,
	.queue_max_size = VIRTIO_NET_QUEUE_SIZE,
	.queue_names = net_queue_names,
	.config_size = NET_CONFIG_SIZE,
	.config_read = net_config_read,
	.config_write = net_config_write,
	.driver_ok = net_driver_ok,
	.queue_notify = net_queue_notify,
	.reset = net_reset,
	.destroy = net_destroy,
};

/* ---- creation ---- */

void virtio_net_default_mac(const char *name, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	mac[0] = 0x02; /* locally administered, unicast */
	for (unsigned i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

static int net_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool virtio_net_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	bool zero = true;

	if (!s || strlen(s) != 17)
		return false;
	for (unsigned i = 0; i < 6; i++) {
		int hi = net_hex(s[3 * i]), lo = net_hex(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		m[i] = (uint8_t)(hi << 4 | lo);
		zero = zero && !m[i];
	}
	if ((m[0] & 1) || zero)
		return false; /* multicast (broadcast too) or none */
	memcpy(mac, m, 6);
	return true;
}

void virtio_net_mac(const struct virtio_net *net, uint8_t mac[6])
{
	memcpy(mac, net->mac, 6);
}

const char *virtio_net_name(const struct virtio_net *net)
{
	return net->name;
}

struct virtio_net *virtio_net_create_fd(struct pci_bus *bus, int fd,
					const char *name, const uint8_t mac[6],
					char *err, size_t errlen)
{
	struct virtio_net *net = calloc(1, sizeof(*net));
	const struct device_host *host = pci_bus_host(bus);

	if (!net) {
		snprintf(err, errlen, "net %s: out of memory", name);
		close(fd);
		return NULL;
	}
	net->host = host;
	net->fd = fd;
	snprintf(net->name, sizeof(net->name), "%s", name);
	if (mac)
		memcpy(net->mac, mac, 6);
	else
		virtio_net_default_mac(name, net->mac);
	net->vp = virtio_pci_create(bus, PCI_DEVNUM_ANY, &net_ops, net);
	if (!net->vp) {
		snprintf(err, errlen, "net %s: no free PCI slot", name);
		close(fd);
		free(net);
		return NULL;
	}
	/* From here the bus owns net (and closes fd). */
	if (!host->add_fd ||
	    !host->add_fd(host->opaque, fd, net_rx_ready, net)) {
		snprintf(err, errlen, "net %s: the VMM cannot watch its fd",
			 name);
		return NULL;
	}
	/* add_fd watches at once; nothing to receive into yet. */
	net->added = true;
	net->watching = true;
	net_update_watch(net);
	return net;
}

/* /dev/net/tun: a tap with the virtio 1.0 header, without offloads. */
static int net_open_tap(const char *tap_name, char name[IFNAMSIZ], char *err,
			size_t errlen)
{
	struct ifreq ifr;
	int hdr_len = VIRTIO_NET_HDR_LEN;
	int fd;

	if (strlen(tap_name) >= IFNAMSIZ || !*tap_name) {
		snprintf(err, errlen, "tap \"%s\": not a valid interface name",
			 tap_name);
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "tap %s: cannot open /dev/net/tun: %s",
			 tap_name, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, tap_name, strlen(tap_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "tap %s: TUNSETIFF: %s", tap_name,
			 strerror(errno));
		close(fd);
		return -1;
	}
	/* No offloads: the host hands us complete, checksummed frames, which
	 * is all a driver without GUEST_CSUM/GUEST_TSO may get. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		snprintf(err, errlen, "tap %s: cannot set the vnet header: %s",
			 tap_name, strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return fd;
}

struct virtio_net *virtio_net_create(struct pci_bus *bus, const char *tap_name,
				     const uint8_t mac[6], char *err,
				     size_t errlen)
{
	char name[IFNAMSIZ];
	int fd = net_open_tap(tap_name, name, err, errlen);

	if (fd < 0)
		return NULL;
	return virtio_net_create_fd(bus, fd, name, mac, err, errlen);
}
