/*
 * A descriptor chain's buffers (host iovecs into guest RAM) seen as one run
 * of bytes: copy a range out of them or into them.
 */
#ifndef LGKVM_IOV_H
#define LGKVM_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/* Bytes [off, off + len) of the buffers into dst; false (nothing promised
 * about dst) when the buffers end first. */
bool iov_copy_from(const struct iovec *iov, unsigned n, size_t off, void *dst,
		   size_t len);
/* src into bytes [off, off + len) of the buffers; false when they end
 * first (what fitted was written). */
bool iov_copy_to(const struct iovec *iov, unsigned n, size_t off,
		 const void *src, size_t len);

#endif
