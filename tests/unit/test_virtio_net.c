/*
 * virtio-net as a guest's driver drives it through the PCI transport, in a
 * fake guest RAM with rings built here.  A SOCK_SEQPACKET socketpair stands
 * in for the tap (one frame per read/write, the 12-byte header in front),
 * and a fake device_host records what the device asks of the event loop.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio_net.h"
#include "devices/virtio_pci.h"
#include "virtio_test_harness.h"

#define RAM_SIZE 0x40000u
#define MMIO_BASE 0xC0000000ull
#define MMIO_SIZE 0x100000ull
#define SLOT PCI_FIRST_FREE_SLOT
#define RX_DESC 0x1000u
#define RX_AVAIL 0x2000u
#define RX_USED 0x3000u
#define TX_DESC 0x4000u
#define TX_AVAIL 0x5000u
#define TX_USED 0x6000u
#define BUF 0x8000u
#define QSIZE 8u
#define HDR VIRTIO_NET_HDR_LEN
#define GOOD_PACKET_LEN 1518u /* what Linux's receive buffers hold */
#define BASE_FEATURES                                                          \
	(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC |               \
	 1ull << VIRTIO_NET_F_STATUS)

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct virtio_net *net;
static int tap[2]; /* tap[0]: the device's; tap[1]: the host's side */
static unsigned irqs_raised;
static struct vth_ring rxq, txq;

/* The fake event loop. */
static int added_fd = -1;
static void (*added_cb)(void *);
static void *added_opaque;
static bool watched;
static unsigned watch_calls;
static bool add_fd_fails;

static void record_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	(void)irq;
	irqs_raised++;
}

static bool fake_add_fd(void *opaque, int fd, void (*cb)(void *),
			void *cb_opaque)
{
	(void)opaque;
	if (add_fd_fails)
		return false;
	added_fd = fd;
	added_cb = cb;
	added_opaque = cb_opaque;
	watched = true; /* as event_loop_add does */
	return true;
}

static void fake_watch_fd(void *opaque, int fd, bool on)
{
	(void)opaque;
	ck_assert_int_eq(fd, added_fd);
	watched = on;
	watch_calls++;
}

/* The event loop finds the tap readable. */
static void tap_readable(void)
{
	ck_assert_ptr_nonnull(added_cb);
	added_cb(added_opaque);
}

static void setup(void)
{
	struct device_host host = {
		.raise_irq = record_irq,
		.add_fd = fake_add_fd,
		.watch_fd = fake_watch_fd,
	};
	char err[128];

	vth_guest_init(RAM_SIZE);
	irqs_raised = watch_calls = 0;
	rxq = (struct vth_ring){ .desc = RX_DESC,
				 .avail = RX_AVAIL,
				 .used = RX_USED,
				 .size = QSIZE };
	txq = (struct vth_ring){ .desc = TX_DESC,
				 .avail = TX_AVAIL,
				 .used = TX_USED,
				 .size = QSIZE };
	added_fd = -1;
	added_cb = NULL;
	watched = false;
	add_fd_fails = false;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0,
				    tap),
			 0);
	vth_bus_create(host, MMIO_BASE, MMIO_SIZE);
	net = virtio_net_create_fd(guest.bus, tap[0], "lgtap0", test_mac, err,
				   sizeof(err));
	ck_assert_msg(net != NULL, "%s", err);
}

static void teardown(void)
{
	vth_guest_destroy(); /* closes tap[0] */
	close(tap[1]);
}

/* ---- what the guest's virtio driver does ---- */

static const uint8_t status_ok = VIRTIO_CONFIG_S_ACKNOWLEDGE |
				 VIRTIO_CONFIG_S_DRIVER |
				 VIRTIO_CONFIG_S_FEATURES_OK;

static void set_driver_ok(void)
{
	vth_set_status(SLOT, status_ok | VIRTIO_CONFIG_S_DRIVER_OK);
}

static void driver_init_with(uint64_t features, bool driver_ok)
{
	vth_negotiate(SLOT, features);
	vth_queue_setup(SLOT, VIRTIO_NET_RX, QSIZE, RX_DESC, RX_AVAIL, RX_USED);
	vth_queue_setup(SLOT, VIRTIO_NET_TX, QSIZE, TX_DESC, TX_AVAIL, TX_USED);
	if (driver_ok)
		set_driver_ok();
	ck_assert(!guest.fault.raised);
}

static void driver_init(void)
{
	driver_init_with(BASE_FEATURES, true);
}

/* Linux's add_recvbuf_small: the header, then room for a full frame. */
static void post_rx_buffer(unsigned slot, uint32_t at)
{
	vth_put_desc(&rxq, 2 * slot, at, HDR,
		     VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
		     (uint16_t)(2 * slot + 1));
	vth_put_desc(&rxq, 2 * slot + 1, at + HDR, GOOD_PACKET_LEN,
		     VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, (uint16_t)(2 * slot));
}

/* A frame as the tap delivers it: header (with what a tap may leave in
 * it), then `len` bytes of `fill`. */
static void host_sends(size_t len, uint8_t fill)
{
	uint8_t f[HDR + 2048];

	ck_assert_uint_le(len, sizeof(f) - HDR);
	memset(f, 0, HDR);
	f[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	f[10] = 0xEE; /* num_buffers: the tap leaves the guest's bytes */
	f[11] = 0xEE;
	memset(f + HDR, fill, len);
	ck_assert_int_eq(write(tap[1], f, HDR + len), (ssize_t)(HDR + len));
}

static ssize_t host_receives(uint8_t *buf, size_t cap)
{
	return read(tap[1], buf, cap);
}

/* A guest frame: a zero header and `len` bytes of `fill` in one buffer. */
static void guest_frame(uint32_t at, size_t len, uint8_t fill)
{
	memset(guest.ram + at, 0, HDR);
	memset(guest.ram + at + HDR, fill, len);
}

/* ---- identity and configuration ---- */

START_TEST(test_net_is_a_virtio_1_network_controller)
{
	ck_assert_uint_eq(vth_cfg_read(SLOT, 0, 4), 0x10411AF4u);
	ck_assert_uint_eq(vth_cfg_read(SLOT, PCI_CLASS_REVISION, 4) >> 8,
			  0x020000);
	ck_assert_int_eq(added_fd, tap[0]);
}
END_TEST

START_TEST(test_net_offers_mac_status_and_ring_features)
{
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  1u << VIRTIO_NET_F_MAC | 1u << VIRTIO_NET_F_STATUS |
				  1u << VIRTIO_RING_F_INDIRECT_DESC |
				  1u << VIRTIO_RING_F_EVENT_IDX);
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  1u << (VIRTIO_F_VERSION_1 - 32));
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
}
END_TEST

START_TEST(test_config_holds_the_mac_and_link_up)
{
	uint64_t cfg = vth_bar0(SLOT) + VIRTIO_PCI_BAR_DEVICE;
	uint8_t got[6];

	for (unsigned i = 0; i < 6; i++)
		got[i] = (uint8_t)vth_mmio_read(cfg + i, 1);
	ck_assert_mem_eq(got, test_mac, 6);
	ck_assert_uint_eq(vth_mmio_read(cfg + 6, 2), VIRTIO_NET_S_LINK_UP);
	/* read-only for the driver */
	vth_mmio_write(cfg, 1, 0xFF);
	ck_assert_uint_eq(vth_mmio_read(cfg, 1), test_mac[0]);
}
END_TEST

START_TEST(test_default_mac_is_local_unicast_and_follows_the_name)
{
	uint8_t a[6], b[6], again[6], got[6];
	int sv[2];
	char err[128];
	struct virtio_net *n2;

	virtio_net_default_mac("lgtap0", a);
	virtio_net_default_mac("lgtap1", b);
	virtio_net_default_mac("lgtap0", again);
	ck_assert_uint_eq(a[0] & 3, 2); /* locally administered, unicast */
	ck_assert_mem_eq(a, again, 6);
	ck_assert(memcmp(a, b, 6) != 0);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0,
				    sv),
			 0);
	n2 = virtio_net_create_fd(guest.bus, sv[0], "lgtap1", NULL, err,
				  sizeof(err));
	ck_assert_ptr_nonnull(n2);
	virtio_net_mac(n2, got);
	ck_assert_mem_eq(got, b, 6);
	ck_assert_str_eq(virtio_net_name(n2), "lgtap1");
	close(sv[1]);
}
END_TEST

START_TEST(test_parse_mac_reads_colon_separated_hex)
{
	uint8_t m[6];
	const uint8_t want[6] = { 0x52, 0x54, 0x00, 0xAB, 0xcd, 0x0f };

	ck_assert(virtio_net_parse_mac("52:54:00:ab:CD:0f", m));
	ck_assert_mem_eq(m, want, 6);
}
END_TEST

START_TEST(test_parse_mac_refuses_malformed_multicast_and_zero)
{
	static const char *const bad[] = {
		"", "52:54:00:ab:cd", "52:54:00:ab:cd:0f:", "52-54-00-ab-cd-0f",
		"52:54:00:ab:cd:0g", "5:54:00:ab:cd:0f0", " 52:54:00:ab:cd:0f",
		"01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
		"52:54:00:ab:cd:0f\n",
	};
	uint8_t m[6] = { 1, 2, 3, 4, 5, 6 };
	const uint8_t untouched[6] = { 1, 2, 3, 4, 5, 6 };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!virtio_net_parse_mac(bad[i], m), "accepted '%s'",
			      bad[i]);
	ck_assert(!virtio_net_parse_mac(NULL, m));
	ck_assert_mem_eq(m, untouched, 6);
}
END_TEST

START_TEST(test_create_refuses_an_impossible_tap_name)
{
	const char *name = "a-name-far-too-long-for-linux";
	char err[128] = "";

	ck_assert_ptr_null(
		virtio_net_create(guest.bus, name, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, name), "err: %s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_create_fails_when_the_host_cannot_watch_the_fd)
{
	char err[128] = "";
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0,
				    sv),
			 0);
	add_fd_fails = true;
	ck_assert_ptr_null(virtio_net_create_fd(guest.bus, sv[0], "lgtap1",
						NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot watch"), "err: %s", err);
	close(sv[1]);
}
END_TEST

/* ---- transmit ---- */

START_TEST(test_tx_frame_reaches_the_tap_with_its_header)
{
	uint8_t got[256];

	driver_init();
	/* header alone in the first descriptor, as without ANY_LAYOUT */
	guest_frame(BUF, 60, 0xA5);
	vth_put_desc(&txq, 3, BUF, HDR, VRING_DESC_F_NEXT, 6);
	vth_put_desc(&txq, 6, BUF + HDR, 60, 0, 0);
	vth_make_avail(&txq, 3);
	vth_notify(SLOT, VIRTIO_NET_TX);

	ck_assert_int_eq(host_receives(got, sizeof(got)), HDR + 60);
	ck_assert_mem_eq(got, guest.ram + BUF, HDR + 60);
	ck_assert_uint_eq(vth_used_idx(&txq), 1);
	ck_assert_uint_eq(vth_used_elem(&txq, 0, 0), 3);
	ck_assert_uint_eq(vth_used_elem(&txq, 0, 1), 0);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_tx_batch_sends_every_frame_and_interrupts_once)
{
	uint8_t got[256];

	driver_init();
	for (unsigned i = 0; i < 3; i++) {
		guest_frame(BUF + 0x100 * i, 40, (uint8_t)i);
		vth_put_desc(&txq, i, BUF + 0x100 * i, HDR + 40, 0, 0);
		vth_make_avail(&txq, (uint16_t)i);
	}
	vth_notify(SLOT, VIRTIO_NET_TX);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(host_receives(got, sizeof(got)), HDR + 40);
		ck_assert_uint_eq(got[HDR], i);
	}
	ck_assert_uint_eq(vth_used_idx(&txq), 3);
	ck_assert_uint_eq(irqs_raised, 1);
}
END_TEST

START_TEST(test_tx_chain_shorter_than_the_header_is_dropped)
{
	uint8_t got[64];

	driver_init();
	vth_put_desc(&txq, 0, BUF, HDR - 4, VRING_DESC_F_NEXT, 1);
	vth_put_desc(&txq, 1, BUF + 0x100, 2, 0, 0);
	vth_make_avail(&txq, 0);
	vth_notify(SLOT, VIRTIO_NET_TX);
	ck_assert_int_eq(host_receives(got, sizeof(got)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(vth_used_idx(&txq), 1); /* the buffer comes back */
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_tx_with_offload_flags_not_negotiated_is_dropped)
{
	uint8_t got[256];

	driver_init();
	guest_frame(BUF, 60, 1);
	guest.ram[BUF] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vth_put_desc(&txq, 0, BUF, HDR + 60, 0, 0);
	vth_make_avail(&txq, 0);
	guest_frame(BUF + 0x100, 60, 2);
	guest.ram[BUF + 0x100 + 1] = VIRTIO_NET_HDR_GSO_TCPV4;
	vth_put_desc(&txq, 1, BUF + 0x100, HDR + 60, 0, 0);
	vth_make_avail(&txq, 1);
	vth_notify(SLOT, VIRTIO_NET_TX);
	ck_assert_int_eq(host_receives(got, sizeof(got)), -1);
	ck_assert_uint_eq(vth_used_idx(&txq), 2);
}
END_TEST

START_TEST(test_tx_drops_instead_of_blocking_when_the_tap_is_full)
{
	uint8_t fill[HDR + 60] = { 0 };
	uint8_t got[256];
	unsigned queued = 0;

	/* Fill the host side's queue through the device's own socket. */
	while (write(tap[0], fill, sizeof(fill)) > 0)
		queued++;
	ck_assert_int_eq(errno, EAGAIN);
	driver_init();
	guest_frame(BUF, 60, 0x77);
	vth_put_desc(&txq, 0, BUF, HDR + 60, 0, 0);
	vth_make_avail(&txq, 0);
	vth_notify(
		SLOT,
		VIRTIO_NET_TX); /* returns: a blocking write would hang here */
	ck_assert_uint_eq(vth_used_idx(&txq), 1);
	ck_assert_uint_eq(irqs_raised, 1);
	/* what the host reads is the old fill only: the frame was dropped */
	for (unsigned i = 0; i < queued; i++) {
		ck_assert_int_eq(host_receives(got, sizeof(got)), sizeof(fill));
		ck_assert_uint_eq(got[HDR], 0);
	}
	ck_assert_int_eq(host_receives(got, sizeof(got)), -1);
}
END_TEST

/* ---- receive ---- */

START_TEST(test_tap_is_not_watched_until_driver_ok_with_buffers)
{
	ck_assert(!watched); /* nothing to receive into at creation */
	driver_init_with(BASE_FEATURES, false);
	post_rx_buffer(0, BUF);
	vth_notify(
		SLOT,
		VIRTIO_NET_RX); /* held back by the transport until DRIVER_OK */
	ck_assert(!watched);
	set_driver_ok();
	ck_assert(watched);
}
END_TEST

START_TEST(test_rx_notify_starts_watching_the_tap)
{
	driver_init();
	ck_assert(!watched);
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(watched);
	ck_assert_uint_eq(vth_used_idx(&rxq), 0); /* nothing arrived yet */
}
END_TEST

START_TEST(test_rx_frame_lands_in_the_guest_buffer_with_its_length)
{
	static const uint8_t want_hdr[HDR] = { [10] = 1 };

	driver_init();
	memset(guest.ram + BUF, 0xCC, HDR); /* what the driver's memory held */
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 0x5A);
	tap_readable();

	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 0), 0);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), HDR + 60);
	/* flags cleared (no GUEST_CSUM), num_buffers 1 (no MRG_RXBUF) */
	ck_assert_mem_eq(guest.ram + BUF, want_hdr, HDR);
	for (unsigned i = 0; i < 60; i++)
		ck_assert_uint_eq(guest.ram[BUF + HDR + i], 0x5A);
	ck_assert_uint_eq(guest.ram[BUF + HDR + 60], 0);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_rx_header_and_frame_in_one_buffer)
{
	driver_init();
	vth_put_desc(&rxq, 0, BUF, HDR + GOOD_PACKET_LEN, VRING_DESC_F_WRITE,
		     0);
	vth_make_avail(&rxq, 0);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(GOOD_PACKET_LEN, 0x33);
	tap_readable();
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), HDR + GOOD_PACKET_LEN);
	ck_assert_uint_eq(guest.ram[BUF + 10], 1);
	ck_assert_uint_eq(guest.ram[BUF + HDR + GOOD_PACKET_LEN - 1], 0x33);
}
END_TEST

START_TEST(test_rx_stops_watching_when_buffers_run_out)
{
	driver_init();
	post_rx_buffer(0, BUF);
	post_rx_buffer(1, BUF + 0x1000);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(watched);
	host_sends(60, 1);
	host_sends(60, 2);
	host_sends(60, 3);
	tap_readable();
	ck_assert_uint_eq(vth_used_idx(&rxq), 2);
	ck_assert_uint_eq(irqs_raised, 1); /* one interrupt for the batch */
	ck_assert(!watched); /* a frame waits, but there is no room */

	/* the driver refills: watching resumes, the third frame lands */
	post_rx_buffer(2, BUF + 0x2000);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(watched);
	tap_readable();
	ck_assert_uint_eq(vth_used_idx(&rxq), 3);
	ck_assert_uint_eq(vth_used_elem(&rxq, 2, 0), 4);
	ck_assert_uint_eq(guest.ram[BUF + 0x2000 + HDR], 3);
	ck_assert(!watched);
}
END_TEST

START_TEST(test_rx_keeps_watching_while_buffers_wait_for_frames)
{
	driver_init();
	post_rx_buffer(0, BUF);
	post_rx_buffer(1, BUF + 0x1000);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 1);
	tap_readable();
	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert(watched);
	tap_readable(); /* spurious: nothing to read, nothing changes */
	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert(watched);
}
END_TEST

START_TEST(test_rx_with_event_idx_asks_for_the_next_refill)
{
	uint16_t avail_event;

	driver_init_with(BASE_FEATURES | 1ull << VIRTIO_RING_F_EVENT_IDX, true);
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 1);
	tap_readable();
	ck_assert(!watched);
	/* avail_event = 1: the guest kicks when it posts the next buffer */
	memcpy(&avail_event, guest.ram + RX_USED + 4 + 8 * QSIZE, 2);
	ck_assert_uint_eq(avail_event, 1);
}
END_TEST

START_TEST(test_rx_buffer_too_short_for_the_header_comes_back_empty)
{
	driver_init();
	vth_put_desc(&rxq, 0, BUF, HDR - 1, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	post_rx_buffer(1, BUF + 0x1000);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 0x42);
	tap_readable();
	ck_assert_uint_eq(vth_used_idx(&rxq), 2);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 0), 0);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), 0);
	/* the frame was not lost: it went to the next buffer */
	ck_assert_uint_eq(vth_used_elem(&rxq, 1, 0), 2);
	ck_assert_uint_eq(vth_used_elem(&rxq, 1, 1), HDR + 60);
	ck_assert_uint_eq(guest.ram[BUF + 0x1000 + HDR], 0x42);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_rx_frame_longer_than_the_buffer_is_cut_to_it)
{
	driver_init();
	vth_put_desc(&rxq, 0, BUF, HDR + 20, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(100, 0x11);
	tap_readable();
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), HDR + 20);
	ck_assert_uint_eq(guest.ram[BUF + HDR + 20], 0);
}
END_TEST

START_TEST(test_rx_runt_from_the_tap_is_dropped_and_the_buffer_reused)
{
	uint8_t runt[5] = { 1, 2, 3, 4, 5 };

	driver_init();
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert_int_eq(write(tap[1], runt, sizeof(runt)), sizeof(runt));
	host_sends(60, 0x99);
	tap_readable();
	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), HDR + 60);
	ck_assert_uint_eq(guest.ram[BUF + HDR], 0x99);
}
END_TEST

START_TEST(test_rx_readable_part_of_a_chain_is_not_written)
{
	driver_init();
	memset(guest.ram + BUF, 0xEE, 16);
	vth_put_desc(&rxq, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
	vth_put_desc(&rxq, 1, BUF + 0x100, HDR + GOOD_PACKET_LEN,
		     VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 0x21);
	tap_readable();
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), HDR + 60);
	ck_assert_uint_eq(guest.ram[BUF], 0xEE);
	ck_assert_uint_eq(guest.ram[BUF + 0x100 + HDR], 0x21);
}
END_TEST

START_TEST(test_rx_descriptor_outside_ram_kills_the_guest)
{
	driver_init();
	vth_put_desc(&rxq, 0, RAM_SIZE - 8, HDR + GOOD_PACKET_LEN,
		     VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 1);
	tap_readable();
	ck_assert(guest.fault.raised);
	ck_assert_msg(strstr(guest.fault.reason, "virtqueue net.rx"),
		      "reason: %s", guest.fault.reason);
	ck_assert_uint_eq(vth_used_idx(&rxq), 0);
	ck_assert(!watched); /* a broken queue takes nothing more */
}
END_TEST

START_TEST(test_reset_stops_watching_and_the_driver_can_start_over)
{
	driver_init();
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(watched);
	pci_bus_reset(guest.bus);
	ck_assert(!watched);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_STATUS, 1),
			  0);

	memset(guest.ram, 0, RAM_SIZE);
	rxq.avail_idx = txq.avail_idx = 0;
	driver_init();
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	host_sends(60, 7);
	tap_readable();
	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_device_status_reset_stops_watching)
{
	driver_init();
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(watched);
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	ck_assert(!watched);
	host_sends(60, 7);
	tap_readable(); /* a readiness report already under way */
	ck_assert_uint_eq(vth_used_idx(&rxq), 0);
}
END_TEST

START_TEST(test_rx_end_of_input_stops_watching_until_reset)
{
	driver_init();
	post_rx_buffer(0, BUF);
	post_rx_buffer(1, BUF + 0x1000);
	vth_notify(SLOT, VIRTIO_NET_RX);
	/* the fd reads 0 from now on (a socket can; a tap never does) */
	close(tap[1]);
	tap[1] = socket(AF_UNIX, SOCK_SEQPACKET, 0); /* for teardown */
	tap_readable();
	ck_assert(!watched); /* no busy loop on a dead fd */
	ck_assert_uint_eq(vth_used_idx(&rxq), 0);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(!watched);

	/* a new driver tries again */
	memset(guest.ram, 0, RAM_SIZE);
	rxq.avail_idx = txq.avail_idx = 0;
	driver_init();
	post_rx_buffer(0, BUF);
	vth_notify(SLOT, VIRTIO_NET_RX);
	ck_assert(watched);
}
END_TEST

/* The tap went away under a running guest (deleted, or its other end
 * closed): frames the guest sends are dropped and given back, the guest
 * lives on. */
START_TEST(test_tx_after_the_tap_went_away_is_dropped_and_returned)
{
	driver_init();
	signal(SIGPIPE, SIG_IGN); /* as lgkvm does */
	close(tap[1]);
	tap[1] = socket(AF_UNIX, SOCK_SEQPACKET, 0); /* for teardown */
	guest_frame(BUF, 60, 0x3C);
	vth_put_desc(&txq, 0, BUF, HDR + 60, 0, 0);
	vth_make_avail(&txq, 0);
	vth_notify(SLOT, VIRTIO_NET_TX);
	ck_assert_uint_eq(vth_used_idx(&txq), 1);
	ck_assert_uint_eq(vth_used_elem(&txq, 0, 0), 0);
	ck_assert(!guest.fault.raised);
	/* and again: still no fault, still answered */
	vth_put_desc(&txq, 1, BUF, HDR + 60, 0, 0);
	vth_make_avail(&txq, 1);
	vth_notify(SLOT, VIRTIO_NET_TX);
	ck_assert_uint_eq(vth_used_idx(&txq), 2);
	ck_assert(!guest.fault.raised);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *id = tcase_create("identity");
	TCase *tx = tcase_create("transmit");
	TCase *rx = tcase_create("receive");

	tcase_add_checked_fixture(id, setup, teardown);
	tcase_add_test(id, test_net_is_a_virtio_1_network_controller);
	tcase_add_test(id, test_net_offers_mac_status_and_ring_features);
	tcase_add_test(id, test_config_holds_the_mac_and_link_up);
	tcase_add_test(id, test_default_mac_is_local_unicast_and_follows_the_name);
	tcase_add_test(id, test_parse_mac_reads_colon_separated_hex);
	tcase_add_test(id, test_parse_mac_refuses_malformed_multicast_and_zero);
	tcase_add_test(id, test_create_refuses_an_impossible_tap_name);
	tcase_add_test(id, test_create_fails_when_the_host_cannot_watch_the_fd);
	suite_add_tcase(s, id);

	tcase_add_checked_fixture(tx, setup, teardown);
	tcase_add_test(tx, test_tx_frame_reaches_the_tap_with_its_header);
	tcase_add_test(tx, test_tx_batch_sends_every_frame_and_interrupts_once);
	tcase_add_test(tx, test_tx_chain_shorter_than_the_header_is_dropped);
	tcase_add_test(tx, test_tx_with_offload_flags_not_negotiated_is_dropped);
	tcase_add_test(tx, test_tx_drops_instead_of_blocking_when_the_tap_is_full);
	suite_add_tcase(s, tx);

	tcase_add_checked_fixture(rx, setup, teardown);
	tcase_add_test(rx, test_tap_is_not_watched_until_driver_ok_with_buffers);
	tcase_add_test(rx, test_rx_notify_starts_watching_the_tap);
	tcase_add_test(rx, test_rx_frame_lands_in_the_guest_buffer_with_its_length);
	tcase_add_test(rx, test_rx_header_and_frame_in_one_buffer);
	tcase_add_test(rx, test_rx_stops_watching_when_buffers_run_out);
	tcase_add_test(rx, test_rx_keeps_watching_while_buffers_wait_for_frames);
	tcase_add_test(rx, test_rx_with_event_idx_asks_for_the_next_refill);
	tcase_add_test(rx, test_rx_buffer_too_short_for_the_header_comes_back_empty);
	tcase_add_test(rx, test_rx_frame_longer_than_the_buffer_is_cut_to_it);
	tcase_add_test(rx, test_rx_runt_from_the_tap_is_dropped_and_the_buffer_reused);
	tcase_add_test(rx, test_rx_readable_part_of_a_chain_is_not_written);
	tcase_add_test(rx, test_rx_descriptor_outside_ram_kills_the_guest);
	tcase_add_test(rx, test_rx_end_of_input_stops_watching_until_reset);
	tcase_add_test(rx, test_tx_after_the_tap_went_away_is_dropped_and_returned);
	tcase_add_test(rx, test_reset_stops_watching_and_the_driver_can_start_over);
	tcase_add_test(rx, test_device_status_reset_stops_watching);
	suite_add_tcase(s, rx);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
