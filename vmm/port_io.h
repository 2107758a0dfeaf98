/*
 * The guest's port space, and `in`/`out` instructions decoded from guest
 * code.  Ports arrive two ways: as KVM I/O exits (the TSS I/O bitmap lets
 * every port through), or as a #GP(0) at the guest kernel's `in`/`out`
 * when a CPU checks the bitmap otherwise.  lguest's Host emulated port I/O
 * on #GP; so does lgkvm, so a guest never dies because of how one CPU
 * checks a bitmap.
 */
#ifndef LGKVM_PORT_IO_H
#define LGKVM_PORT_IO_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* One access of `size` bytes (1, 2, 4) at `port`; a read fills data. */
void port_io_access(struct vm *vm, uint16_t port, bool write, uint8_t *data,
		    unsigned size);

struct port_insn {
	uint16_t port;
	uint8_t size;    /* 1, 2 or 4 bytes */
	uint8_t len;     /* instruction length */
	bool in;
};

/* `in`/`out` with an imm8 or %dx port, with or without the 0x66 operand
 * size prefix (32-bit code).  False for anything else. */
bool port_insn_decode(const uint8_t *code, unsigned n, uint32_t edx,
		      struct port_insn *pi);

/* %eax after an `in` of `size` bytes read `val`: only the low bytes change. */
uint32_t port_insn_merge_in(uint32_t eax, unsigned size, uint32_t val);

#endif
