/*
 * A minimal virtio 1.0 ("modern") PCI driver: capabilities, feature
 * negotiation, split virtqueues.  Enough to drive the console's transmit
 * queue, and to hand the device bad descriptors on purpose.
 */
#ifndef CONF_VIRTIO_H
#define CONF_VIRTIO_H

#include <stdint.h>

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_CONSOLE_F_EMERG_WRITE (1ull << 2)

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2

/* struct virtio_pci_common_cfg offsets. */
#define VCOMMON_DFSELECT 0
#define VCOMMON_DF 4
#define VCOMMON_GFSELECT 8
#define VCOMMON_GF 12
#define VCOMMON_MSIX 16
#define VCOMMON_NUMQ 18
#define VCOMMON_STATUS 20
#define VCOMMON_CFGGENERATION 21
#define VCOMMON_Q_SELECT 22
#define VCOMMON_Q_SIZE 24
#define VCOMMON_Q_MSIX 26
#define VCOMMON_Q_ENABLE 28
#define VCOMMON_Q_NOFF 30
#define VCOMMON_Q_DESCLO 32
#define VCOMMON_Q_DESCHI 36
#define VCOMMON_Q_AVAILLO 40
#define VCOMMON_Q_AVAILHI 44
#define VCOMMON_Q_USEDLO 48
#define VCOMMON_Q_USEDHI 52

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vring_avail {
	uint16_t flags, idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id, len;
};

struct vring_used {
	uint16_t flags, idx;
	struct vring_used_elem ring[];
};

struct virtio_dev {
	unsigned pci_dev;
	uint32_t bar0_phys;
	uint32_t common, notify, isr, device; /* mapped addresses */
	uint32_t notify_mult;
	unsigned irq_line;
};

struct virtq {
	unsigned index;
	uint16_t size, notify_off;
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	uint16_t last_used;
};

/* Each returns 0 on success or a negative step number, for diagnostics. */
int virtio_probe(struct virtio_dev *d, unsigned pci_dev);
uint64_t virtio_device_features(struct virtio_dev *d); /* only after DRIVER */
/* Reset and negotiate; *offered gets the device's features. */
int virtio_negotiate(struct virtio_dev *d, uint64_t features, uint64_t *offered);
int virtq_setup(struct virtio_dev *d, struct virtq *q, unsigned index);
void virtio_driver_ok(struct virtio_dev *d);
uint8_t virtio_status(struct virtio_dev *d);
uint8_t virtio_isr(struct virtio_dev *d); /* reading acknowledges */

/* Probe, negotiate VERSION_1 and set up the console's queues 0 and 1. */
int virtio_console_start(struct virtio_dev *d, struct virtq *rx, struct virtq *tx);

/* Make descriptor chain 'head' available and notify the device. */
void virtq_kick(struct virtio_dev *d, struct virtq *q, uint16_t head);
/* Wait for the device to return a buffer; 1 if it did. */
int virtq_wait_used(struct virtq *q, uint32_t us);

/*
 * Added for the dev_* hostile guests: queues set up exactly as told, any
 * virtio device's queue 0, and block requests.
 */
#define VIRTIO_RING_F_INDIRECT_DESC (1ull << 28)
#define VRING_DESC_F_INDIRECT 4
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define PCI_FIRST_EXTRA_DEV 2 /* 00:02.0: the first device after the console */

struct virtio_blk_req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

/* Fills t[0..2] with a well-formed block read of sector 0 (header, 512
 * bytes, status byte) and returns the table's physical address: the good
 * indirect table the dev_indirect_* guests point at. */
uint32_t virtio_blk_read_table(volatile struct vring_desc *t);
/* virtio_probe for a device that may have no device configuration (rng):
 * d->device is 0 then. */
int virtio_probe_nocfg(struct virtio_dev *d, unsigned pci_dev);
/* Selects queue `index`, writes size and ring addresses as given, no
 * checks, then queue_enable = 1. */
void virtq_setup_raw(struct virtio_dev *d, unsigned index, uint16_t size, uint64_t desc, uint64_t avail,
		     uint64_t used);
/* Probe (virtio_probe_nocfg), negotiate `features` | VERSION_1, set up
 * queue 0 as q, DRIVER_OK.  0 or a negative step number. */
int virtio_start_queue0(struct virtio_dev *d, unsigned pci_dev, uint64_t features, struct virtq *q);
/* virtq_wait_used that reads device_status on every pass, as a polling
 * driver would: each pass is an exit to the host (dev_blk_completion_spin
 * checks the other way: completions reaching a guest that never exits). */
int virtq_wait_used_polling(struct virtio_dev *d, struct virtq *q, uint32_t us);
/* The used element virtq_wait_used last took. */
volatile struct vring_used_elem *virtq_last_used(struct virtq *q);
/* One block request through descriptors 0..2: header, `len` bytes of data
 * at data_phys (device-writable for T_IN and T_GET_ID, else readable; none
 * when len is 0), status byte.  Waits with virtq_wait_used_polling.
 * Returns the status byte the device wrote, or -1 when the request did not
 * come back within 2 s; *used_len (if not NULL) gets the used length. */
int virtio_blk_request(struct virtio_dev *d, struct virtq *q, uint32_t type, uint64_t sector, uint32_t data_phys,
		       uint32_t len, uint32_t *used_len);

#endif
