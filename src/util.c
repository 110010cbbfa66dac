/* util.c - full-write and whole-read loops, small files, directory streams, number
 * parsing, aborting allocators, closing fds */
#include "autoconf.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "util.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

DIR *fdopendir_take(int fd)
{
	DIR *d;
	int saved;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return d;
}

bool dirent_is_dot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

int write_file_at(int dirfd, const char *path, const char *data)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return write_all(fd, data, strlen(data));
}

int parse_uint(const char *s, unsigned long max, unsigned long *ret_val)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*ret_val = v;
	return 0;
}

int parse_int64(const char *s, long long *ret_val)
{
	char *end;
	long long v;

	if (!s || !*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*ret_val = v;
	return 0;
}

static void out_of_memory(void)
{
	static const char msg[] = "sbx: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(125);
}

char *xstrdup(const char *s)
{
	char *r = strdup(s);

	if (!r)
		out_of_memory();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return r;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	void *r = reallocarray(p, n ? n : 1, size);

	if (!r)
		out_of_memory();
	return r;
}

int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool is_kept(const int *keep, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Before Linux 5.9: one close() per open fd. */
static void close_each_except(const int *keep, size_t n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long max;

	if (d) {
		while ((de = readdir(d))) {
			unsigned long fd;
			if (parse_uint(de->d_name, INT_MAX, &fd) == 0 && fd > 2 &&
			    (int)fd != dirfd(d) && !is_kept(keep, n, (int)fd))
				close((int)fd);
		}
		closedir(d);
		return;
	}
	max = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (max > 0 && max < INT_MAX ? (int)max : 65536); fd++)
		if (!is_kept(keep, n, fd))
			close(fd);
}

void close_all_except(int *keep, size_t n)
{
	unsigned from = 3;

	/* qsort()'s array is declared nonnull: keep may be NULL with n 0. */
	if (n > 1)
		qsort(keep, n, sizeof(*keep), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from &&
		    syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0U) < 0)
			goto one_by_one;
		from = (unsigned)keep[i] + 1;
	}
	if (syscall(SYS_close_range, from, ~0U, 0U) == 0)
		return;
one_by_one:
	close_each_except(keep, n);
}

/* stderr stays (the sanitizers report there), but for writing only: it is
 * often the terminal sbx was started on, open for reading too, and hostile
 * code in a locked-down process that may read() must not take what the
 * user types.
 * A terminal is opened again, write-only; another readable stderr (2<>file)
 * becomes @null. */
void stderr_write_only(int null)
{
	int fl = fcntl(STDERR_FILENO, F_GETFL), tty;

	if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY)
		return;
	tty = isatty(STDERR_FILENO) ? open("/proc/self/fd/2", O_WRONLY | O_NOCTTY | O_CLOEXEC) : -1;
	if (tty >= 0) {
		dup2(tty, STDERR_FILENO);
		close(tty);
	} else if (null >= 0) {
		dup2(null, STDERR_FILENO);
	} else {
		close(STDERR_FILENO);
	}
}

int read_all(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > max + 1)
				cap = max + 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}
