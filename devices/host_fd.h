/*
 * Host file descriptors the devices write to (console output, later tap and
 * disk images): complete writes whatever the fd's mode.
 */
#ifndef LGKVM_HOST_FD_H
#define LGKVM_HOST_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/* Writes all `len` bytes: retries after EINTR and short writes, waits for
 * POLLOUT on EAGAIN.  False (errno set) on any other error. */
bool host_fd_write_all(int fd, const void *buf, size_t len);
/* The same for `n` buffers, in order. */
bool host_fd_writev_all(int fd, const struct iovec *iov, unsigned n);

#endif
