#include "devices/host_fd.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

/* A non-blocking fd that is full: wait until it drains. */
static bool host_fd_wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	for (;;) {
		if (poll(&p, 1, -1) >= 0)
			return true;
		if (errno != EINTR)
			return false;
	}
}

bool host_fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!host_fd_wait_writable(fd))
				return false;
		} else {
			if (n == 0)
				errno = EIO;
			return false;
		}
	}
	return true;
}

bool host_fd_writev_all(int fd, const struct iovec *iov, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!host_fd_write_all(fd, iov[i].iov_base, iov[i].iov_len))
			return false;
	return true;
}
