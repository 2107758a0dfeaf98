/* virtio 1.0 PCI transport and split virtqueues (virtio spec 4.1 and 2.4). */
#include "runtime.h"
#include "virtio.h"

/* Finds the transport's capabilities and maps BAR 0; the device
 * configuration is required unless need_device_cfg is false (an rng has
 * none), and then d->device is 0 without it. */
static int probe(struct virtio_dev *d, unsigned pci_dev, int need_device_cfg)
{
	static const unsigned types[] = { VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_ISR_CFG,
					  VIRTIO_PCI_CAP_DEVICE_CFG };
	unsigned caps[4], i;
	uint32_t bar, span = 0, va;

	memset(d, 0, sizeof(*d));
	d->pci_dev = pci_dev;
	for (i = 0; i < 4; i++) {
		uint32_t end;

		caps[i] = pci_find_virtio_cap(pci_dev, types[i], 0);
		if (!caps[i]) {
			if (types[i] == VIRTIO_PCI_CAP_DEVICE_CFG && !need_device_cfg)
				continue;
			return -1;
		}
		end = pci_read32(pci_dev, caps[i] + VCAP_OFFSET) + pci_read32(pci_dev, caps[i] + VCAP_LENGTH);
		if (end > span)
			span = end;
	}
	bar = pci_read32(pci_dev, 0x10);
	if (bar & 1) /* an I/O BAR */
		return -2;
	if ((bar & 6) == 4 && pci_read32(pci_dev, 0x14) != 0) /* 64-bit BAR above 4 GiB */
		return -3;
	d->bar0_phys = bar & ~0xFu;
	if (!d->bar0_phys)
		return -4;
	/* Memory decoding and bus mastering on, as pci_enable_device() would. */
	pci_write16(pci_dev, 0x04, pci_read16(pci_dev, 0x04) | 0x6);
	va = iomap(d->bar0_phys, span);
	d->common = va + pci_read32(pci_dev, caps[0] + VCAP_OFFSET);
	d->notify = va + pci_read32(pci_dev, caps[1] + VCAP_OFFSET);
	d->notify_mult = pci_read32(pci_dev, caps[1] + VCAP_NOTIFY_MULT);
	d->isr = va + pci_read32(pci_dev, caps[2] + VCAP_OFFSET);
	d->device = caps[3] ? va + pci_read32(pci_dev, caps[3] + VCAP_OFFSET) : 0;
	d->irq_line = pci_read8(pci_dev, 0x3C);
	return 0;
}

int virtio_probe(struct virtio_dev *d, unsigned pci_dev)
{
	return probe(d, pci_dev, 1);
}

uint8_t virtio_status(struct virtio_dev *d)
{
	return mmio_read8(d->common + VCOMMON_STATUS);
}

static void virtio_status_add(struct virtio_dev *d, uint8_t bit)
{
	mmio_write8(d->common + VCOMMON_STATUS, virtio_status(d) | bit);
}

uint64_t virtio_device_features(struct virtio_dev *d)
{
	uint32_t lo, hi;

	mmio_write32(d->common + VCOMMON_DFSELECT, 0);
	lo = mmio_read32(d->common + VCOMMON_DF);
	mmio_write32(d->common + VCOMMON_DFSELECT, 1);
	hi = mmio_read32(d->common + VCOMMON_DF);
	return ((uint64_t)hi << 32) | lo;
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK and re-read it;
 * one new status bit per write, as the lguest Launcher insists. */
int virtio_negotiate(struct virtio_dev *d, uint64_t features, uint64_t *offered)
{
	int n;

	mmio_write8(d->common + VCOMMON_STATUS, 0);
	for (n = 0; virtio_status(d) != 0; n++)
		if (n > 1000)
			return -1;
	virtio_status_add(d, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_status_add(d, VIRTIO_STATUS_DRIVER);
	*offered = virtio_device_features(d);
	features &= *offered;
	mmio_write32(d->common + VCOMMON_GFSELECT, 0);
	mmio_write32(d->common + VCOMMON_GF, (uint32_t)features);
	mmio_write32(d->common + VCOMMON_GFSELECT, 1);
	mmio_write32(d->common + VCOMMON_GF, (uint32_t)(features >> 32));
	virtio_status_add(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(d) & VIRTIO_STATUS_FEATURES_OK))
		return -2;
	return 0;
}

/* Descriptor table, available and used rings on pages of their own. */
int virtq_setup(struct virtio_dev *d, struct virtq *q, unsigned index)
{
	uint16_t size;

	memset(q, 0, sizeof(*q));
	mmio_write16(d->common + VCOMMON_Q_SELECT, (uint16_t)index);
	size = mmio_read16(d->common + VCOMMON_Q_SIZE);
	if (size == 0 || (size & (size - 1)))
		return -1;
	if (size > 256) {
		size = 256;
		mmio_write16(d->common + VCOMMON_Q_SIZE, size);
	}
	q->index = index;
	q->size = size;
	q->notify_off = mmio_read16(d->common + VCOMMON_Q_NOFF);
	q->desc = page_alloc();
	q->avail = page_alloc();
	q->used = page_alloc();
	mmio_write32(d->common + VCOMMON_Q_DESCLO, virt_to_phys(q->desc));
	mmio_write32(d->common + VCOMMON_Q_DESCHI, 0);
	mmio_write32(d->common + VCOMMON_Q_AVAILLO, virt_to_phys(q->avail));
	mmio_write32(d->common + VCOMMON_Q_AVAILHI, 0);
	mmio_write32(d->common + VCOMMON_Q_USEDLO, virt_to_phys(q->used));
	mmio_write32(d->common + VCOMMON_Q_USEDHI, 0);
	mmio_write16(d->common + VCOMMON_Q_ENABLE, 1);
	return 0;
}

void virtio_driver_ok(struct virtio_dev *d)
{
	virtio_status_add(d, VIRTIO_STATUS_DRIVER_OK);
}

uint8_t virtio_isr(struct virtio_dev *d)
{
	return mmio_read8(d->isr);
}

void virtq_kick(struct virtio_dev *d, struct virtq *q, uint16_t head)
{
	uint16_t idx = q->avail->idx;

	q->avail->ring[idx % q->size] = head;
	barrier();
	q->avail->idx = (uint16_t)(idx + 1);
	barrier();
	mmio_write16(d->notify + (uint32_t)q->notify_off * d->notify_mult, (uint16_t)q->index);
}

int virtq_wait_used(struct virtq *q, uint32_t us)
{
	if (!WAIT_UNTIL(q->used->idx != q->last_used, us))
		return 0;
	q->last_used++;
	return 1;
}

int virtio_console_start(struct virtio_dev *d, struct virtq *rx, struct virtq *tx)
{
	uint64_t offered;

	if (virtio_probe(d, PCI_CONSOLE_DEV))
		return -1;
	if (virtio_negotiate(d, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE, &offered))
		return -2;
	if (virtq_setup(d, rx, 0) || virtq_setup(d, tx, 1))
		return -3;
	virtio_driver_ok(d);
	return 0;
}

/* ---- Added for the dev_* hostile guests ---- */

int virtio_probe_nocfg(struct virtio_dev *d, unsigned pci_dev)
{
	return probe(d, pci_dev, 0);
}

uint32_t virtio_blk_read_table(volatile struct vring_desc *t)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();

	hdr->type = VIRTIO_BLK_T_IN;
	t[0].addr = virt_to_phys(hdr);
	t[0].len = sizeof(*hdr);
	t[0].flags = VRING_DESC_F_NEXT;
	t[0].next = 1;
	t[1].addr = page_alloc_phys();
	t[1].len = 512;
	t[1].flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
	t[1].next = 2;
	t[2].addr = virt_to_phys(hdr + 1);
	t[2].len = 1;
	t[2].flags = VRING_DESC_F_WRITE;
	return virt_to_phys(t);
}

void virtq_setup_raw(struct virtio_dev *d, unsigned index, uint16_t size, uint64_t desc, uint64_t avail,
		     uint64_t used)
{
	mmio_write16(d->common + VCOMMON_Q_SELECT, (uint16_t)index);
	mmio_write16(d->common + VCOMMON_Q_SIZE, size);
	mmio_write32(d->common + VCOMMON_Q_DESCLO, (uint32_t)desc);
	mmio_write32(d->common + VCOMMON_Q_DESCHI, (uint32_t)(desc >> 32));
	mmio_write32(d->common + VCOMMON_Q_AVAILLO, (uint32_t)avail);
	mmio_write32(d->common + VCOMMON_Q_AVAILHI, (uint32_t)(avail >> 32));
	mmio_write32(d->common + VCOMMON_Q_USEDLO, (uint32_t)used);
	mmio_write32(d->common + VCOMMON_Q_USEDHI, (uint32_t)(used >> 32));
	mmio_write16(d->common + VCOMMON_Q_ENABLE, 1);
}

int virtio_start_queue0(struct virtio_dev *d, unsigned pci_dev, uint64_t features, struct virtq *q)
{
	uint64_t offered;

	if (virtio_probe_nocfg(d, pci_dev))
		return -1;
	if (virtio_negotiate(d, VIRTIO_F_VERSION_1 | features, &offered))
		return -2;
	if (virtq_setup(d, q, 0))
		return -3;
	virtio_driver_ok(d);
	return 0;
}

int virtq_wait_used_polling(struct virtio_dev *d, struct virtq *q, uint32_t us)
{
	if (!WAIT_UNTIL((virtio_status(d), q->used->idx != q->last_used), us))
		return 0;
	q->last_used++;
	return 1;
}

volatile struct vring_used_elem *virtq_last_used(struct virtq *q)
{
	return &q->used->ring[(uint16_t)(q->last_used - 1) % q->size];
}

int virtio_blk_request(struct virtio_dev *d, struct virtq *q, uint32_t type, uint64_t sector, uint32_t data_phys,
		       uint32_t len, uint32_t *used_len)
{
	struct virtio_blk_req_hdr *hdr = page_alloc();
	volatile uint8_t *status = (volatile uint8_t *)(hdr + 1);
	uint16_t in = (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID) ? VRING_DESC_F_WRITE : 0;
	unsigned n = 0;

	hdr->type = type;
	hdr->sector = sector;
	*status = 0xFF; /* no VIRTIO_BLK_S_* value: shows whether the device wrote it */
	q->desc[n].addr = virt_to_phys(hdr);
	q->desc[n].len = sizeof(*hdr);
	q->desc[n].flags = VRING_DESC_F_NEXT;
	q->desc[n].next = (uint16_t)(n + 1);
	n++;
	if (len) {
		q->desc[n].addr = data_phys;
		q->desc[n].len = len;
		q->desc[n].flags = VRING_DESC_F_NEXT | in;
		q->desc[n].next = (uint16_t)(n + 1);
		n++;
	}
	q->desc[n].addr = virt_to_phys(status);
	q->desc[n].len = 1;
	q->desc[n].flags = VRING_DESC_F_WRITE;
	q->desc[n].next = 0;
	virtq_kick(d, q, 0);
	if (!virtq_wait_used_polling(d, q, 2000000))
		return -1;
	if (used_len)
		*used_len = virtq_last_used(q)->len;
	return *status;
}
