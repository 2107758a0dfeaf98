/*
 * hostile: the driver accepts feature bits the console never offered
 * (INDIRECT_DESC, bit 28; bit 40, undefined) or leaves out VERSION_1,
 * which a modern-only device needs.  virtio 1.0 3.1.1/2.2.1: the device
 * refuses by leaving FEATURES_OK clear when the driver re-reads status.
 * After a reset, a correct negotiation works.
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

/* virtio_negotiate without its `features &= offered`. */
static uint8_t try_features(uint64_t features)
{
	mmio_write8(dev.common + VCOMMON_STATUS, 0);
	mmio_write8(dev.common + VCOMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	mmio_write8(dev.common + VCOMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mmio_write32(dev.common + VCOMMON_GFSELECT, 0);
	mmio_write32(dev.common + VCOMMON_GF, (uint32_t)features);
	mmio_write32(dev.common + VCOMMON_GFSELECT, 1);
	mmio_write32(dev.common + VCOMMON_GF, (uint32_t)(features >> 32));
	mmio_write8(dev.common + VCOMMON_STATUS,
		    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return virtio_status(&dev);
}

void guest_main(void)
{
	static const uint64_t bad[] = {
		VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_EMERG_WRITE | VIRTIO_RING_F_INDIRECT_DESC,
		VIRTIO_F_VERSION_1 | (1ull << 40),
		VIRTIO_CONSOLE_F_EMERG_WRITE,
	};
	uint64_t offered;
	unsigned i;

	kprintf("expect-survive: ^features never offered: FEATURES_OK refused; a correct set is accepted$\n");
	if (virtio_probe(&dev, PCI_CONSOLE_DEV))
		bail_out("virtio console probe failed");
	mmio_write8(dev.common + VCOMMON_STATUS, 0);
	mmio_write8(dev.common + VCOMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	offered = virtio_device_features(&dev);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t status;

		if ((bad[i] & ~offered) == 0 && (bad[i] & VIRTIO_F_VERSION_1))
			bail_out("the console offers all of %#llx", bad[i]);
		status = try_features(bad[i]);
		if (status & VIRTIO_STATUS_FEATURES_OK)
			bail_out("FEATURES_OK stuck for features %#llx (offered %#llx)", bad[i], offered);
	}
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("a correct negotiation failed after the refusals");
	tx.desc[0].addr = page_alloc_phys();
	tx.desc[0].len = 0;
	virtq_kick(&dev, &tx, 0);
	if (!virtq_wait_used(&tx, 2000000))
		bail_out("the transmit queue does not work after the refusals");
	kprintf("features never offered: FEATURES_OK refused; a correct set is accepted\n");
	power_off();
}
