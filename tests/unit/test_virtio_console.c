/*
 * The virtio console as an lguest guest drives it: the early console's
 * emerg_wr writes through the VIRTIO_PCI_CAP_PCI_CFG window, then the
 * virtio driver's transmit and receive queues, in a fake guest RAM with
 * rings built here.  out_fd and in_fd are pipes.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio_console.h"
#include "devices/virtio_pci.h"
#include "virtio_test_harness.h"

#define RAM_SIZE 0x20000u
#define MMIO_BASE 0xC0000000ull
#define MMIO_SIZE 0x100000ull
#define SLOT 1
#define RX_DESC 0x1000u
#define RX_AVAIL 0x2000u
#define RX_USED 0x3000u
#define TX_DESC 0x4000u
#define TX_AVAIL 0x5000u
#define TX_USED 0x6000u
#define BUF 0x8000u
#define QSIZE 8u

static struct virtio_console *con;
static int out_pipe[2], in_pipe[2];
static unsigned irqs_raised, last_irq, poll_updates;
static struct vth_ring rxq, txq;

static void record_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	irqs_raised++;
	last_irq = irq;
}

static void count_poll_update(void *opaque)
{
	(void)opaque;
	poll_updates++;
}

static void setup(void)
{
	struct device_host host = {
		.raise_irq = record_irq,
		.poll_update = count_poll_update,
	};

	vth_guest_init(RAM_SIZE);
	irqs_raised = last_irq = poll_updates = 0;
	rxq = (struct vth_ring){ .desc = RX_DESC,
				 .avail = RX_AVAIL,
				 .used = RX_USED,
				 .size = QSIZE };
	txq = (struct vth_ring){ .desc = TX_DESC,
				 .avail = TX_AVAIL,
				 .used = TX_USED,
				 .size = QSIZE };
	ck_assert_int_eq(pipe(out_pipe), 0);
	ck_assert_int_eq(pipe(in_pipe), 0);
	/* reads of an empty out_pipe must not hang a failing test */
	fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
	vth_bus_create(host, MMIO_BASE, MMIO_SIZE);
	con = virtio_console_create(guest.bus, in_pipe[0], out_pipe[1]);
	ck_assert_ptr_nonnull(con);
}

static void teardown(void)
{
	vth_guest_destroy();
	close(out_pipe[0]);
	close(out_pipe[1]);
	close(in_pipe[0]);
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
}

static size_t drain_output(char *buf, size_t cap)
{
	ssize_t n = read(out_pipe[0], buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* ---- what the guest's virtio driver does ---- */

static void driver_init(bool set_driver_ok)
{
	vth_negotiate(SLOT, 1ull << VIRTIO_F_VERSION_1 |
				    1ull << VIRTIO_CONSOLE_F_EMERG_WRITE);
	vth_queue_config(SLOT, VIRTIO_CONSOLE_RX, QSIZE, RX_DESC, RX_AVAIL,
			 RX_USED);
	vth_queue_config(SLOT, VIRTIO_CONSOLE_TX, QSIZE, TX_DESC, TX_AVAIL,
			 TX_USED);
	for (unsigned q = 0; q < 2; q++) {
		vth_common_write(SLOT, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		vth_common_write(SLOT, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	}
	if (set_driver_ok)
		vth_set_status(SLOT, VIRTIO_CONFIG_S_ACKNOWLEDGE |
					     VIRTIO_CONFIG_S_DRIVER |
					     VIRTIO_CONFIG_S_FEATURES_OK |
					     VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(!guest.fault.raised);
}

/* ---- tests ---- */

START_TEST(test_console_is_at_00_01_0_with_its_ids)
{
	ck_assert_uint_eq(vth_early_cfg_read(SLOT, 0), 0x10431AF4u);
	ck_assert_uint_eq(vth_early_cfg_read_byte(SLOT, PCI_INTERRUPT_LINE), 1);
	/* not 0x0700: the guest's 8250_pci driver would claim it */
	ck_assert_uint_eq(vth_early_cfg_read(SLOT, PCI_CLASS_REVISION) >> 16,
			  0x0780);
	/* slot 1 is the console's: a second one does not fit */
	ck_assert_ptr_null(virtio_console_create(guest.bus, -1, out_pipe[1]));
}
END_TEST

START_TEST(test_console_offers_version_1_and_emerg_write)
{
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  1u << VIRTIO_CONSOLE_F_EMERG_WRITE);
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_DF, 4),
			  1u << (VIRTIO_F_VERSION_1 - 32));
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
}
END_TEST

/* arch/x86/lguest/boot.c: probe_pci_console() and early_put_chars(). */
START_TEST(test_early_console_emerg_wr_through_pci_cfg_window)
{
	unsigned device_cap = 0, access_cap = 0, cfg_offset;
	uint8_t cap;
	char got[16];
	const char *msg = "lguest\n";

	ck_assert_uint_eq(vth_early_cfg_read(SLOT, 0), 0x10431AF4u);
	cap = vth_early_cfg_read_byte(SLOT, PCI_CAPABILITY_LIST);
	while (cap) {
		if (vth_early_cfg_read_byte(SLOT, cap) == PCI_CAP_ID_VNDR) {
			uint8_t type = vth_early_cfg_read_byte(
				SLOT, cap + VIRTIO_PCI_CAP_CFG_TYPE);
			uint8_t bar = vth_early_cfg_read_byte(
				SLOT, cap + VIRTIO_PCI_CAP_BAR);

			if (type == VIRTIO_PCI_CAP_DEVICE_CFG && bar == 0)
				device_cap = cap;
			if (type == VIRTIO_PCI_CAP_PCI_CFG)
				access_cap = cap;
		}
		cap = vth_early_cfg_read_byte(SLOT, cap + PCI_CAP_LIST_NEXT);
	}
	ck_assert_uint_ne(device_cap, 0);
	ck_assert_uint_ne(access_cap, 0);
	ck_assert_uint_ge(
		vth_early_cfg_read(SLOT, device_cap + VIRTIO_PCI_CAP_LENGTH),
		offsetof(struct virtio_console_config, emerg_wr) + 4);
	cfg_offset =
		vth_early_cfg_read(SLOT, device_cap + VIRTIO_PCI_CAP_OFFSET);

	for (const char *c = msg; *c; c++) {
		vth_early_cfg_write_byte(SLOT, access_cap + VIRTIO_PCI_CAP_BAR,
					 0);
		vth_early_cfg_write(SLOT, access_cap + VIRTIO_PCI_CAP_LENGTH,
				    4);
		vth_early_cfg_write(
			SLOT, access_cap + VIRTIO_PCI_CAP_OFFSET,
			cfg_offset + offsetof(struct virtio_console_config,
					      emerg_wr));
		vth_early_cfg_write(SLOT,
				    access_cap + sizeof(struct virtio_pci_cap),
				    (uint8_t)*c);
	}
	drain_output(got, sizeof(got));
	ck_assert_str_eq(got, msg);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_emerg_wr_through_bar_reaches_out_fd)
{
	uint64_t emerg = vth_bar0(SLOT) + VIRTIO_PCI_BAR_DEVICE +
			 offsetof(struct virtio_console_config, emerg_wr);
	char got[8];

	vth_mmio_write(emerg, 4, 'o');
	vth_mmio_write(emerg, 4, 'k');
	ck_assert_uint_eq(vth_mmio_read(emerg, 4), 0);
	drain_output(got, sizeof(got));
	ck_assert_str_eq(got, "ok");
}
END_TEST

START_TEST(test_tx_queue_output_reaches_out_fd)
{
	char got[32];

	driver_init(true);
	memcpy(guest.ram + BUF, "hello ", 6);
	memcpy(guest.ram + BUF + 0x100, "world", 5);
	vth_put_desc(&txq, 2, BUF, 6, VRING_DESC_F_NEXT, 5);
	vth_put_desc(&txq, 5, BUF + 0x100, 5, 0, 0);
	vth_make_avail(&txq, 2);
	vth_notify(SLOT, VIRTIO_CONSOLE_TX);

	drain_output(got, sizeof(got));
	ck_assert_str_eq(got, "hello world");
	/* the buffer is back before the notification exit ends */
	ck_assert_uint_eq(vth_used_idx(&txq), 1);
	ck_assert_uint_eq(vth_used_elem(&txq, 0, 0), 2);
	ck_assert_uint_eq(vth_used_elem(&txq, 0, 1), 0);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert_uint_eq(last_irq, 1);
	ck_assert_uint_eq(vth_mmio_read(vth_bar0(SLOT) + VIRTIO_PCI_BAR_ISR, 1),
			  1);
}
END_TEST

START_TEST(test_tx_kicked_before_driver_ok_goes_out_at_driver_ok)
{
	char got[8];

	driver_init(false);
	memcpy(guest.ram + BUF, "early", 5);
	vth_put_desc(&txq, 0, BUF, 5, 0, 0);
	vth_make_avail(&txq, 0);
	vth_notify(SLOT, VIRTIO_CONSOLE_TX);
	ck_assert_uint_eq(drain_output(got, sizeof(got)), 0);
	vth_common_write(SLOT, VIRTIO_PCI_COMMON_STATUS, 1,
			 vth_common_read(SLOT, VIRTIO_PCI_COMMON_STATUS, 1) |
				 VIRTIO_CONFIG_S_DRIVER_OK);
	drain_output(got, sizeof(got));
	ck_assert_str_eq(got, "early");
	ck_assert_uint_eq(vth_used_idx(&txq), 1);
}
END_TEST

START_TEST(test_rx_input_fills_a_buffer_and_raises_the_irq)
{
	driver_init(true);
	ck_assert(!virtio_console_wants_input(con)); /* no buffers yet */
	vth_put_desc(&rxq, 3, BUF, 16, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 3);
	vth_notify(SLOT, VIRTIO_CONSOLE_RX);
	ck_assert_uint_eq(poll_updates, 1); /* the VMM hears of it */
	ck_assert(virtio_console_wants_input(con));

	ck_assert_int_eq(write(in_pipe[1], "abc", 3), 3);
	virtio_console_input_ready(con);
	ck_assert_mem_eq(guest.ram + BUF, "abc", 3);
	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 0), 3);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), 3);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert(!virtio_console_wants_input(con)); /* buffer used up */
}
END_TEST

START_TEST(test_rx_input_spreads_over_a_chain)
{
	driver_init(true);
	vth_put_desc(&rxq, 0, BUF, 2, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
		     1);
	vth_put_desc(&rxq, 1, BUF + 0x100, 8, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	ck_assert_int_eq(write(in_pipe[1], "xyzw", 4), 4);
	virtio_console_input_ready(con);
	ck_assert_mem_eq(guest.ram + BUF, "xy", 2);
	ck_assert_mem_eq(guest.ram + BUF + 0x100, "zw", 2);
	ck_assert_uint_eq(vth_used_elem(&rxq, 0, 1), 4);
}
END_TEST

START_TEST(test_no_input_wanted_before_driver_ok)
{
	driver_init(false);
	vth_put_desc(&rxq, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	ck_assert(!virtio_console_wants_input(con));
	ck_assert_int_eq(write(in_pipe[1], "a", 1), 1);
	virtio_console_input_ready(con);
	ck_assert_uint_eq(vth_used_idx(&rxq), 0);
}
END_TEST

START_TEST(test_input_eof_closes_input_and_keeps_the_buffer)
{
	driver_init(true);
	vth_put_desc(&rxq, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	close(in_pipe[1]);
	in_pipe[1] = -1;
	virtio_console_input_ready(con);
	ck_assert(!virtio_console_wants_input(con));
	ck_assert_uint_eq(vth_used_idx(&rxq), 0);
	ck_assert_uint_eq(irqs_raised, 0);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_rx_no_interrupt_flag_suppresses_the_irq)
{
	uint16_t flags = VRING_AVAIL_F_NO_INTERRUPT;

	driver_init(true);
	memcpy(guest.ram + RX_AVAIL, &flags, 2);
	vth_put_desc(&rxq, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	ck_assert_int_eq(write(in_pipe[1], "q", 1), 1);
	virtio_console_input_ready(con);
	ck_assert_uint_eq(vth_used_idx(&rxq), 1);
	ck_assert_uint_eq(irqs_raised, 0);
}
END_TEST

START_TEST(test_tx_descriptor_outside_ram_kills_the_guest)
{
	char got[8];

	driver_init(true);
	vth_put_desc(&txq, 0, RAM_SIZE - 2, 4, 0, 0);
	vth_make_avail(&txq, 0);
	vth_notify(SLOT, VIRTIO_CONSOLE_TX);
	ck_assert(guest.fault.raised);
	ck_assert_msg(strstr(guest.fault.reason,
			     "virtqueue console.tx: descriptor 0 "
			     "points outside RAM"),
		      "reason: %s", guest.fault.reason);
	ck_assert_uint_eq(drain_output(got, sizeof(got)), 0);
	ck_assert_uint_eq(vth_used_idx(&txq), 0);
}
END_TEST

START_TEST(test_guest_restart_resets_the_console)
{
	driver_init(true);
	vth_put_desc(&rxq, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&rxq, 0);
	ck_assert(virtio_console_wants_input(con));
	pci_bus_reset(guest.bus);
	ck_assert(!virtio_console_wants_input(con));
	ck_assert_uint_eq(vth_common_read(SLOT, VIRTIO_PCI_COMMON_STATUS, 1),
			  0);
	/* and the driver can start over */
	memset(guest.ram, 0, RAM_SIZE);
	rxq.avail_idx = txq.avail_idx = 0;
	driver_init(true);
	ck_assert(!guest.fault.raised);
}
END_TEST

static size_t filled;

/* Reads back exactly what the test put in the pipe, after a while. */
static void *drain_later(void *arg)
{
	static char sink[4096];
	size_t done = 0;

	(void)arg;
	usleep(100 * 1000);
	while (done < filled) {
		size_t want = filled - done < sizeof(sink) ? filled - done
							   : sizeof(sink);
		ssize_t n = read(out_pipe[0], sink, want);

		if (n > 0)
			done += (size_t)n;
		else
			usleep(1000);
	}
	return NULL;
}

START_TEST(test_full_nonblocking_out_fd_waits_instead_of_dropping)
{
	static char fill[512];
	uint64_t emerg = vth_bar0(SLOT) + VIRTIO_PCI_BAR_DEVICE +
			 offsetof(struct virtio_console_config, emerg_wr);
	pthread_t t;
	char last = 0;
	ssize_t n;

	fcntl(out_pipe[1], F_SETFL, O_NONBLOCK);
	filled = 0;
	while ((n = write(out_pipe[1], fill, sizeof(fill))) > 0)
		filled += (size_t)n;
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(pthread_create(&t, NULL, drain_later, NULL), 0);
	vth_mmio_write(emerg, 4, '!'); /* waits until the reader drains */
	pthread_join(t, NULL);
	ck_assert_int_eq(read(out_pipe[0], &last, 1), 1);
	ck_assert_int_eq(last, '!');
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("virtio_console");
	TCase *tc = tcase_create("console");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_console_is_at_00_01_0_with_its_ids);
	tcase_add_test(tc, test_console_offers_version_1_and_emerg_write);
	tcase_add_test(tc, test_early_console_emerg_wr_through_pci_cfg_window);
	tcase_add_test(tc, test_emerg_wr_through_bar_reaches_out_fd);
	tcase_add_test(tc, test_tx_queue_output_reaches_out_fd);
	tcase_add_test(tc, test_tx_kicked_before_driver_ok_goes_out_at_driver_ok);
	tcase_add_test(tc, test_rx_input_fills_a_buffer_and_raises_the_irq);
	tcase_add_test(tc, test_rx_input_spreads_over_a_chain);
	tcase_add_test(tc, test_no_input_wanted_before_driver_ok);
	tcase_add_test(tc, test_input_eof_closes_input_and_keeps_the_buffer);
	tcase_add_test(tc, test_rx_no_interrupt_flag_suppresses_the_irq);
	tcase_add_test(tc, test_tx_descriptor_outside_ram_kills_the_guest);
	tcase_add_test(tc, test_guest_restart_resets_the_console);
	tcase_add_test(tc, test_full_nonblocking_out_fd_waits_instead_of_dropping);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(console_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
