/*
 * virtio-pci modern transport: PCI identity and capabilities, the common
 * configuration registers (features, status, queues), notifications, ISR,
 * and the VIRTIO_PCI_CAP_PCI_CFG window through configuration space.
 *
 * Guest mistakes that cannot hurt the host (a write to a read-only
 * register, an odd access width, a notification for a queue that does not
 * exist) are ignored and traced, as hardware would.  Queues the guest sets
 * up badly kill it (virtqueue.c).
 */
#define VIRTIO_PCI_NO_LEGACY
#include "devices/virtio_pci.h"

#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/trace.h"

#define VIRTIO_PCI_REVISION 1        /* non-transitional (4.1.2.1) */
#define VIRTIO_PCI_SUBSYSTEM_ID 0x40 /* non-transitional: 0x40 or more */
#define VIRTIO_PCI_ISR_QUEUE 0x1

struct virtio_pci_queue {
	uint16_t size;               /* queue_size register */
	uint64_t desc, avail, used;  /* address registers */
	bool notify_pending;         /* kicked before DRIVER_OK */
	struct virtqueue vq;
};

struct virtio_pci {
	struct pci_device pci;
	const struct virtio_device_ops *ops;
	void *dev;
	const struct device_host *host;
	uint64_t offered;
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint8_t status;
	uint8_t isr;
	uint8_t generation;
	uint16_t queue_select;
	unsigned cfg_cap;            /* config offset of the PCI_CFG window */
	struct virtio_pci_queue *queues;
};

static struct virtio_pci_queue *vp_selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->ops->num_queues
		       ? &vp->queues[vp->queue_select]
		       : NULL;
}

static uint64_t vp_le(const uint8_t *data, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len && i < 8; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

static void vp_reset(struct virtio_pci *vp)
{
	vp->status = 0;
	vp->isr = 0;
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	for (unsigned i = 0; i < vp->ops->num_queues; i++) {
		struct virtio_pci_queue *q = &vp->queues[i];

		virtq_reset(&q->vq);
		q->size = vp->ops->queue_max_size;
		q->desc = q->avail = q->used = 0;
		q->notify_pending = false;
	}
	if (vp->ops->reset)
		vp->ops->reset(vp->dev);
}

static void vp_signal_queue(void *opaque)
{
	struct virtio_pci *vp = opaque;

	/* 2.1.2: no interrupts before DRIVER_OK. */
	if (!virtio_pci_live(vp))
		return;
	vp->isr |= VIRTIO_PCI_ISR_QUEUE;
	TRACE("dev", "virtio=%s irq=%u isr=0x%x", vp->ops->name, vp->pci.irq,
	      vp->isr);
	pci_device_raise_irq(&vp->pci);
}

static void vp_notify(struct virtio_pci *vp, unsigned index)
{
	struct virtio_pci_queue *q = &vp->queues[index];

	TRACE("dev", "virtio=%s notify=%u live=%d", vp->ops->name, index,
	      virtio_pci_live(vp));
	if (!q->vq.enabled)
		return;
	if (!virtio_pci_live(vp)) {
		q->notify_pending = true;
		return;
	}
	if (vp->ops->queue_notify)
		vp->ops->queue_notify(vp->dev, index);
}

static bool vp_features_acceptable(struct virtio_pci *vp)
{
	uint64_t f = vp->driver_features;

	if (f & ~vp->offered)
		return false; /* 2.2.1: never more than offered */
	/* A modern-only device needs VERSION_1 (6.1). */
	if (!(f & (1ull << VIRTIO_F_VERSION_1)))
		return false;
	return !vp->ops->features_ok || vp->ops->features_ok(vp->dev, f);
}

static void vp_write_status(struct virtio_pci *vp, uint8_t val)
{
	uint8_t old = vp->status, new_status;

	if (val == 0) {
		TRACE("dev", "virtio=%s reset", vp->ops->name);
		vp_reset(vp);
		return;
	}
	/* Status bits only accumulate until reset (2.1.1). */
	new_status = old | val;
	if ((new_status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !vp_features_acceptable(vp)) {
		/* 3.1.1: the driver re-reads status and gives up. */
		TRACE("dev", "virtio=%s refuse features=0x%llx offered=0x%llx",
		      vp->ops->name, (unsigned long long)vp->driver_features,
		      (unsigned long long)vp->offered);
		new_status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	/* Not live without negotiated features. */
	if (!(new_status & VIRTIO_CONFIG_S_FEATURES_OK))
		new_status &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
	vp->status = new_status;
	TRACE("dev", "virtio=%s status=0x%x", vp->ops->name, new_status);

	if ((new_status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_DRIVER_OK)) {
		if (vp->ops->driver_ok)
			vp->ops->driver_ok(vp->dev);
		for (unsigned i = 0; i < vp->ops->num_queues; i++) {
			struct virtio_pci_queue *q = &vp->queues[i];

			if (q->notify_pending && q->vq.enabled &&
			    vp->ops->queue_notify) {
				q->notify_pending = false;
				vp->ops->queue_notify(vp->dev, i);
			}
		}
	}
}

static void vp_enable_queue(struct virtio_pci *vp, struct virtio_pci_queue *q)
{
	if (q->vq.enabled)
		return;
	/* 3.1.1: queues are set up after FEATURES_OK, which fixes the ring
	 * features the queue runs with. */
	if (!(vp->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		TRACE("dev", "virtio=%s queue=%u enable-before-features-ok",
		      vp->ops->name, vp->queue_select);
		return;
	}
	virtq_enable(&q->vq, q->size, q->desc, q->avail, q->used,
		     vp->driver_features);
}

static void vp_set_half(uint64_t *reg, bool high, uint32_t v)
{
	if (high)
		*reg = (*reg & 0xFFFFFFFFull) | (uint64_t)v << 32;
	else
		*reg = (*reg & ~0xFFFFFFFFull) | v;
}

static void vp_common_read(struct virtio_pci *vp, unsigned off, uint8_t *data,
			   unsigned len)
{
	struct virtio_pci_common_cfg c;
	struct virtio_pci_queue *q = vp_selected(vp);

	memset(&c, 0, sizeof(c));
	c.device_feature_select = vp->dfselect;
	if (vp->dfselect < 2)
		c.device_feature = (uint32_t)(vp->offered >> (32 * vp->dfselect));
	c.guest_feature_select = vp->gfselect;
	if (vp->gfselect < 2)
		c.guest_feature =
			(uint32_t)(vp->driver_features >> (32 * vp->gfselect));
	c.msix_config = VIRTIO_MSI_NO_VECTOR;
	c.num_queues = (uint16_t)vp->ops->num_queues;
	c.device_status = vp->status;
	c.config_generation = vp->generation;
	c.queue_select = vp->queue_select;
	c.queue_msix_vector = VIRTIO_MSI_NO_VECTOR;
	if (q) {
		c.queue_size = q->size;
		c.queue_enable = q->vq.enabled;
		c.queue_notify_off = 0;
		c.queue_desc_lo = (uint32_t)q->desc;
		c.queue_desc_hi = (uint32_t)(q->desc >> 32);
		c.queue_avail_lo = (uint32_t)q->avail;
		c.queue_avail_hi = (uint32_t)(q->avail >> 32);
		c.queue_used_lo = (uint32_t)q->used;
		c.queue_used_hi = (uint32_t)(q->used >> 32);
	}
	/* Any width reads the bytes it covers; nothing here has side effects. */
	if (off + len <= VIRTIO_PCI_BAR_COMMON_LEN)
		memcpy(data, (const uint8_t *)&c + off, len);
}

static void vp_common_write(struct virtio_pci *vp, unsigned off,
			    const uint8_t *data, unsigned len)
{
	struct virtio_pci_queue *q = vp_selected(vp);
	uint32_t v = (uint32_t)vp_le(data, len);
	unsigned want;

	/* 4.1.3.1: natural width for every field. */
	switch (off) {
	case VIRTIO_PCI_COMMON_STATUS:
		want = 1;
		break;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		want = 2;
		break;
	case VIRTIO_PCI_COMMON_DFSELECT:
	case VIRTIO_PCI_COMMON_GFSELECT:
	case VIRTIO_PCI_COMMON_GF:
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		want = 4;
		break;
	default:
		want = 0; /* read-only or not a register */
		break;
	}
	if (len != want) {
		TRACE("dev", "virtio=%s ignored-write off=0x%x len=%u",
		      vp->ops->name, off, len);
		return;
	}

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vp->dfselect = v;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vp->gfselect = v;
		break;
	case VIRTIO_PCI_COMMON_GF:
		/* 3.1.1: features are fixed once FEATURES_OK is set. */
		if (vp->gfselect < 2 &&
		    !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK))
			vp_set_half(&vp->driver_features, vp->gfselect == 1, v);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		vp_write_status(vp, (uint8_t)v);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		vp->queue_select = (uint16_t)v;
		break;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_Q_MSIX:
		break; /* no MSI-X: vectors stay VIRTIO_MSI_NO_VECTOR */
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* 4.1.4.3.2: the driver never writes 0 here. */
		if (q && v == 1)
			vp_enable_queue(vp, q);
		break;
	default:
		/* Queue size and addresses: fixed while the queue runs. */
		if (!q || q->vq.enabled)
			break;
		if (off == VIRTIO_PCI_COMMON_Q_SIZE)
			q->size = (uint16_t)v;
		else if (off == VIRTIO_PCI_COMMON_Q_DESCLO ||
			 off == VIRTIO_PCI_COMMON_Q_DESCHI)
			vp_set_half(&q->desc, off == VIRTIO_PCI_COMMON_Q_DESCHI,
				    v);
		else if (off == VIRTIO_PCI_COMMON_Q_AVAILLO ||
			 off == VIRTIO_PCI_COMMON_Q_AVAILHI)
			vp_set_half(&q->avail,
				    off == VIRTIO_PCI_COMMON_Q_AVAILHI, v);
		else
			vp_set_half(&q->used, off == VIRTIO_PCI_COMMON_Q_USEDHI,
				    v);
		break;
	}
}

static void vp_trace_access(struct virtio_pci *vp, uint32_t off,
			    const uint8_t *data, unsigned len, bool is_write,
			    const char *via)
{
	TRACE("mmio", "virtio=%s off=0x%x len=%u %s=0x%llx%s", vp->ops->name,
	      off, len, is_write ? "write" : "read",
	      (unsigned long long)vp_le(data, len), via);
}

/* BAR 0 access, from an MMIO exit or through the PCI_CFG window.  Writes
 * are traced before their effects, reads with the value they return. */
static void vp_bar_access(struct virtio_pci *vp, uint32_t off, uint8_t *data,
			  unsigned len, bool is_write, const char *via)
{
	const struct virtio_device_ops *ops = vp->ops;

	if (is_write)
		vp_trace_access(vp, off, data, len, true, via);
	else
		memset(data, 0xFF, len);
	if (off + len <= VIRTIO_PCI_BAR_COMMON + VIRTIO_PCI_BAR_COMMON_LEN) {
		if (is_write)
			vp_common_write(vp, off, data, len);
		else
			vp_common_read(vp, off, data, len);
	} else if (off == VIRTIO_PCI_BAR_NOTIFY) {
		if (is_write && (len == 2 || len == 4)) {
			unsigned index = data[0] | data[1] << 8;

			if (index < ops->num_queues)
				vp_notify(vp, index);
			else
				TRACE("dev", "virtio=%s notify=%u no-such-queue",
				      ops->name, index);
		} else if (!is_write) {
			memset(data, 0, len);
		}
	} else if (off == VIRTIO_PCI_BAR_ISR) {
		if (!is_write) {
			/* 4.1.4.5.1: reading ISR status resets it. */
			memset(data, 0, len);
			data[0] = vp->isr;
			vp->isr = 0;
		}
	} else if (off >= VIRTIO_PCI_BAR_DEVICE &&
		   off - VIRTIO_PCI_BAR_DEVICE + len <= ops->config_size) {
		if (is_write && ops->config_write)
			ops->config_write(vp->dev, off - VIRTIO_PCI_BAR_DEVICE,
					  data, len);
		else if (!is_write && ops->config_read)
			ops->config_read(vp->dev, off - VIRTIO_PCI_BAR_DEVICE,
					 data, len);
	}
	if (!is_write)
		vp_trace_access(vp, off, data, len, false, via);
}

static void vp_bar_read(struct pci_device *pdev, unsigned bar, uint32_t off,
			uint8_t *data, unsigned len)
{
	(void)bar; /* BAR 0 is the only one */
	vp_bar_access(pdev->opaque, off, data, len, false, "");
}

static void vp_bar_write(struct pci_device *pdev, unsigned bar, uint32_t off,
			 const uint8_t *data, unsigned len)
{
	uint8_t copy[8];

	(void)bar;
	memcpy(copy, data, len);
	vp_bar_access(pdev->opaque, off, copy, len, true, "");
}

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.7): the guest writes bar, offset
 * and length into the capability, then reading or writing pci_cfg_data
 * performs that BAR access.  lguest's early console writes emerg_wr this
 * way before any driver has mapped the BAR.
 */
#define VP_CFG_DATA (sizeof(struct virtio_pci_cap))

static bool vp_window_overlaps_data(struct virtio_pci *vp, unsigned off,
				    unsigned len)
{
	unsigned data = vp->cfg_cap + VP_CFG_DATA;

	return off < data + 4 && data < off + len;
}

/* The window's target, or false when bar/offset/length are not usable. */
static bool vp_window_target(struct virtio_pci *vp, uint32_t *off,
			     uint32_t *len)
{
	const struct pci_device *p = &vp->pci;
	unsigned cap = vp->cfg_cap;
	uint8_t bar = pci_config_get8(p, cap + VIRTIO_PCI_CAP_BAR);

	*off = pci_config_get32(p, cap + VIRTIO_PCI_CAP_OFFSET);
	*len = pci_config_get32(p, cap + VIRTIO_PCI_CAP_LENGTH);
	if (bar != 0 || (*len != 1 && *len != 2 && *len != 4) ||
	    *off % *len || *off > p->bar_size[0] - *len) {
		TRACE("dev", "virtio=%s pci-cfg-window bad bar=%u off=0x%x "
		      "len=%u", vp->ops->name, bar, *off, *len);
		return false;
	}
	return true;
}

static void vp_config_read_hook(struct pci_device *pdev, unsigned off,
				unsigned len)
{
	struct virtio_pci *vp = pdev->opaque;
	uint32_t woff, wlen;

	if (!vp_window_overlaps_data(vp, off, len) ||
	    !vp_window_target(vp, &woff, &wlen))
		return;
	vp_bar_access(vp, woff, pdev->config + vp->cfg_cap + VP_CFG_DATA, wlen,
		      false, " via=pci-cfg");
}

static void vp_config_write_hook(struct pci_device *pdev, unsigned off,
				 unsigned len)
{
	struct virtio_pci *vp = pdev->opaque;
	uint32_t woff, wlen;
	uint8_t copy[4];

	if (!vp_window_overlaps_data(vp, off, len) ||
	    !vp_window_target(vp, &woff, &wlen))
		return;
	memcpy(copy, pdev->config + vp->cfg_cap + VP_CFG_DATA, 4);
	vp_bar_access(vp, woff, copy, wlen, true, " via=pci-cfg");
}

static void vp_pci_reset(struct pci_device *pdev)
{
	vp_reset(pdev->opaque);
}

static void vp_free(struct virtio_pci *vp)
{
	free(vp->queues);
	free(vp);
}

static void vp_pci_destroy(struct pci_device *pdev)
{
	struct virtio_pci *vp = pdev->opaque;

	if (vp->ops->destroy)
		vp->ops->destroy(vp->dev);
	vp_free(vp);
}

static const struct pci_device_ops virtio_pci_ops = {
	.bar_read = vp_bar_read,
	.bar_write = vp_bar_write,
	.config_read_hook = vp_config_read_hook,
	.config_write_hook = vp_config_write_hook,
	.reset = vp_pci_reset,
	.destroy = vp_pci_destroy,
};

/* Fills a virtio vendor capability (4.1.4) of `len` bytes; returns its
 * config offset. */
static unsigned vp_add_cap(struct virtio_pci *vp, uint8_t type, unsigned len,
			   uint32_t bar_off, uint32_t bar_len)
{
	struct pci_device *p = &vp->pci;
	unsigned cap = pci_device_add_capability(p, PCI_CAP_ID_VNDR, len);

	pci_config_set8(p, cap + VIRTIO_PCI_CAP_LEN, (uint8_t)len);
	pci_config_set8(p, cap + VIRTIO_PCI_CAP_CFG_TYPE, type);
	pci_config_set8(p, cap + VIRTIO_PCI_CAP_BAR, 0);
	pci_config_set32(p, cap + VIRTIO_PCI_CAP_OFFSET, bar_off);
	pci_config_set32(p, cap + VIRTIO_PCI_CAP_LENGTH, bar_len);
	return cap;
}

struct virtio_pci *virtio_pci_create(struct pci_bus *bus, int devnum,
				     const struct virtio_device_ops *ops,
				     void *dev)
{
	struct virtio_pci *vp;
	struct pci_device *p;
	unsigned cap;

	if (ops->num_queues == 0 || ops->num_queues > 0xFFFF ||
	    ops->queue_max_size == 0 ||
	    (ops->queue_max_size & (ops->queue_max_size - 1)) ||
	    ops->queue_max_size > VIRTQ_MAX_SIZE ||
	    ops->config_size > PCI_BAR_MIN_SIZE - VIRTIO_PCI_BAR_DEVICE)
		return NULL;
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return NULL;
	vp->queues = calloc(ops->num_queues, sizeof(*vp->queues));
	if (!vp->queues) {
		free(vp);
		return NULL;
	}
	vp->ops = ops;
	vp->dev = dev;
	vp->host = pci_bus_host(bus);
	vp->offered = ops->features | 1ull << VIRTIO_F_VERSION_1;

	p = &vp->pci;
	pci_device_init(p, ops->name, &virtio_pci_ops, vp, VIRTIO_PCI_VENDOR,
			(uint16_t)(VIRTIO_PCI_DEVICE_BASE + ops->device_id),
			ops->pci_class);
	pci_config_set8(p, PCI_REVISION_ID, VIRTIO_PCI_REVISION);
	pci_config_set16(p, PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR);
	pci_config_set16(p, PCI_SUBSYSTEM_ID, VIRTIO_PCI_SUBSYSTEM_ID);
	pci_device_add_mem_bar(p, 0, VIRTIO_PCI_BAR_DEVICE + ops->config_size);

	vp_add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG,
		   sizeof(struct virtio_pci_cap), VIRTIO_PCI_BAR_COMMON,
		   VIRTIO_PCI_BAR_COMMON_LEN);
	/* notify_off_multiplier 0: every queue is kicked at one address by
	 * writing its index (lguest did the same). */
	cap = vp_add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG,
			 sizeof(struct virtio_pci_notify_cap),
			 VIRTIO_PCI_BAR_NOTIFY, VIRTIO_PCI_BAR_NOTIFY_LEN);
	pci_config_set32(p, cap + VIRTIO_PCI_NOTIFY_CAP_MULT, 0);
	vp_add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, sizeof(struct virtio_pci_cap),
		   VIRTIO_PCI_BAR_ISR, VIRTIO_PCI_BAR_ISR_LEN);
	if (ops->config_size)
		vp_add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG,
			   sizeof(struct virtio_pci_cap), VIRTIO_PCI_BAR_DEVICE,
			   ops->config_size);
	/* The window: bar, offset, length and data are the guest's to set. */
	vp->cfg_cap = vp_add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG,
				 sizeof(struct virtio_pci_cap) + 4, 0, 0);
	pci_config_set_writable(p, vp->cfg_cap + VIRTIO_PCI_CAP_BAR, 1);
	pci_config_set_writable(p, vp->cfg_cap + VIRTIO_PCI_CAP_OFFSET, 4);
	pci_config_set_writable(p, vp->cfg_cap + VIRTIO_PCI_CAP_LENGTH, 4);
	pci_config_set_writable(p, vp->cfg_cap + VP_CFG_DATA, 4);

	for (unsigned i = 0; i < ops->num_queues; i++) {
		char name[32];

		if (ops->queue_names)
			snprintf(name, sizeof(name), "%s.%s", ops->name,
				 ops->queue_names[i]);
		else
			snprintf(name, sizeof(name), "%s.q%u", ops->name, i);
		virtq_init(&vp->queues[i].vq, name, vp->host->mem,
			   vp->host->fault, ops->queue_max_size,
			   vp_signal_queue, vp);
		vp->queues[i].size = ops->queue_max_size;
	}

	if (!pci_bus_add_device(bus, p, devnum)) {
		vp_free(vp);
		return NULL;
	}
	return vp;
}

struct virtqueue *virtio_pci_queue(struct virtio_pci *vp, unsigned index)
{
	return index < vp->ops->num_queues ? &vp->queues[index].vq : NULL;
}

uint64_t virtio_pci_features(const struct virtio_pci *vp)
{
	return vp->status & VIRTIO_CONFIG_S_FEATURES_OK ? vp->driver_features
							: 0;
}

bool virtio_pci_live(const struct virtio_pci *vp)
{
	return vp->status & VIRTIO_CONFIG_S_DRIVER_OK;
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->generation++;
	if (!virtio_pci_live(vp))
		return;
	vp->isr |= VIRTIO_PCI_ISR_CONFIG;
	TRACE("dev", "virtio=%s config-changed generation=%u", vp->ops->name,
	      vp->generation);
	pci_device_raise_irq(&vp->pci);
}

struct pci_device *virtio_pci_pci_device(struct virtio_pci *vp)
{
	return &vp->pci;
}
