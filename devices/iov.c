#include "devices/iov.h"

#include <stdint.h>
#include <string.h>

static bool iov_copy(const struct iovec *iov, unsigned n, size_t off,
		     uint8_t *buf, size_t len, bool to_iov)
{
	for (unsigned i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len, k;
		uint8_t *base = iov[i].iov_base;

		if (off >= l) {
			off -= l;
			continue;
		}
		k = l - off < len ? l - off : len;
		if (to_iov)
			memcpy(base + off, buf, k);
		else
			memcpy(buf, base + off, k);
		buf += k;
		len -= k;
		off = 0;
	}
	return len == 0;
}

bool iov_copy_from(const struct iovec *iov, unsigned n, size_t off, void *dst,
		   size_t len)
{
	return iov_copy(iov, n, off, dst, len, false);
}

bool iov_copy_to(const struct iovec *iov, unsigned n, size_t off,
		 const void *src, size_t len)
{
	return iov_copy(iov, n, off, (uint8_t *)src, len, true);
}
