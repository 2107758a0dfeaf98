/*
 * The virtio block device as a guest driver sees it: PCI identity and
 * configuration through the transport, requests built in a fake guest RAM
 * and kicked through the notify register, completions reaped with
 * virtio_blk_poll (no event loop here).  The disk is a temporary file the
 * tests read back with pread.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <signal.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_pci.h"
#include "virtio_test_harness.h"

#define RAM_SIZE 0x40000u
#define MMIO_BASE 0xC0000000ull
#define MMIO_SIZE 0x100000ull
#define SLOT PCI_FIRST_FREE_SLOT
#define QSIZE 16u
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define HDR(k) (0x4000u + 16u * (k))
#define STATUS(k) (0x5000u + (k))
#define DATA(k) (0x10000u + 0x2000u * (k))
#define SECTORS 128u
/* A partial last sector the guest must not see. */
#define FILE_SIZE (SECTORS * 512u + 300u)
#define NO_STATUS 0xEE

static struct virtio_blk *blk;
static char path[64];
static int file_fd = -1;
static unsigned irqs_raised;
static struct vth_ring vq;

static void record_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	(void)irq;
	irqs_raised++;
}

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 9));
}

static void make_device(bool readonly)
{
	struct device_host host = { .raise_irq = record_irq };
	char err[128];

	vth_bus_create(host, MMIO_BASE, MMIO_SIZE);
	blk = virtio_blk_create(guest.bus, path, readonly, err, sizeof(err));
	ck_assert_msg(blk != NULL, "create: %s", err);
}

static void setup(void)
{
	static uint8_t buf[FILE_SIZE];

	vth_guest_init(RAM_SIZE);
	irqs_raised = 0;
	vq = (struct vth_ring){
		.desc = DESC, .avail = AVAIL, .used = USED, .size = QSIZE
	};
	snprintf(path, sizeof(path), "/tmp/lgkvm-blk-test-XXXXXX");
	file_fd = mkstemp(path);
	ck_assert_int_ge(file_fd, 0);
	for (unsigned i = 0; i < FILE_SIZE; i++)
		buf[i] = pattern(i);
	ck_assert_int_eq(pwrite(file_fd, buf, FILE_SIZE, 0), FILE_SIZE);
	make_device(false);
}

static void teardown(void)
{
	vth_guest_destroy();
	close(file_fd);
	unlink(path);
}

/* ---- the transport, as the guest drives it ---- */

/* What drivers/virtio/virtio_pci_modern.c does, with the features the
 * 4.x virtio_blk driver accepts (no EVENT_IDX: plain interrupts). */
static void driver_init(void)
{
	uint64_t features =
		(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BLK_F_FLUSH |
		 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
		 1ull << VIRTIO_BLK_F_RO) &
		vth_device_features(SLOT);

	vth_negotiate(SLOT, features);
	vth_queue_setup(SLOT, 0, QSIZE, DESC, AVAIL, USED);
	vth_set_status(SLOT, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				     VIRTIO_CONFIG_S_DRIVER |
				     VIRTIO_CONFIG_S_FEATURES_OK |
				     VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(!guest.fault.raised);
}

static void put_header(unsigned k, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .ioprio = 0,
				       .sector = sector };

	memcpy(guest.ram + HDR(k), &h, sizeof(h));
}

/* Request k as the 4.x driver lays it out: header, data (if any), status,
 * in descriptors 3k, 3k+1, 3k+2.  Returns the head. */
static uint16_t post(unsigned k, uint32_t type, uint64_t sector, uint32_t len,
		     bool data_writable)
{
	uint16_t d = (uint16_t)(3 * k);

	put_header(k, type, sector);
	guest.ram[STATUS(k)] = NO_STATUS;
	if (len) {
		vth_put_desc(&vq, d, HDR(k), 16, VRING_DESC_F_NEXT, d + 1);
		vth_put_desc(&vq, d + 1, DATA(k), len,
			     (data_writable ? VRING_DESC_F_WRITE : 0) |
				     VRING_DESC_F_NEXT,
			     d + 2);
	} else {
		vth_put_desc(&vq, d, HDR(k), 16, VRING_DESC_F_NEXT, d + 2);
	}
	vth_put_desc(&vq, d + 2, STATUS(k), 1, VRING_DESC_F_WRITE, 0);
	vth_make_avail(&vq, d);
	return d;
}

/* Used length of chain `head`, or -1 when it was not returned. */
static int64_t used_len_of(uint16_t head)
{
	for (unsigned i = 0; i < vth_used_idx(&vq); i++)
		if (vth_used_elem(&vq, i, 0) == head)
			return vth_used_elem(&vq, i, 1);
	return -1;
}

/* Reaps until `n` chains are back (the I/O runs in the kernel). */
static void wait_used(unsigned n)
{
	for (unsigned tries = 0; vth_used_idx(&vq) < n && tries < 5000;
	     tries++) {
		virtio_blk_poll(blk);
		if (vth_used_idx(&vq) < n)
			usleep(1000);
	}
	ck_assert_uint_eq(vth_used_idx(&vq), n);
}

static void check_file(uint64_t off, const uint8_t *want, size_t len)
{
	uint8_t got[4096];

	ck_assert_uint_le(len, sizeof(got));
	ck_assert_int_eq(pread(file_fd, got, len, (off_t)off), (ssize_t)len);
	ck_assert_mem_eq(got, want, len);
}

static void check_file_untouched(uint64_t off, size_t len)
{
	uint8_t want[4096];

	for (size_t i = 0; i < len; i++)
		want[i] = pattern(off + i);
	check_file(off, want, len);
}

static uint64_t config64(unsigned off)
{
	return vth_bar_read(SLOT, VIRTIO_PCI_BAR_DEVICE + off, 4) |
	       (uint64_t)vth_bar_read(SLOT, VIRTIO_PCI_BAR_DEVICE + off + 4, 4)
		       << 32;
}

/* ---- identity and configuration ---- */

START_TEST(test_block_device_ids_and_class)
{
	ck_assert_uint_eq(vth_cfg_read(SLOT, PCI_VENDOR_ID, 4), 0x10421AF4u);
	ck_assert_uint_eq(vth_cfg_read(SLOT, PCI_CLASS_REVISION, 4) >> 16,
			  0x0180);
	ck_assert_uint_eq(vth_bar_read(SLOT, VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	ck_assert_uint_eq(vth_bar_read(SLOT, VIRTIO_PCI_COMMON_Q_SIZE, 2),
			  VIRTIO_BLK_QUEUE_SIZE);
}
END_TEST

START_TEST(test_offers_flush_seg_max_blk_size_not_ro)
{
	uint64_t f = vth_device_features(SLOT);

	ck_assert(f & 1ull << VIRTIO_F_VERSION_1);
	ck_assert(f & 1ull << VIRTIO_BLK_F_FLUSH);
	ck_assert(f & 1ull << VIRTIO_BLK_F_SEG_MAX);
	ck_assert(f & 1ull << VIRTIO_BLK_F_BLK_SIZE);
	ck_assert(!(f & 1ull << VIRTIO_BLK_F_RO));
	ck_assert(!(f & 1ull << VIRTIO_BLK_F_SIZE_MAX));
}
END_TEST

START_TEST(test_config_capacity_is_whole_sectors_of_the_file)
{
	unsigned cap = offsetof(struct virtio_blk_config, capacity);

	ck_assert_uint_eq(config64(cap), SECTORS);
	ck_assert_uint_eq(
		vth_bar_read(
			SLOT,
			VIRTIO_PCI_BAR_DEVICE +
				offsetof(struct virtio_blk_config, seg_max),
			4),
		VIRTIO_BLK_QUEUE_SIZE - 2);
	ck_assert_uint_eq(
		vth_bar_read(
			SLOT,
			VIRTIO_PCI_BAR_DEVICE +
				offsetof(struct virtio_blk_config, blk_size),
			4),
		512);
}
END_TEST

START_TEST(test_create_names_the_file_in_its_error)
{
	char err[128];

	ck_assert_ptr_null(virtio_blk_create(guest.bus, "/nonexistent/disk.img",
					     false, err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/disk.img: No such file or "
			      "directory");
	ck_assert_ptr_null(
		virtio_blk_create(guest.bus, "/tmp", true, err, sizeof(err)));
	ck_assert_str_eq(err, "/tmp: not a regular file or block device");
}
END_TEST

/* ---- requests ---- */

START_TEST(test_read_fills_the_buffers_with_the_file)
{
	uint16_t head;
	uint8_t want[1024];

	driver_init();
	head = post(0, VIRTIO_BLK_T_IN, 3, 1024, true);
	vth_notify(SLOT, 0);
	wait_used(1);
	for (unsigned i = 0; i < sizeof(want); i++)
		want[i] = pattern(3 * 512 + i);
	ck_assert_mem_eq(guest.ram + DATA(0), want, sizeof(want));
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used_len_of(head), 1024 + 1);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_write_reaches_the_file_and_reads_back)
{
	uint16_t head;

	driver_init();
	memset(guest.ram + DATA(0), 0xA5, 1024);
	head = post(0, VIRTIO_BLK_T_OUT, 5, 1024, false);
	vth_notify(SLOT, 0);
	wait_used(1);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used_len_of(head), 1);
	check_file(5 * 512, guest.ram + DATA(0), 1024);
	check_file_untouched(4 * 512, 512);
	check_file_untouched(7 * 512, 512);

	/* and the guest reads back what it wrote */
	head = post(1, VIRTIO_BLK_T_IN, 5, 1024, true);
	vth_notify(SLOT, 0);
	wait_used(2);
	ck_assert_uint_eq(guest.ram[STATUS(1)], VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(guest.ram + DATA(1), guest.ram + DATA(0), 1024);
}
END_TEST

START_TEST(test_flush_completes_after_the_write_before_it)
{
	uint16_t w, f;

	driver_init();
	memset(guest.ram + DATA(0), 0x3C, 4096);
	w = post(0, VIRTIO_BLK_T_OUT, 16, 4096, false);
	f = post(1, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	vth_notify(SLOT, 0);
	usleep(100 * 1000);
	/* The write comes back first; the flush goes to the kernel only
	 * then, so it is still out after this reap. */
	virtio_blk_poll(blk);
	ck_assert_uint_eq(vth_used_idx(&vq), 1);
	ck_assert_uint_eq(vth_used_elem(&vq, 0, 0), w);
	ck_assert_uint_eq(guest.ram[STATUS(1)], NO_STATUS);
	wait_used(2);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(guest.ram[STATUS(1)], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(vth_used_elem(&vq, 1, 0), f);
	ck_assert_int_eq(used_len_of(f), 1);
	check_file(16 * 512, guest.ram + DATA(0), 4096);
}
END_TEST

START_TEST(test_flush_with_nothing_written_completes)
{
	driver_init();
	post(0, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	vth_notify(SLOT, 0);
	wait_used(1);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_get_id_returns_a_20_byte_serial)
{
	uint16_t head;

	driver_init();
	memset(guest.ram + DATA(0), 0xFF, VIRTIO_BLK_ID_BYTES);
	head = post(0, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true);
	vth_notify(SLOT, 0);
	wait_used(1);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used_len_of(head), VIRTIO_BLK_ID_BYTES + 1);
	ck_assert_mem_eq(guest.ram + DATA(0), "lgkvm-", 6);
	ck_assert_uint_eq(
		strnlen((char *)guest.ram + DATA(0), VIRTIO_BLK_ID_BYTES), 14);
	ck_assert_uint_eq(guest.ram[DATA(0) + VIRTIO_BLK_ID_BYTES - 1], 0);
}
END_TEST

START_TEST(test_unknown_type_is_unsupported)
{
	driver_init();
	post(0, 2 /* SCSI_CMD, legacy only */, 0, 512, true);
	vth_notify(SLOT, 0);
	wait_used(1);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_UNSUPP);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_read_only_device_offers_ro_and_refuses_writes)
{
	uint16_t head;

	pci_bus_destroy(guest.bus);
	make_device(true);
	ck_assert(vth_device_features(SLOT) & 1ull << VIRTIO_BLK_F_RO);
	driver_init();
	memset(guest.ram + DATA(0), 0x77, 512);
	head = post(0, VIRTIO_BLK_T_OUT, 0, 512, false);
	post(1, VIRTIO_BLK_T_IN, 0, 512, true);
	vth_notify(SLOT, 0);
	wait_used(2);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(used_len_of(head), 1);
	check_file_untouched(0, 512);
	/* reads still work */
	ck_assert_uint_eq(guest.ram[STATUS(1)], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(guest.ram[DATA(1) + 1], pattern(1));
}
END_TEST

START_TEST(test_past_the_end_is_ioerr_and_moves_nothing)
{
	struct stat st;

	driver_init();
	memset(guest.ram + DATA(0), 0x11, 1024);
	memset(guest.ram + DATA(1), 0x22, 512);
	memset(guest.ram + DATA(2), 0x33, 512);
	/* the last sector plus one more */
	post(0, VIRTIO_BLK_T_OUT, SECTORS - 1, 1024, false);
	/* the partial sector at the end of the file is not the guest's */
	post(1, VIRTIO_BLK_T_IN, SECTORS, 512, true);
	/* sector * 512 wraps around to 0: must not read sector 0 */
	post(2, VIRTIO_BLK_T_IN, 1ull << 55, 512, true);
	/* exactly the last sector is fine */
	post(3, VIRTIO_BLK_T_IN, SECTORS - 1, 512, true);
	vth_notify(SLOT, 0);
	wait_used(4);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(guest.ram[STATUS(1)], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(guest.ram[STATUS(2)], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(guest.ram[STATUS(3)], VIRTIO_BLK_S_OK);
	check_file_untouched((SECTORS - 1) * 512, 812);
	ck_assert_int_eq(fstat(file_fd, &st), 0);
	ck_assert_int_eq(st.st_size, FILE_SIZE);
	ck_assert_uint_eq(guest.ram[DATA(1)], 0x22);
	ck_assert_uint_eq(guest.ram[DATA(2) + 511], 0x33);
	ck_assert(!guest.fault.raised);
}
END_TEST

START_TEST(test_wrong_direction_or_partial_sector_is_ioerr)
{
	driver_init();
	memset(guest.ram + DATA(0), 0x44, 4 * 0x2000);
	/* read with device-readable data */
	post(0, VIRTIO_BLK_T_IN, 0, 512, false);
	/* write with device-writable data */
	post(1, VIRTIO_BLK_T_OUT, 0, 512, true);
	/* not whole sectors */
	post(2, VIRTIO_BLK_T_OUT, 0, 100, false);
	/* flush carrying data */
	post(3, VIRTIO_BLK_T_FLUSH, 0, 512, false);
	vth_notify(SLOT, 0);
	wait_used(4);
	for (unsigned k = 0; k < 4; k++)
		ck_assert_uint_eq(guest.ram[STATUS(k)], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(guest.ram[DATA(0)], 0x44);
	ck_assert_uint_eq(guest.ram[DATA(1)], 0x44);
	check_file_untouched(0, 512);
	ck_assert(!guest.fault.raised);
}
END_TEST

/* virtio 1.0 2.4.4: no assumptions about the descriptor layout. */
START_TEST(test_header_and_status_are_found_by_byte_position)
{
	driver_init();
	put_header(0, VIRTIO_BLK_T_IN, 2);
	/* header in two pieces, data and status in one descriptor */
	vth_put_desc(&vq, 0, HDR(0), 8, VRING_DESC_F_NEXT, 1);
	vth_put_desc(&vq, 1, HDR(0) + 8, 8, VRING_DESC_F_NEXT, 2);
	vth_put_desc(&vq, 2, DATA(0), 513, VRING_DESC_F_WRITE, 0);
	guest.ram[DATA(0) + 512] = NO_STATUS;
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	wait_used(1);
	ck_assert_uint_eq(guest.ram[DATA(0) + 512], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(guest.ram[DATA(0)], pattern(2 * 512));
	ck_assert_uint_eq(guest.ram[DATA(0) + 511], pattern(3 * 512 - 1));
	ck_assert_int_eq(used_len_of(0), 513);
}
END_TEST

START_TEST(test_chain_without_status_byte_kills_the_guest)
{
	driver_init();
	put_header(0, VIRTIO_BLK_T_IN, 0);
	vth_put_desc(&vq, 0, HDR(0), 16, VRING_DESC_F_NEXT, 1);
	vth_put_desc(&vq, 1, DATA(0), 512, 0, 0);
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert(guest.fault.raised);
	ck_assert_msg(strstr(guest.fault.reason,
			     "virtio-blk: request at descriptor "
			     "0 has no writable status byte"),
		      "reason: %s", guest.fault.reason);
	virtio_blk_poll(blk);
	ck_assert_uint_eq(vth_used_idx(&vq), 0);
	check_file_untouched(0, 512);
}
END_TEST

START_TEST(test_short_header_kills_the_guest)
{
	driver_init();
	put_header(0, VIRTIO_BLK_T_OUT, 0);
	memset(guest.ram + DATA(0), 0x55, 512);
	vth_put_desc(&vq, 0, HDR(0), 8, VRING_DESC_F_NEXT, 2);
	vth_put_desc(&vq, 2, STATUS(0), 1, VRING_DESC_F_WRITE, 0);
	guest.ram[STATUS(0)] = NO_STATUS;
	vth_make_avail(&vq, 0);
	vth_notify(SLOT, 0);
	ck_assert(guest.fault.raised);
	ck_assert_msg(strstr(guest.fault.reason, "header shorter than 16"),
		      "reason: %s", guest.fault.reason);
	ck_assert_uint_eq(guest.ram[STATUS(0)], NO_STATUS);
	ck_assert_uint_eq(vth_used_idx(&vq), 0);
}
END_TEST

START_TEST(test_requests_in_flight_complete_with_one_interrupt)
{
	uint16_t heads[4];

	driver_init();
	for (unsigned k = 0; k < 4; k++)
		heads[k] = post(k, VIRTIO_BLK_T_IN, 8 * k, 4096, true);
	vth_notify(SLOT, 0);
	/* the notification only submitted them */
	ck_assert_uint_eq(vth_used_idx(&vq), 0);
	ck_assert_uint_eq(irqs_raised, 0);
	usleep(200 * 1000);
	virtio_blk_poll(blk);
	ck_assert_uint_eq(vth_used_idx(&vq), 4);
	ck_assert_uint_eq(irqs_raised, 1);
	for (unsigned k = 0; k < 4; k++) {
		ck_assert_uint_eq(guest.ram[STATUS(k)], VIRTIO_BLK_S_OK);
		ck_assert_int_eq(used_len_of(heads[k]), 4096 + 1);
		ck_assert_uint_eq(guest.ram[DATA(k) + 4095],
				  pattern(8 * k * 512 + 4095));
	}
	/* nothing is answered twice */
	virtio_blk_poll(blk);
	ck_assert_uint_eq(vth_used_idx(&vq), 4);
}
END_TEST

/* The file shrank under the device: the read comes back short, the rest
 * hits end of file, and the request fails instead of spinning. */
START_TEST(test_read_past_a_shrunk_file_is_ioerr)
{
	driver_init();
	ck_assert_int_eq(ftruncate(file_fd, 512 * 10 + 256), 0);
	post(0, VIRTIO_BLK_T_IN, 10, 512, true);
	post(1, VIRTIO_BLK_T_IN, 9, 512, true);
	vth_notify(SLOT, 0);
	wait_used(2);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(guest.ram[STATUS(1)], VIRTIO_BLK_S_OK);
}
END_TEST

/* The host filesystem refuses a write (here: past the file-size limit, as
 * a full disk would): that request is IOERR, the guest lives on and the
 * device keeps working. */
START_TEST(test_write_the_host_refuses_is_ioerr_and_the_device_goes_on)
{
	struct rlimit lim = { 512 * 16, 512 * 16 };

	driver_init();
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(ftruncate(file_fd, 512 * 16), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	memset(guest.ram + DATA(0), 0x5A, 1024);
	post(0, VIRTIO_BLK_T_OUT, 15, 1024, false); /* would grow the file */
	post(1, VIRTIO_BLK_T_OUT, 2, 512, false);
	vth_notify(SLOT, 0);
	wait_used(2);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(guest.ram[STATUS(1)], VIRTIO_BLK_S_OK);
	check_file(2 * 512, guest.ram + DATA(1), 512);
	ck_assert(!guest.fault.raised);
}
END_TEST

/* Requests in flight when the guest restarts (or resets the device) are
 * finished or cancelled before reset returns and never answered: no used
 * entry, no status, no data lands in the new guest's memory. */
static void check_reset_forgets_in_flight(void (*do_reset)(void))
{
	driver_init();
	for (unsigned k = 0; k < 4; k++) {
		memset(guest.ram + DATA(k), 0x66, 4096);
		post(k, k == 3 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 8 * k,
		     4096, k != 3);
	}
	post(4, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	vth_notify(SLOT, 0);
	ck_assert_uint_eq(vth_used_idx(&vq), 0);
	do_reset();
	ck_assert_uint_eq(vth_bar_read(SLOT, VIRTIO_PCI_COMMON_STATUS, 1), 0);

	/* the new guest's memory */
	memset(guest.ram, 0x99, RAM_SIZE);
	usleep(50 * 1000);
	virtio_blk_poll(blk);
	for (uint32_t i = 0; i < RAM_SIZE; i++)
		if (guest.ram[i] != 0x99)
			ck_abort_msg("guest memory changed at 0x%x", i);
	ck_assert_uint_eq(irqs_raised, 0);

	/* and the device works for the new driver */
	memset(guest.ram, 0, RAM_SIZE);
	vq.avail_idx = 0;
	driver_init();
	post(0, VIRTIO_BLK_T_IN, 1, 512, true);
	vth_notify(SLOT, 0);
	wait_used(1);
	ck_assert_uint_eq(guest.ram[STATUS(0)], VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(guest.ram[DATA(0)], pattern(512));
	ck_assert(!guest.fault.raised);
}

static void guest_restart(void)
{
	pci_bus_reset(guest.bus);
}

static void driver_resets_device(void)
{
	vth_bar_write(SLOT, VIRTIO_PCI_COMMON_STATUS, 1, 0);
}

START_TEST(test_restart_with_io_in_flight_answers_nothing)
{
	check_reset_forgets_in_flight(guest_restart);
}
END_TEST

START_TEST(test_device_reset_with_io_in_flight_answers_nothing)
{
	check_reset_forgets_in_flight(driver_resets_device);
}
END_TEST

static Suite *blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("blk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_block_device_ids_and_class);
	tcase_add_test(tc, test_offers_flush_seg_max_blk_size_not_ro);
	tcase_add_test(tc, test_config_capacity_is_whole_sectors_of_the_file);
	tcase_add_test(tc, test_create_names_the_file_in_its_error);
	tcase_add_test(tc, test_read_fills_the_buffers_with_the_file);
	tcase_add_test(tc, test_write_reaches_the_file_and_reads_back);
	tcase_add_test(tc, test_flush_completes_after_the_write_before_it);
	tcase_add_test(tc, test_flush_with_nothing_written_completes);
	tcase_add_test(tc, test_get_id_returns_a_20_byte_serial);
	tcase_add_test(tc, test_unknown_type_is_unsupported);
	tcase_add_test(tc, test_read_only_device_offers_ro_and_refuses_writes);
	tcase_add_test(tc, test_past_the_end_is_ioerr_and_moves_nothing);
	tcase_add_test(tc, test_wrong_direction_or_partial_sector_is_ioerr);
	tcase_add_test(tc, test_header_and_status_are_found_by_byte_position);
	tcase_add_test(tc, test_chain_without_status_byte_kills_the_guest);
	tcase_add_test(tc, test_short_header_kills_the_guest);
	tcase_add_test(tc, test_requests_in_flight_complete_with_one_interrupt);
	tcase_add_test(tc, test_read_past_a_shrunk_file_is_ioerr);
	tcase_add_test(tc, test_write_the_host_refuses_is_ioerr_and_the_device_goes_on);
	tcase_add_test(tc, test_restart_with_io_in_flight_answers_nothing);
	tcase_add_test(tc, test_device_reset_with_io_in_flight_answers_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
