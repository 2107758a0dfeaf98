#include "guest-loader/boot_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void boot_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* One line, whatever a file name or libelf message contained. */
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int boot_file_open(struct boot_file *f, const char *path, char *err, size_t errlen)
{
	struct stat st;

	f->path = path;
	f->fd = -1;
	f->size = 0;
	if (!path || !*path) {
		boot_err(err, errlen, "empty file name");
		return -1;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		boot_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(f->fd, &st) < 0) {
		boot_err(err, errlen, "%s: %s", path, strerror(errno));
		boot_file_close(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		boot_err(err, errlen, "%s: not a regular file", path);
		boot_file_close(f);
		return -1;
	}
	f->size = (uint64_t)st.st_size;
	return 0;
}

void boot_file_close(struct boot_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int boot_file_read_at(const struct boot_file *f, uint64_t offset, void *dst,
		      uint64_t len, char *err, size_t errlen)
{
	uint8_t *p = dst;

	while (len > 0) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
		ssize_t r = pread(f->fd, p, chunk, (off_t)offset);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			boot_err(err, errlen, "%s: read error: %s", f->path,
				 strerror(errno));
			return -1;
		}
		if (r == 0) {
			boot_err(err, errlen,
				 "%s: file shrank while being read (at byte %llu)",
				 f->path, (unsigned long long)offset);
			return -1;
		}
		p += r;
		offset += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

int boot_file_slurp(const struct boot_file *f, uint64_t max_size, uint8_t **data,
		    char *err, size_t errlen)
{
	uint8_t *buf;

	*data = NULL;
	if (f->size > max_size) {
		boot_err(err, errlen, "%s: too large (%llu bytes, limit %llu)",
			 f->path, (unsigned long long)f->size,
			 (unsigned long long)max_size);
		return -1;
	}
	/* +1 so an empty file still gets a buffer. */
	buf = malloc((size_t)f->size + 1);
	if (!buf) {
		boot_err(err, errlen, "%s: out of memory reading %llu bytes",
			 f->path, (unsigned long long)f->size);
		return -1;
	}
	if (boot_file_read_at(f, 0, buf, f->size, err, errlen) < 0) {
		free(buf);
		return -1;
	}
	*data = buf;
	return 0;
}
