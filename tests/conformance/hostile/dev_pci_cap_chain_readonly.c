/*
 * hostile: capability pointer games.  The guest points the capability
 * list (0x34) elsewhere and at 0, makes every capability's next pointer
 * loop back to itself, rewrites IDs, lengths, cfg_types, and the BAR,
 * offset and length of every virtio capability but the PCI_CFG window's,
 * and clears the status register's capability-list bit.  All of these are
 * read-only: configuration space reads back byte for byte as before, and
 * the list still ends with the same capabilities.
 * lgkvm-options: --rng
 */
#include "runtime.h"
#include "virtio.h"

#define DEV PCI_FIRST_EXTRA_DEV

static uint32_t before[64];

static void snapshot_check(const char *after)
{
	unsigned i;

	for (i = 0; i < 64; i++) {
		uint32_t v = pci_read32(DEV, 4 * i);

		if (v != before[i])
			bail_out("config dword %#x reads %#x after %s, was %#x", 4 * i, v, after, before[i]);
	}
}

static void poke_cap(unsigned cap, uint8_t v)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		pci_write8(DEV, cap + i, v);
	if (pci_read8(DEV, cap) == PCI_CAP_ID_VNDR && pci_read8(DEV, cap + VCAP_CFG_TYPE) != VIRTIO_PCI_CAP_PCI_CFG) {
		pci_write8(DEV, cap + VCAP_BAR, v);
		pci_write32(DEV, cap + VCAP_OFFSET, v * 0x01010101u);
		pci_write32(DEV, cap + VCAP_LENGTH, v * 0x01010101u);
	}
}

void guest_main(void)
{
	static const uint8_t values[] = { 0x00, 0xFF, 0x40 };
	unsigned caps[48], ncaps = 0, cap, i, v;
	unsigned types = 0;

	kprintf("expect-survive: ^capability pointer games: all read-only, the list is intact$\n");
	if (pci_read32(DEV, 0) == 0xFFFFFFFFu)
		bail_out("no device at 00:%02x.0", DEV);
	for (i = 0; i < 64; i++)
		before[i] = pci_read32(DEV, 4 * i);
	for (cap = pci_read8(DEV, 0x34); cap && ncaps < ARRAY_SIZE(caps); cap = pci_read8(DEV, cap + 1))
		caps[ncaps++] = cap;
	if (!ncaps || cap)
		bail_out("no capability list, or one of more than %u entries", ncaps);

	for (v = 0; v < ARRAY_SIZE(values); v++) {
		pci_write8(DEV, 0x34, values[v]);
		pci_write16(DEV, 0x06, values[v] * 0x0101u);
		for (i = 0; i < ncaps; i++)
			poke_cap(caps[i], values[v]);
		snapshot_check("the writes");
	}
	/* Every next pointer back at its own capability: a loop, if it stuck. */
	for (i = 0; i < ncaps; i++)
		pci_write8(DEV, caps[i] + 1, (uint8_t)caps[i]);
	snapshot_check("making next pointers loop");

	for (cap = pci_read8(DEV, 0x34), i = 0; cap && i < 48; cap = pci_read8(DEV, cap + 1), i++)
		if (pci_read8(DEV, cap) == PCI_CAP_ID_VNDR)
			types |= 1u << pci_read8(DEV, cap + VCAP_CFG_TYPE);
	if (cap || i != ncaps)
		bail_out("the capability list no longer ends after %u entries", ncaps);
	if ((types & 0x2E) != 0x2E)
		bail_out("virtio capabilities missing: types mask %#x", types);
	kprintf("capability pointer games: all read-only, the list is intact\n");
	power_off();
}
