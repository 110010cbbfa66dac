/* specialfs.c - bwrap's --proc, --dev and --mqueue inside the new root
 *
 * Run while the new root is being built, before pivot_root: the host's
 * /proc and /dev are still where they were, so their nodes are cloned from
 * there (the caller's mount namespace), never through the new root.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mount.h"
#include "specialfs.h"
#include "util.h"

static char *join(const char *dir, const char *name)
{
	return xasprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
}

static int new_fs_at(int rootfd, const char *dest, const char *fstype, const char *const *opts,
		     unsigned attrs)
{
	_cleanup_close_ int target = -1, mfd = -1;
	int r = path_make_in_root(rootfd, dest, false, 0755, &target);

	if (r < 0)
		return r;
	r = mnt_new_fs(fstype, opts, attrs, &mfd);
	if (r < 0)
		return r;
	return mnt_attach(mfd, target);
}

static int bind_host_at(int rootfd, const char *host, const char *dest, bool as_file,
			uint64_t attrs)
{
	_cleanup_close_ int target = -1;
	struct mnt_bind b = { .fd = -1 };
	int r = mnt_clone_bind(AT_FDCWD, host, attrs, &b);

	if (r == 0)
		r = path_make_in_root(rootfd, dest, as_file, as_file ? 0444 : 0755, &target);
	if (r == 0)
		r = mnt_attach_with_attrs(b.fd, target, b.pending_attrs, true);
	if (b.fd >= 0)
		close(b.fd);
	return r;
}

/* Writable only to a privileged caller anyway; covered all the same. */
static int cover_proc_dirs(int rootfd, const char *dest)
{
	static const char *const dirs[] = { "sys", "sysrq-trigger", "irq", "bus" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = join(dest, dirs[i]);
		_cleanup_close_ int fd = -1;
		char self[64];
		struct mnt_bind b = { .fd = -1 };
		int r = path_open_in_root(rootfd, path, O_PATH, &fd);

		if (r == -ENOENT || r == -EACCES)
			continue;
		if (r < 0)
			return r;
		/* As bwrap: only what we could write is covered. */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (access(self, W_OK) < 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
			continue;
		r = mnt_clone_bind(fd, "", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &b);
		if (r == 0)
			r = mnt_attach_with_attrs(b.fd, fd, b.pending_attrs, true);
		if (b.fd >= 0)
			close(b.fd);
		if (r < 0)
			return r;
	}
	return 0;
}

int specialfs_proc(int rootfd, const char *dest, bool own_pidns)
{
	static const char *const opts[] = { NULL };
	int r;

	if (own_pidns)
		r = new_fs_at(rootfd, dest, "proc", opts,
			      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	else
		r = bind_host_at(rootfd, "/proc", dest, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (r < 0)
		return r;
	return cover_proc_dirs(rootfd, dest);
}

int specialfs_dev(int rootfd, const char *dest)
{
	static const char *const dev_opts[] = { "mode", "0755", NULL };
	static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666",
						"mode", "0620", NULL };
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "/proc/self/fd", "fd" },
		{ "/proc/kcore", "core" },	 { "pts/ptmx", "ptmx" },
	};
	_cleanup_free_ char *shm = join(dest, "shm"), *pts = join(dest, "pts");
	_cleanup_close_ int shmfd = -1;
	int r = new_fs_at(rootfd, dest, "tmpfs", dev_opts, MOUNT_ATTR_NOSUID);

	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		_cleanup_free_ char *host = join("/dev", nodes[i]), *node = join(dest, nodes[i]);

		r = bind_host_at(rootfd, host, node, true, MOUNT_ATTR_NOSUID);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		_cleanup_free_ char *link = join(dest, links[i][1]);

		r = path_symlink_in_root(rootfd, links[i][0], link);
		if (r < 0)
			return r;
	}
	r = path_make_in_root(rootfd, shm, false, 0755, &shmfd);
	if (r < 0)
		return r;
	return new_fs_at(rootfd, pts, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
}

int specialfs_mqueue(int rootfd, const char *dest)
{
	static const char *const opts[] = { NULL };

	return new_fs_at(rootfd, dest, "mqueue", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
							       MOUNT_ATTR_NOEXEC);
}
