/*
 * Reading the files a guest boots from (kernel, initrd) and reporting what
 * is wrong with them: one line, prefixed by the file's name.
 */
#ifndef LGKVM_BOOT_FILE_H
#define LGKVM_BOOT_FILE_H

#include <stddef.h>
#include <stdint.h>

struct boot_file {
	const char *path; /* as the user gave it, for messages */
	int fd;
	uint64_t size;
};

/* Formats a one-line message into err (truncated to errlen, no newline). */
void boot_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Opens a regular file for reading.  -1 with a message when it cannot. */
int boot_file_open(struct boot_file *f, const char *path, char *err, size_t errlen);
void boot_file_close(struct boot_file *f);

/* Reads exactly len bytes from offset into dst; -1 with a message on a
 * short read (the file changed under us) or an I/O error. */
int boot_file_read_at(const struct boot_file *f, uint64_t offset, void *dst,
		      uint64_t len, char *err, size_t errlen);

/* Reads the whole file into a fresh malloc'd buffer (caller frees), refusing
 * files larger than max_size. */
int boot_file_slurp(const struct boot_file *f, uint64_t max_size, uint8_t **data,
		    char *err, size_t errlen);

#endif
