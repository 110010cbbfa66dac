/* dbus_proxy_dir.c - the host directory of the D-Bus proxy's sockets, and
 *		      the removal of those a killed sbx left (see the header)
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbus_proxy_dir.h"
#include "util.h"

#define DIR_PREFIX "sbx-dbus-"
/* mkdtemp()'s six random characters */
#define DIR_NAME_LEN (sizeof(DIR_PREFIX) - 1 + 6)
#define MAKE_TRIES 8

static const char *const proxy_sockets[] = { "bus", "system_bus_socket" };

static bool is_proxy_dir_name(const char *name)
{
	return strlen(name) == DIR_NAME_LEN && !strncmp(name, DIR_PREFIX, sizeof(DIR_PREFIX) - 1);
}

/* Take @fd's lock, or -EBUSY when another start's collector holds it. */
static int lock_new_dir(int fd)
{
	int r;

	do
		r = flock(fd, LOCK_EX | LOCK_NB);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	return errno == EWOULDBLOCK ? -EBUSY : -errno;
}

int dbus_proxy_dir_make(const char *parent, char **ret_path, int *ret_lock, struct sbx_error *e)
{
	for (int i = 0; i < MAKE_TRIES; i++) {
		_cleanup_free_ char *path = xasprintf("%s/" DIR_PREFIX "XXXXXX", parent);
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;

		if (!mkdtemp(path))
			return sbx_error_set(e, errno, "cannot create %s", path);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return sbx_error_set(e, errno, "cannot open %s", path);
		/* Not 0-2 (sbx started with one closed): pid 1 keeps those, and
		 * a host directory, whose ".." is $XDG_RUNTIME_DIR or /tmp, has
		 * no business in the sandbox. */
		if (fd <= STDERR_FILENO) {
			int high = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

			close(fd);
			fd = high;
			if (fd < 0)
				return sbx_error_set(e, errno, "cannot open %s", path);
		}
		r = lock_new_dir(fd);
		/* Busy: another start's collector holds it, and removes it;
		 * no waiting for that, we take another. */
		if (r == -EBUSY)
			continue;
		if (r < 0)
			return sbx_error_set(e, r, "cannot lock %s", path);
		if (fstat(fd, &st) < 0)
			return sbx_error_set(e, errno, "cannot look at %s", path);
		/* A collector came between mkdtemp() and the lock, and
		 * removed it: the lock is on a directory that has no name. */
		if (st.st_nlink == 0)
			continue;
		/* ... and removed it before our open(): in /tmp another user
		 * may have made that name again, a directory of theirs in
		 * which they would replace the proxy's sockets. Only the one
		 * mkdtemp() made is ours, and closed to others (0700). */
		if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0077))
			continue;
		*ret_path = TAKE_PTR(path);
		*ret_lock = TAKE_FD(fd);
		return 0;
	}
	return sbx_error_set(e, EAGAIN, "cannot keep a directory for the D-Bus proxy in %s", parent);
}

/* Remove @parent's entry @name, a proxy directory, unless someone holds
 * its lock: its sockets, then the directory itself, only while its name
 * still names the one we locked. */
static int remove_at(int parent, const char *name)
{
	_cleanup_close_ int fd =
		openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st, now;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* In /tmp another user may have made one of these names; and one
	 * open to others is not one dbus_proxy_dir_make() made. */
	if (st.st_uid != geteuid() || (st.st_mode & 0077))
		return -EPERM;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_nlink == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(proxy_sockets); i++) {
		struct stat s;

		if (fstatat(fd, proxy_sockets[i], &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(s.st_mode))
			unlinkat(fd, proxy_sockets[i], 0);
	}
	if (fstatat(parent, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
		return -ESTALE;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int dbus_proxy_dir_remove(const char *path)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	_cleanup_close_ int parent = -1;

	if (!slash || !is_proxy_dir_name(slash + 1))
		return -EINVAL;
	*slash = '\0';
	parent = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return -errno;
	return remove_at(parent, slash + 1);
}

int dbus_proxy_dir_collect(const char *parent)
{
	DIR *d = fdopendir_take(open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if ((de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) &&
		    is_proxy_dir_name(de->d_name) && remove_at(dirfd(d), de->d_name) == 0)
			n++;
	closedir(d);
	return n;
}
