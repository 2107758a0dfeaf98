/*
 * Channel 2 of an i8254 PIT and the port 0x61 gate/OUT2 bits: just what
 * Linux's TSC calibration reads.
 *
 * lguest had no PIT: its Launcher read all ones there, and the kernel's
 * quick_pit_calibrate then spins 50,000 times over port 0x42 (100,000 VM
 * exits, seconds on an emulating engine) before giving up.  With a PIT that
 * counts, the calibration finishes (or gives up) within milliseconds.
 * Channels 0 and 1 are not modelled (lguest guests use their own clock).
 */
#ifndef LGKVM_I8254_PIT_H
#define LGKVM_I8254_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

struct pit {
	uint16_t reload;          /* count loaded into channel 2 */
	uint64_t start_ns;        /* when it was loaded (counting starts) */
	bool loaded;
	uint8_t access;           /* 1 low byte, 2 high byte, 3 low then high */
	bool write_high, read_high; /* the low/high byte flip-flops */
	bool latched;
	uint16_t latch;
	uint8_t port61;           /* gate (bit 0) and speaker (bit 1) */
	uint64_t (*now_ns)(void); /* a monotonic clock (tests give their own) */
};

void pit_init(struct pit *p, uint64_t (*now_ns)(void));
/* Ports 0x42, 0x43 and 0x61; false for any other port. */
bool pit_io(struct pit *p, uint16_t port, bool is_write, uint8_t *data,
	    unsigned len);

#endif
