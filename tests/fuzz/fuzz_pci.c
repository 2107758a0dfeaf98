/*
 * The PCI bus and the virtio-pci transport (devices/pci.c, virtio_pci.c)
 * with a console, a block device and an entropy device behind it, driven as
 * a guest drives them: port I/O on 0xCF8-0xCFF, MMIO anywhere in the BAR
 * window, and device requests through rings in a fuzzed guest RAM.
 *
 * Input: u16 n, then n operations of 12 bytes (u8 kind, u8 length, u16
 * port, u32 offset, u32 value), then guest RAM (64 KiB; the rest zero).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_rng.h"
#include "fuzz_input.h"

#define RAM_SIZE (64u << 10)
#define MMIO_BASE 0x10000000u
#define MMIO_SIZE (16u << 20)

static uint8_t ram[RAM_SIZE];
static struct guest_memory mem = { .ram = ram, .size = RAM_SIZE };
static struct guest_fault fault;
static struct pci_bus *bus;
static struct virtio_blk *blk;

static void raise_irq(void *opaque, unsigned irq)
{
	(void)opaque;
	(void)irq;
}

static void setup(void)
{
	struct device_host host = { .mem = &mem, .fault = &fault, .raise_irq = raise_irq };
	char path[] = "/tmp/lgkvm-fuzz-disk-XXXXXX", err[256];
	int fd = mkstemp(path), null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0 || ftruncate(fd, 64 << 10) < 0 || null < 0)
		abort();
	bus = pci_bus_create(&host, MMIO_BASE, MMIO_SIZE);
	if (!bus || !virtio_console_create(bus, null, null) ||
	    !(blk = virtio_blk_create(bus, path, false, err, sizeof(err))) ||
	    !virtio_rng_create(bus, err, sizeof(err)))
		abort();
	unlink(path);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	static const unsigned lens[4] = { 1, 2, 4, 4 };

	if (!bus)
		setup();
	uint16_t n = fuzz_u16(&in);
	struct fuzz_input ops = { in.p, (size_t)n * 12 < in.left ? (size_t)n * 12 : in.left };
	in.p += ops.left;
	in.left -= ops.left;
	memset(ram, 0, sizeof(ram));
	fuzz_take(&in, ram, in.left < RAM_SIZE ? in.left : RAM_SIZE);
	guest_fault_clear(&fault);
	struct fuzz_input *op = &ops;
	while (op->left && !fault.raised) {
		uint8_t kind = fuzz_u8(op), len = (uint8_t)lens[fuzz_u8(op) & 3];
		uint16_t port = fuzz_u16(op);
		uint32_t off = fuzz_u32(op), value = fuzz_u32(op);
		uint8_t buf[4];

		memcpy(buf, &value, 4);
		switch (kind % 5) {
		case 0: /* port write: mostly the configuration ports */
			pci_bus_io(bus, (uint16_t)(kind & 0x80 ? port : 0xcf8 + (port & 7)), true, buf, len);
			break;
		case 1:
			pci_bus_io(bus, (uint16_t)(kind & 0x80 ? port : 0xcf8 + (port & 7)), false, buf, len);
			break;
		case 2: /* MMIO write in (and around) the BAR window */
			pci_bus_mmio(bus, (uint64_t)MMIO_BASE - 0x1000 + (off % (MMIO_SIZE + 0x2000)), true, buf, len);
			break;
		case 3:
			pci_bus_mmio(bus, (uint64_t)MMIO_BASE - 0x1000 + (off % (MMIO_SIZE + 0x2000)), false, buf, len);
			break;
		default: /* let block I/O finish */
			virtio_blk_poll(blk);
			break;
		}
	}
	virtio_blk_poll(blk);
	/* Next input: a fresh bus state, with every request done. */
	pci_bus_reset(bus);
	return 0;
}
