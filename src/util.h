/* util.h - scope-bound cleanup helpers and small system-call wrappers */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))

/* Hand ownership of a pointer or fd out of a cleanup-managed variable. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _tmp = (p);                                      \
		(p) = NULL;                                                    \
		_tmp;                                                          \
	})
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _tmp = (fd);                                               \
		(fd) = -1;                                                     \
		_tmp;                                                          \
	})

/**
 * write_all() - write a whole buffer, retrying on EINTR and short writes
 * Return: 0 or -errno
 */
int write_all(int fd, const void *buf, size_t len);

/**
 * read_all() - all of @fd up to its end, at most @max bytes
 *
 * The buffer holds one more byte, a NUL after the data, so text can be
 * used as a string (and --args split into words).
 * Return: 0, -EFBIG past @max, or -errno; the buffer in @ret_buf (freed by
 *	   the caller) and its length in @ret_len
 */
int read_all(int fd, size_t max, char **ret_buf, size_t *ret_len);

/**
 * read_file_at() - a small file (a cgroup or /proc control file) as a string
 * @size:	of @buf: at most @size - 1 bytes are read, in one read() (the
 *		kernel hands such a file over whole)
 * Return: 0 or -errno (@buf untouched then)
 */
int read_file_at(int dirfd, const char *path, char *buf, size_t size);

/**
 * fdopendir_take() - a directory stream over @fd, which it takes
 * @fd:		an open directory, or a negative number (a failed open)
 * Return: the stream (closedir() closes @fd), or NULL with @fd closed and
 *	   errno set
 */
DIR *fdopendir_take(int fd);

/**
 * dirent_is_dot() - whether the directory entry @name is "." or ".."
 */
bool dirent_is_dot(const char *name);

/**
 * write_file_at() - open @path (relative to @dirfd) for writing and store @data in it
 * Return: 0 or -errno
 */
int write_file_at(int dirfd, const char *path, const char *data);

/**
 * parse_uint() - parse a decimal unsigned number no larger than @max
 * Return: 0 or -EINVAL / -ERANGE
 */
int parse_uint(const char *s, unsigned long max, unsigned long *ret_val);

/**
 * parse_int64() - parse a signed decimal 64-bit number
 * Return: 0 or -EINVAL / -ERANGE
 */
int parse_int64(const char *s, long long *ret_val);

/**
 * xstrdup() - strdup that aborts on out-of-memory (like every allocation here)
 */
char *xstrdup(const char *s);

/**
 * xasprintf() - asprintf that aborts on out-of-memory
 */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * monotonic_ms() - CLOCK_MONOTONIC in milliseconds (poll() time-outs, expiries)
 */
int64_t monotonic_ms(void);

/**
 * xreallocarray() - reallocarray that aborts on out-of-memory or overflow
 */
void *xreallocarray(void *p, size_t n, size_t size);

/**
 * close_all_except() - close every fd above 2 but those in @keep
 * @keep:	fds to leave open (sorted here, in place; entries below 3 or
 *		negative are ignored)
 * @n:		entries in @keep
 *
 * close_range() where the kernel has it (5.9); before, the fds listed in
 * /proc/self/fd, or every number up to the fd limit when /proc is missing.
 * Nothing is left open because a kernel is old.
 */
void close_all_except(int *keep, size_t n);

/**
 * stderr_write_only() - keep fd 2 (the sanitizers report there), but for
 *			 writing only: a terminal is opened again write-only,
 *			 another readable stderr becomes @null (-1: closed)
 *
 * For the processes that parse hostile input (the network helper, the TCP
 * bypass worker): sbx's stderr is often the terminal, open for reading too.
 */
void stderr_write_only(int null);
