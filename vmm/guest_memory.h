/*
 * Guest RAM as the VMM sees it: guest-physical 0..size mapped at `ram`.
 *
 * Every guest-supplied physical address goes through these helpers, which
 * refuse any range that is not wholly inside RAM.  Nothing else in lgkvm
 * does pointer arithmetic on `ram` with a guest-controlled value.
 */
#ifndef LGKVM_GUEST_MEMORY_H
#define LGKVM_GUEST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_memory {
	uint8_t *ram;
	uint64_t size;
};

/* True when [gpa, gpa + len) lies inside guest RAM (len 0 is fine). */
static inline bool gmem_range_ok(const struct guest_memory *gm, uint64_t gpa,
				 uint64_t len)
{
	return gpa <= gm->size && len <= gm->size - gpa;
}

/* Host pointer for [gpa, gpa + len), or NULL when it is not all RAM. */
static inline void *gmem_ptr(const struct guest_memory *gm, uint64_t gpa,
			     uint64_t len)
{
	return gmem_range_ok(gm, gpa, len) ? gm->ram + gpa : NULL;
}

bool gmem_read(const struct guest_memory *gm, uint64_t gpa, void *dst,
	       uint64_t len);
bool gmem_write(const struct guest_memory *gm, uint64_t gpa, const void *src,
		uint64_t len);
bool gmem_read32(const struct guest_memory *gm, uint64_t gpa, uint32_t *val);
bool gmem_write32(const struct guest_memory *gm, uint64_t gpa, uint32_t val);
bool gmem_read64(const struct guest_memory *gm, uint64_t gpa, uint64_t *val);
bool gmem_write64(const struct guest_memory *gm, uint64_t gpa, uint64_t val);

#endif
