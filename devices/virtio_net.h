/*
 * virtio network device (virtio 1.0 section 5.1) on a host tap device.
 *
 * One receive queue (0) and one transmit queue (1), no control queue, no
 * offloads: the driver checksums and segments everything itself and gets
 * only complete, checksummed frames.  Every frame travels with the 12-byte
 * struct virtio_net_hdr_v1 in front; the tap is opened with IFF_VNET_HDR
 * and TUNSETVNETHDRSZ 12, so the guest's buffers go to the tap (and come
 * from it) as they are.  It offers VIRTIO_NET_F_MAC and VIRTIO_NET_F_STATUS
 * (link always up).
 *
 * Transmit happens during the notification exit and never blocks: a frame
 * the tap will not take at once is dropped, as a busy wire would.  The tap
 * is watched (device_host add_fd/watch_fd) only while the guest has receive
 * buffers posted; when they run out the device stops watching until the
 * guest posts more.
 */
#ifndef LGKVM_VIRTIO_NET_H
#define LGKVM_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci.h"

#define VIRTIO_NET_QUEUE_SIZE 256
#define VIRTIO_NET_RX 0 /* receiveq1: host -> guest */
#define VIRTIO_NET_TX 1 /* transmitq1: guest -> host */
#define VIRTIO_NET_HDR_LEN 12 /* struct virtio_net_hdr_v1 */

struct virtio_net;

/* Opens (or creates) tap device `tap_name` (IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, non-blocking), at the next free PCI slot; mac NULL: a
 * locally administered MAC derived from the tap name.  NULL with a one-line
 * message in err when the tap cannot be opened.  The bus owns the device. */
struct virtio_net *virtio_net_create(struct pci_bus *bus, const char *tap_name,
				     const uint8_t mac[6], char *err,
				     size_t errlen);
/* For tests and for a tap opened elsewhere: `fd` must be non-blocking and
 * carry one frame per read and per write, each behind the 12-byte header (a
 * tap set up as above, a SOCK_SEQPACKET socket).  `name` names the device in
 * traces and gives the MAC when mac is NULL.  The device owns fd from the
 * call on, also when it fails.  NULL also when the host cannot watch fd (a
 * device may then be left on the bus, inert, until pci_bus_destroy). */
struct virtio_net *virtio_net_create_fd(struct pci_bus *bus, int fd,
					const char *name, const uint8_t mac[6],
					char *err, size_t errlen);
/* Parses "aa:bb:cc:dd:ee:ff"; false on anything else (also multicast and
 * all-zero addresses). */
bool virtio_net_parse_mac(const char *s, uint8_t mac[6]);
/* The MAC a device named `name` gets without one: 02:xx:xx:xx:xx:xx
 * (locally administered, unicast), the same for the same name. */
void virtio_net_default_mac(const char *name, uint8_t mac[6]);
/* The MAC the guest sees. */
void virtio_net_mac(const struct virtio_net *net, uint8_t mac[6]);
/* The tap's name as the kernel gave it (tap_name may be a pattern such as
 * "lgtap%d"), or create_fd's `name`. */
const char *virtio_net_name(const struct virtio_net *net);

#endif
