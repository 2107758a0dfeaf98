/*
 * Split virtqueues (devices/virtqueue.c) over a guest memory the input
 * fills: descriptor tables, chains, indirect tables, avail and used rings,
 * and indexes; then the device pops and pushes as a device would.
 *
 * Input: u16 size, u16 desc/avail/used offsets (x16), u8 feature bits,
 * u8 pops, then guest RAM (64 KiB, the rest zero).
 */
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "fuzz_input.h"

#define RAM_SIZE (64u << 10)
#define VIRTIO_RING_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_RING_F_EVENT_IDX (1ull << 29)

static uint8_t ram[RAM_SIZE];
static unsigned signals;

static void signal_guest(void *opaque)
{
	(void)opaque;
	signals++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct guest_memory mem = { .ram = ram, .size = RAM_SIZE };
	struct guest_fault fault;
	struct virtqueue vq;
	struct iovec iov[256];
	uint16_t qsize = fuzz_u16(&in);
	uint64_t desc = (uint64_t)fuzz_u16(&in) * 16, avail = (uint64_t)fuzz_u16(&in) * 16,
		 used = (uint64_t)fuzz_u16(&in) * 16;
	uint8_t feat = fuzz_u8(&in), pops = fuzz_u8(&in);
	uint64_t features = ((feat & 1) ? VIRTIO_RING_F_INDIRECT_DESC : 0) |
			    ((feat & 2) ? VIRTIO_RING_F_EVENT_IDX : 0);

	memset(ram, 0, sizeof(ram));
	fuzz_take(&in, ram, in.left < RAM_SIZE ? in.left : RAM_SIZE);
	guest_fault_clear(&fault);
	virtq_init(&vq, "fuzz", &mem, &fault, 256, signal_guest, NULL);
	if (!virtq_enable(&vq, qsize, desc, avail, used, features))
		return 0;
	for (unsigned i = 0; i < pops && virtq_ready(&vq); i++) {
		struct virtq_chain chain;

		if (!virtq_pop(&vq, &chain, iov, 256))
			break;
		/* Every buffer handed out lies inside guest RAM. */
		for (unsigned k = 0; k < chain.n_readable + chain.n_writable; k++) {
			const uint8_t *b = iov[k].iov_base;
			if (b < ram || b + iov[k].iov_len > ram + RAM_SIZE)
				abort();
		}
		if (chain.n_writable)
			memset(chain.writable[0].iov_base, 0xab, chain.writable[0].iov_len);
		virtq_push(&vq, chain.head, chain.writable_len);
		if (i % 3 == 2)
			virtq_signal(&vq);
	}
	virtq_signal(&vq);
	return 0;
}
