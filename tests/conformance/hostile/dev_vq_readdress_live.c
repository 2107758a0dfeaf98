/*
 * hostile: with the transmit queue enabled and running, the guest rewrites
 * its size and ring addresses (to 1 GiB, past RAM).  virtio 1.0 4.1.4.3:
 * they are fixed once queue_enable is 1, so the device ignores the writes,
 * reads back the old values, and goes on using the old rings.
 */
#include "runtime.h"
#include "virtio.h"

static struct virtio_dev dev;
static struct virtq rx, tx;

static const char msg[] = "dev_vq_readdress_live: sent through the original rings\n";

void guest_main(void)
{
	uint32_t regs[] = { VCOMMON_Q_DESCLO, VCOMMON_Q_DESCHI, VCOMMON_Q_AVAILLO,
			    VCOMMON_Q_AVAILHI, VCOMMON_Q_USEDLO, VCOMMON_Q_USEDHI };
	uint32_t before[ARRAY_SIZE(regs)];
	uint16_t size;
	char *page;
	unsigned i;

	kprintf("expect-survive: ^live queue: size and address writes ignored, old rings still used$\n");
	if (virtio_console_start(&dev, &rx, &tx))
		bail_out("virtio console setup failed");
	mmio_write16(dev.common + VCOMMON_Q_SELECT, 1);
	size = mmio_read16(dev.common + VCOMMON_Q_SIZE);
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		before[i] = mmio_read32(dev.common + regs[i]);
		mmio_write32(dev.common + regs[i], (regs[i] & 4) ? 1 : 0x40000000);
	}
	mmio_write16(dev.common + VCOMMON_Q_SIZE, 16);
	mmio_write16(dev.common + VCOMMON_Q_ENABLE, 1);
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		if (mmio_read32(dev.common + regs[i]) != before[i])
			bail_out("register %#x changed to %#x on a live queue", regs[i],
				 mmio_read32(dev.common + regs[i]));
	if (mmio_read16(dev.common + VCOMMON_Q_SIZE) != size)
		bail_out("queue_size changed on a live queue");

	page = page_alloc();
	memcpy(page, msg, sizeof(msg) - 1);
	tx.desc[0].addr = virt_to_phys(page);
	tx.desc[0].len = sizeof(msg) - 1;
	virtq_kick(&dev, &tx, 0);
	if (!virtq_wait_used(&tx, 2000000))
		bail_out("the transmit queue stopped after the rewrites");
	kprintf("live queue: size and address writes ignored, old rings still used\n");
	power_off();
}
