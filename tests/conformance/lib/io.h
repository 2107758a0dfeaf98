/*
 * Port I/O, MMIO and raw memory accessors.  All always_inline: the linear-
 * mode code in .entry.text uses them and must not call out of its section.
 *
 * MMIO goes through plain mov instructions with a register operand only:
 * that is all the lguest Launcher's MMIO emulation decodes (opcodes 88, 89,
 * 8a, 8b, with 66 for 16 bits).
 */
#ifndef CONF_IO_H
#define CONF_IO_H

#include <stdint.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
ALWAYS_INLINE void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
ALWAYS_INLINE void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

ALWAYS_INLINE uint8_t inb(uint16_t port)
{
	uint8_t v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

ALWAYS_INLINE uint16_t inw(uint16_t port)
{
	uint16_t v;
	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

ALWAYS_INLINE uint32_t inl(uint16_t port)
{
	uint32_t v;
	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

ALWAYS_INLINE uint8_t mmio_read8(uint32_t addr)
{
	uint8_t v;
	asm volatile("movb (%1), %0" : "=q"(v) : "r"(addr) : "memory");
	return v;
}

ALWAYS_INLINE uint16_t mmio_read16(uint32_t addr)
{
	uint16_t v;
	asm volatile("movw (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

ALWAYS_INLINE uint32_t mmio_read32(uint32_t addr)
{
	uint32_t v;
	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

ALWAYS_INLINE void mmio_write8(uint32_t addr, uint8_t v)
{
	asm volatile("movb %0, (%1)" : : "q"(v), "r"(addr) : "memory");
}

ALWAYS_INLINE void mmio_write16(uint32_t addr, uint16_t v)
{
	asm volatile("movw %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

ALWAYS_INLINE void mmio_write32(uint32_t addr, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

/* Plain memory at a numeric address (also hides it from gcc's bounds
 * heuristics about small constant addresses such as boot_params). */
#define mem_read8 mmio_read8
#define mem_read16 mmio_read16
#define mem_read32 mmio_read32
#define mem_write32 mmio_write32

ALWAYS_INLINE void barrier(void) { asm volatile("" : : : "memory"); }

ALWAYS_INLINE uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
