/*
 * virtio console (virtio 1.0 section 5.3), one port, at 00:01.0 where
 * lguest guests look for it (vendor 0x1AF4, device 0x1043).
 *
 * It offers VIRTIO_CONSOLE_F_EMERG_WRITE: the guest's early console writes
 * characters to emerg_wr through the VIRTIO_PCI_CAP_PCI_CFG window before
 * any driver runs.  emerg_wr and the transmit queue go to out_fd; what
 * in_fd yields fills the receive queue's buffers.
 *
 * The VMM should ignore SIGPIPE: a closed out_fd then only drops output.
 */
#ifndef LGKVM_VIRTIO_CONSOLE_H
#define LGKVM_VIRTIO_CONSOLE_H

#include <stdbool.h>

#include "devices/pci.h"

#define VIRTIO_CONSOLE_DEVNUM 1
#define VIRTIO_CONSOLE_QUEUE_SIZE 256
#define VIRTIO_CONSOLE_RX 0 /* receiveq: host -> guest */
#define VIRTIO_CONSOLE_TX 1 /* transmitq: guest -> host */

struct virtio_console;

/* At 00:01.0; in_fd may be -1 (no input).  The bus owns the console. */
struct virtio_console *virtio_console_create(struct pci_bus *bus, int in_fd,
					     int out_fd);
/* The VMM polls in_fd only while the console can take input (receive
 * buffers posted, input not closed). */
bool virtio_console_wants_input(const struct virtio_console *con);
/* in_fd is readable: read once and deliver into one receive buffer.  End
 * of file or a read error closes input for good. */
void virtio_console_input_ready(struct virtio_console *con);
/* Characters written to emerg_wr (the early console) so far. */
uint64_t virtio_console_emerg_chars(const struct virtio_console *con);

#endif
