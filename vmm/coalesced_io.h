/*
 * Port writes KVM queues without exiting (KVM_CAP_COALESCED_PIO): the PCI
 * configuration ports 0xCF8-0xCFF.  A Linux lguest guest's early console
 * writes each character through the console's configuration window: four
 * configuration writes, eight `out`s.  Queued, they cost no exit; KVM exits
 * only when its ring is full.  Reads still exit, and every return from
 * KVM_RUN drains the ring in order before anything else looks at device
 * state, so the guest sees what it would have seen with an exit per write.
 */
#ifndef LGKVM_COALESCED_IO_H
#define LGKVM_COALESCED_IO_H

#include <stdbool.h>

struct vm;

/* Registers the zones once the vCPU is mapped.  False: the engine cannot
 * coalesce (every write then exits, as before). */
bool coalesced_io_setup(struct vm *vm);

/* Whether writes to `port` are coalesced (a write there that exits found
 * the ring full). */
bool coalesced_io_port(const struct vm *vm, unsigned port);

/* Carries out the queued writes, oldest first. */
void coalesced_io_drain(struct vm *vm);

#endif
