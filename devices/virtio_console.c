/*
 * virtio console: one port, no resize, no multiport; emergency write.
 *
 * Output is synchronous: the guest's hvc driver (4.x __send_to_port) spins
 * until its transmit buffer comes back, so the buffer is written out and
 * returned during the notification exit itself.
 */
#include "devices/virtio_console.h"

#include <errno.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "devices/host_fd.h"
#include "devices/virtio_pci.h"
#include "vmm/trace.h"

/* "Communication controller, other": lguest said "serial controller"
 * (0x0700), which the guest's 8250_pci driver would also try to claim. */
#define VIRTIO_CONSOLE_PCI_CLASS 0x078000

struct virtio_console {
	struct virtio_pci *vp;
	const struct device_host *host;
	int in_fd, out_fd;
	bool input_closed;
	uint64_t emerg_chars;
	struct iovec iov[VIRTIO_CONSOLE_QUEUE_SIZE];
};

static void console_output(struct virtio_console *con,
			   const struct iovec *iov, unsigned n)
{
	if (!host_fd_writev_all(con->out_fd, iov, n))
		TRACE("dev", "console output-dropped errno=%d", errno);
}

static void console_config_read(void *dev, unsigned off, uint8_t *data,
				unsigned len)
{
	struct virtio_console_config cfg = {
		.cols = 0,
		.rows = 0,
		.max_nr_ports = 1,
		.emerg_wr = 0,
	};

	(void)dev;
	memcpy(data, (const uint8_t *)&cfg + off, len);
}

static void console_config_write(void *dev, unsigned off, const uint8_t *data,
				 unsigned len)
{
	struct virtio_console *con = dev;
	struct iovec c = { .iov_base = (void *)data, .iov_len = 1 };

	(void)len;
	/* 5.3.4: a write to emerg_wr outputs its low byte at once, driver
	 * or no driver.  Everything else here is read-only. */
	if (off == offsetof(struct virtio_console_config, emerg_wr)) {
		con->emerg_chars++;
		console_output(con, &c, 1);
	}
}

uint64_t virtio_console_emerg_chars(const struct virtio_console *con)
{
	return con->emerg_chars;
}

static void console_transmit(struct virtio_console *con)
{
	struct virtqueue *tx = virtio_pci_queue(con->vp, VIRTIO_CONSOLE_TX);
	struct virtq_chain chain;

	while (virtq_pop(tx, &chain, con->iov, VIRTIO_CONSOLE_QUEUE_SIZE)) {
		console_output(con, chain.readable, chain.n_readable);
		virtq_push(tx, chain.head, 0);
	}
	virtq_signal(tx);
}

static void console_queue_notify(void *dev, unsigned index)
{
	struct virtio_console *con = dev;

	if (index == VIRTIO_CONSOLE_TX) {
		console_transmit(con);
	} else if (con->host->poll_update) {
		/* Receive buffers wait for input: the VMM polls in_fd. */
		con->host->poll_update(con->host->opaque);
	}
}

static void console_destroy(void *dev)
{
	free(dev);
}

static const char *const console_queue_names[] = { "rx", "tx" };

static const struct virtio_device_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.pci_class = VIRTIO_CONSOLE_PCI_CLASS,
	.features = 1ull << VIRTIO_CONSOLE_F_EMERG_WRITE,
	.num_queues = 2,
	.queue_max_size = VIRTIO_CONSOLE_QUEUE_SIZE,
	.queue_names = console_queue_names,
	.config_size = sizeof(struct virtio_console_config),
	.config_read = console_config_read,
	.config_write = console_config_write,
	.queue_notify = console_queue_notify,
	.destroy = console_destroy,
};

struct virtio_console *virtio_console_create(struct pci_bus *bus, int in_fd,
					     int out_fd)
{
	struct virtio_console *con = calloc(1, sizeof(*con));

	if (!con)
		return NULL;
	con->host = pci_bus_host(bus);
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	con->input_closed = in_fd < 0;
	con->vp = virtio_pci_create(bus, VIRTIO_CONSOLE_DEVNUM, &console_ops,
				    con);
	if (!con->vp) {
		free(con);
		return NULL;
	}
	return con;
}

bool virtio_console_wants_input(const struct virtio_console *con)
{
	return !con->input_closed && virtio_pci_live(con->vp) &&
	       virtq_has_avail(virtio_pci_queue(con->vp, VIRTIO_CONSOLE_RX));
}

void virtio_console_input_ready(struct virtio_console *con)
{
	struct virtqueue *rx = virtio_pci_queue(con->vp, VIRTIO_CONSOLE_RX);
	struct virtq_chain chain;
	ssize_t n = 0;

	if (!virtio_console_wants_input(con) ||
	    !virtq_pop(rx, &chain, con->iov, VIRTIO_CONSOLE_QUEUE_SIZE))
		return;
	if (chain.n_writable) {
		n = readv(con->in_fd, chain.writable, (int)chain.n_writable);
		if (n < 0 && (errno == EINTR || errno == EAGAIN ||
			      errno == EWOULDBLOCK)) {
			virtq_unpop(rx);
			return;
		}
		if (n <= 0) {
			TRACE("dev", "console input-closed errno=%d",
			      n < 0 ? errno : 0);
			con->input_closed = true;
			virtq_unpop(rx);
			return;
		}
	}
	TRACE("dev", "console input=%zd", n);
	virtq_push(rx, chain.head, (uint32_t)n);
	virtq_signal(rx);
}
