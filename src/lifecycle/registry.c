/* registry.c - named sandboxes' state directories
 *
 * Each named sandbox has a directory NAME/ under $XDG_RUNTIME_DIR/sbx (or a
 * private /tmp/sbx-UID when that is unset) holding its lock, state, options,
 * control socket and, detached, its log. The supervisor holds an exclusive
 * flock() on NAME/lock for as long as it lives: the kernel drops it when the
 * process dies, however it dies, so "lock free" is exactly "stale". Nothing
 * in a directory is trusted before its lock was found held; pids in the
 * state file are only shown, never signalled (stop and kill go through the
 * control socket, to the supervisor itself).
 *
 * A new lock is made under a temporary name (REGISTRY_LOCK_TMP_PREFIX...),
 * locked there, then linked to NAME/lock: were it created under its final
 * name and locked afterwards, a cleaner (sbx ls, enter, stop) looking in
 * between would find it free, remove the "stale" entry, and the starting sbx,
 * finding the cleaner's lock held, would report the name as in use. A
 * temporary name is never opened by anyone but its creator: a crashed
 * creator's leftover goes with the rest when the directory is cleaned.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry.h"
#include "util.h"

int registry_check_name(const char *name, struct sbx_error *e)
{
	size_t n = strlen(name);

	if (n == 0 || n > REGISTRY_NAME_MAX)
		return sbx_error_set(e, EINVAL, "name '%s': 1 to %d characters", name,
				     REGISTRY_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || !strchr("_.-", ch)))
			return sbx_error_set(e, EINVAL,
					     "name '%s': letters, digits, '_', '.', '-', starting with a letter or digit",
					     name);
	}
	return 0;
}

/* A directory of ours that nobody else may enter: checked on the open fd,
 * so a symlink or a directory swapped in after the check cannot fool us. */
static int check_private_dir(int fd, const char *path, struct sbx_error *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return sbx_error_set(e, errno, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return sbx_error_set(e, ENOTDIR, "%s", path);
	if (st.st_uid != getuid())
		return sbx_error_set(e, 0, "%s belongs to uid %u, not to you (uid %u): refusing",
				     path, (unsigned)st.st_uid, (unsigned)getuid()), -EPERM;
	if (st.st_mode & 077)
		return sbx_error_set(e, 0, "%s has mode %04o, not private (0700): refusing", path,
				     (unsigned)(st.st_mode & 07777)), -EPERM;
	return 0;
}

static int open_private_dir(int at, const char *name, const char *path, int *ret_fd,
			    struct sbx_error *e)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR) &&
	    fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return sbx_error_set(e, 0, "%s is a symbolic link: refusing", path), -ELOOP;
	if (fd < 0)
		return sbx_error_set(e, errno, "%s", path);
	r = check_private_dir(fd, path, e);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int registry_base(char **ret_path, int *ret_fd, struct sbx_error *e)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	_cleanup_free_ char *path = NULL;
	int r;

	if (xdg && xdg[0] == '/')
		path = xasprintf("%s/sbx", xdg);
	else
		path = xasprintf("/tmp/sbx-%u", (unsigned)getuid());
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return sbx_error_set(e, errno, "%s", path);
	r = open_private_dir(AT_FDCWD, path, path, ret_fd, e);
	if (r < 0)
		return r;
	*ret_path = TAKE_PTR(path);
	return 0;
}

char *registry_path(const struct registry_entry *r, const char *file)
{
	return xasprintf("%s/%s", r->dir, file);
}

/* Remove every file of the directory (there are no subdirectories), a
 * crashed creator's temporary lock names too. A live creator's temporary
 * name may go as well: its link() then fails and it tries again. */
static void remove_files(int dirfd, bool keep_lock)
{
	DIR *d = fdopendir_take(fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (dirent_is_dot(de->d_name))
			continue;
		if (keep_lock && strcmp(de->d_name, REGISTRY_LOCK) == 0)
			continue;
		unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* Our lock is on the file that is (still) NAME/lock, in a directory that is
 * still there: not on one a cleaner removed while we waited to open it. */
static bool lock_is_current(int base_fd, const char *name, int dirfd, int lockfd)
{
	struct stat a, b, d, dd;

	if (fstat(lockfd, &a) < 0 || fstatat(dirfd, REGISTRY_LOCK, &b, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	if (fstat(dirfd, &d) < 0 || fstatat(base_fd, name, &dd, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino && d.st_dev == dd.st_dev &&
	       d.st_ino == dd.st_ino;
}

static void entry_fill(struct registry_entry *r, const char *name, char *base)
{
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->base = base;
	r->dir = xasprintf("%s/%s", base, name);
}

/* The prefix of a lock file's temporary names: a dot, so that it can never be
 * one of the directory's own files (nor a registry_write() temporary). */
#define REGISTRY_LOCK_TMP_PREFIX ".lock-"

/* Make a lock file under a unique temporary name in @r's directory, lock it,
 * and only then give it its name: 1 when NAME/lock is now ours, 0 when one
 * already exists (the caller takes the path for an existing entry), -EAGAIN
 * when a cleaner emptied or removed the directory meanwhile. */
static int lock_make(struct registry_entry *r, struct sbx_error *e)
{
	char tmp[sizeof(REGISTRY_LOCK_TMP_PREFIX) + 16];
	int fd = -1, ret;

	/* Random, not the pid: another pid namespace may share the directory. */
	for (int attempt = 0; fd < 0 && attempt < 16; attempt++) {
		uint64_t rnd;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return sbx_error_set(e, errno, "getrandom");
		snprintf(tmp, sizeof(tmp), REGISTRY_LOCK_TMP_PREFIX "%016llx",
			 (unsigned long long)rnd);
		fd = openat(r->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			return sbx_error_set(e, errno, "%s/%s", r->dir, tmp);
	}
	if (fd < 0)
		return sbx_error_set(e, EEXIST, "%s/%s", r->dir, tmp);
	/* Nobody else opens a temporary name: this cannot find it locked. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ret = sbx_error_set(e, errno, "%s/%s: flock", r->dir, tmp);
		unlinkat(r->dirfd, tmp, 0);
		close(fd);
		return ret;
	}
	/* link(), unlike rename(), never replaces an existing NAME/lock. */
	if (linkat(r->dirfd, tmp, r->dirfd, REGISTRY_LOCK, 0) == 0)
		ret = 1;
	else if (errno == EEXIST)
		ret = 0;
	else if (errno == ENOENT) /* a cleaner removed our name or the directory */
		ret = -EAGAIN;
	else
		ret = sbx_error_set(e, errno, "%s/%s", r->dir, REGISTRY_LOCK);
	unlinkat(r->dirfd, tmp, 0);
	if (ret == 1)
		r->lockfd = fd;
	else
		close(fd);
	return ret;
}

/* Open and lock: 1 when we got the lock, 0 when a live supervisor holds it. */
static int lock_entry(struct registry_entry *r, int base_fd, bool create, struct sbx_error *e)
{
	int fd, got = 0;

	if (create)
		got = lock_make(r, e);
	if (got < 0)
		return got;
	if (got == 0) {
		/* An existing lock: held, or left by a dead sbx. */
		fd = openat(r->dirfd, REGISTRY_LOCK, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return errno == ENOENT ? -EAGAIN :
						 sbx_error_set(e, errno, "%s/%s", r->dir, REGISTRY_LOCK);
		r->lockfd = fd;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK)
				return 0;
			return sbx_error_set(e, errno, "%s/%s: flock", r->dir, REGISTRY_LOCK);
		}
	}
	if (!lock_is_current(base_fd, r->name, r->dirfd, r->lockfd))
		return -EAGAIN;
	r->owned = true;
	return 1;
}

static void entry_reset(struct registry_entry *r)
{
	if (r->lockfd >= 0)
		close(r->lockfd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->lockfd = r->dirfd = -1;
	r->owned = false;
}

/* One attempt at opening (and with @create making) NAME/: -EAGAIN when a
 * cleaner removed it under us, to try again. */
static int entry_try(struct registry_entry *r, int base_fd, bool create, struct sbx_error *e)
{
	bool made = false;
	int got;

	if (create) {
		if (mkdirat(base_fd, r->name, 0700) == 0)
			made = true;
		else if (errno != EEXIST)
			return sbx_error_set(e, errno, "%s", r->dir);
	}
	got = open_private_dir(base_fd, r->name, r->dir, &r->dirfd, e);
	if (got == -ENOENT)
		return create ? -EAGAIN : (sbx_error_set(e, 0, "no sandbox named '%s'", r->name), -ENOENT);
	if (got < 0)
		return got;
	got = lock_entry(r, base_fd, create, e);
	if (got < 0)
		return got;
	if (create && got == 0)
		return (sbx_error_set(e, 0, "--name %s: a sandbox of that name is running",
				      r->name), -EEXIST);
	if (create) {
		/* A dead sbx's directory: its files are not ours to trust. */
		if (!made)
			remove_files(r->dirfd, true);
		return 0;
	}
	if (got == 1) {
		/* Stale: clean it up while we hold its lock. */
		registry_remove(r);
		return (sbx_error_set(e, 0, "no sandbox named '%s'", r->name), -ENOENT);
	}
	return 0;
}

static int entry_open(struct registry_entry *r, const char *name, bool create, struct sbx_error *e)
{
	_cleanup_close_ int base_fd = -1;
	char *base = NULL;
	int ret;

	*r = REGISTRY_ENTRY_NONE;
	ret = registry_check_name(name, e);
	if (ret == 0)
		ret = registry_base(&base, &base_fd, e);
	if (ret < 0)
		return ret;
	entry_fill(r, name, base);
	for (int attempt = 0; attempt < 8; attempt++) {
		ret = entry_try(r, base_fd, create, e);
		if (ret != -EAGAIN)
			break;
		entry_reset(r);
	}
	if (ret == -EAGAIN && create)
		ret = sbx_error_set(e, EAGAIN, "%s: removed and made again under us", r->dir);
	else if (ret == -EAGAIN)
		ret = (sbx_error_set(e, 0, "no sandbox named '%s'", name), -ENOENT);
	if (ret < 0)
		registry_close(r);
	return ret;
}

int registry_create(struct registry_entry *r, const char *name, struct sbx_error *e)
{
	return entry_open(r, name, true, e);
}

int registry_open(struct registry_entry *r, const char *name, struct sbx_error *e)
{
	return entry_open(r, name, false, e);
}

void registry_remove(struct registry_entry *r)
{
	if (r->owned && r->dirfd >= 0) {
		_cleanup_close_ int base_fd = open(r->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
								    O_CLOEXEC);
		/* The lock goes last, then the directory: whoever opens
		 * NAME/lock from now on finds nothing, or a new one. */
		remove_files(r->dirfd, true);
		unlinkat(r->dirfd, REGISTRY_LOCK, 0);
		if (base_fd >= 0)
			unlinkat(base_fd, r->name, AT_REMOVEDIR);
	}
	registry_close(r);
}

void registry_close(struct registry_entry *r)
{
	entry_reset(r);
	free(r->base);
	free(r->dir);
	r->base = r->dir = NULL;
}

int registry_write(const struct registry_entry *r, const char *file, const char *data)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", file);
	int fd = openat(r->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, strlen(data));
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && renameat(r->dirfd, tmp, r->dirfd, file) < 0)
		ret = -errno;
	if (ret < 0)
		unlinkat(r->dirfd, tmp, 0);
	return ret;
}

int registry_read(const struct registry_entry *r, const char *file, char **ret)
{
	_cleanup_close_ int fd = openat(r->dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t have = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(REGISTRY_STATE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	while (have < REGISTRY_STATE_MAX) {
		ssize_t n = read(fd, buf + have, REGISTRY_STATE_MAX - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int registry_list(char ***ret_names, size_t *ret_n, struct sbx_error *e)
{
	_cleanup_free_ char *base = NULL;
	int base_fd = -1, r;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	r = registry_base(&base, &base_fd, e);
	if (r < 0)
		return r;
	d = fdopendir(base_fd);
	if (!d) {
		close(base_fd);
		return sbx_error_set(e, errno, "%s", base);
	}
	while ((de = readdir(d))) {
		struct registry_entry entry;
		struct sbx_error ignored = { 0 };

		if (de->d_name[0] == '.' || registry_check_name(de->d_name, &ignored) < 0)
			continue;
		if (registry_open(&entry, de->d_name, &ignored) < 0)
			continue;
		registry_close(&entry);
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	*ret_names = names;
	*ret_n = n;
	return 0;
}
