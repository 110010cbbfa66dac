/* oci_rootfs.c - the container's file-system view from config.json: binds,
 * new file systems, device nodes, pivot_root, masked and read-only paths */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount.h"
#include "oci_rootfs.h"
#include "util.h"

#define FD_PATH_MAX 40

static void fd_path(int fd, char buf[FD_PATH_MAX])
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* Flags a user namespace cannot clear on a bind it did not make: a remount
 * must repeat them, or the kernel refuses it (EPERM). */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static int remount_bind(const char *target, unsigned long flags)
{
	const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;
	unsigned long locked = locked_flags(target);

	/* Keep the mount's own atime mode unless the options name one. */
	if (flags & atime)
		locked &= ~atime;
	if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | locked, NULL) == 0)
		return 0;
	return -errno;
}

#define REMOUNT_FLAGS                                                                         \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)

/* A bind's flags and propagation apply to the new mount: the fd we mounted
 * on names what is now covered, so the path is looked up again. */
static int bind_finish(int rootfd, const char *dest, unsigned long flags, unsigned long prop)
{
	_cleanup_close_ int fd = -1;
	char path[FD_PATH_MAX];
	int r = path_open_in_root(rootfd, dest, O_PATH | O_CLOEXEC, &fd);

	if (r < 0)
		return r;
	fd_path(fd, path);
	if (flags & REMOUNT_FLAGS) {
		r = remount_bind(path, flags & REMOUNT_FLAGS);
		if (r < 0)
			return r;
	}
	if (prop && mount(NULL, path, NULL, prop, NULL) < 0)
		return -errno;
	return 0;
}

/* Make the mount point for @m inside @rootfd: a file for a bind of a
 * non-directory, a directory otherwise. */
static int make_target(int rootfd, const struct oci_mount *m, int *ret_fd)
{
	struct stat st;
	bool as_file = m->bind && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode);

	return path_make_in_root(rootfd, m->dest, as_file, 0755, ret_fd);
}

/* Fallbacks when a user namespace may not make a new instance: the host's
 * tree, bound (what runc and crun do rootless). */
static const char *fallback_source(const char *type)
{
	if (strcmp(type, "sysfs") == 0)
		return "/sys";
	if (strcmp(type, "mqueue") == 0)
		return "/dev/mqueue";
	if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
		return "/sys/fs/cgroup";
	return NULL;
}

static int mount_one(int rootfd, const struct oci_mount *m, struct sbx_error *e)
{
	_cleanup_close_ int target = -1;
	char path[FD_PATH_MAX];
	const char *type = m->type, *fb;
	unsigned long flags = m->flags & ~(MS_REC | MS_REMOUNT);
	int r = make_target(rootfd, m, &target);

	if (r < 0)
		return sbx_error_set(e, r, "mounts %s: cannot create the mount point", m->dest);
	fd_path(target, path);
	if (m->bind) {
		r = mount(m->source, path, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0 ? -errno : 0;
		if (r == 0)
			r = bind_finish(rootfd, m->dest, flags, m->propagation);
		if (r < 0)
			return sbx_error_set(e, r, "mounts %s: bind %s", m->dest, m->source);
		return 0;
	} else {
		/* A hybrid or v1 host has no cgroup2 to give the container. */
		if (strcmp(type, "cgroup") == 0)
			type = "cgroup2";
		r = mount(m->source, path, type, flags, m->data) < 0 ? -errno : 0;
		if (r == -EINVAL && strcmp(type, "devpts") == 0 && strstr(m->data, "gid=")) {
			/* gid=5 is unmapped in a single-id user namespace. */
			_cleanup_free_ char *data = xstrdup(m->data);
			char *g = strstr(data, "gid="), *end = strchr(g, ',');

			if (end)
				memmove(g, end + 1, strlen(end + 1) + 1);
			else
				*(g > data ? g - 1 : g) = '\0';
			r = mount(m->source, path, type, flags, data) < 0 ? -errno : 0;
		}
		fb = fallback_source(m->type);
		if (r < 0 && (r == -EPERM || r == -EBUSY || r == -EINVAL || r == -ENODEV) && fb) {
			r = mount(fb, path, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
			if (r == 0)
				r = bind_finish(rootfd, m->dest, flags, 0);
		}
		if (r < 0)
			return sbx_error_set(e, r, "mounts %s: mount %s", m->dest, m->type);
	}
	r = m->propagation ? bind_finish(rootfd, m->dest, 0, m->propagation) : 0;
	if (r < 0)
		return sbx_error_set(e, r, "mounts %s: propagation", m->dest);
	return 0;
}

/* The directory a device node goes in, resolved inside the root (a /dev
 * the image made a symlink must not lead the node, or the unlink before it,
 * out to the host), made if missing; *ret_name points into @dev. */
static int open_parent_in_root(int rootfd, const char *dev, int *ret_fd, const char **ret_name)
{
	const char *rel = dev + strspn(dev, "/"), *slash = strrchr(rel, '/');
	_cleanup_free_ char *parent = slash ? strndup(rel, (size_t)(slash - rel)) : NULL;

	*ret_name = slash ? slash + 1 : rel;
	if (!slash) {
		*ret_fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
		return *ret_fd < 0 ? -errno : 0;
	}
	if (!parent)
		return -ENOMEM;
	return path_make_in_root(rootfd, parent, false, 0755, ret_fd);
}

static int make_device(int rootfd, const char *dev, mode_t type, dev_t rdev, mode_t mode,
		       uid_t uid, gid_t gid, struct sbx_error *e)
{
	_cleanup_close_ int dir = -1, target = -1;
	char path[FD_PATH_MAX];
	const char *name;
	int r = open_parent_in_root(rootfd, dev, &dir, &name);

	if (r < 0)
		return sbx_error_set(e, r, "cannot create %s", dev);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return sbx_error_set(e, EINVAL, "linux.devices: %s: not a file name", dev);
	if (faccessat(dir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (mknodat(dir, name, type | (mode & 07777), rdev) == 0) {
		if (fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
			return sbx_error_set(e, errno, "chown %s", dev);
		return 0;
	}
	if (errno != EPERM)
		return sbx_error_set(e, errno, "mknod %s", dev);
	/* In a user namespace device nodes cannot be made: bind the host's. */
	target = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (target < 0)
		return sbx_error_set(e, errno, "cannot create %s", dev);
	fd_path(target, path);
	if (mount(dev, path, NULL, MS_BIND, NULL) < 0)
		return sbx_error_set(e, errno, "cannot bind the host's %s", dev);
	return 0;
}

static int make_devices(int rootfd, const struct oci_spec *s, struct sbx_error *e)
{
	static const struct {
		const char *path;
		unsigned major, minor;
	} defaults[] = { { "/dev/null", 1, 3 },	  { "/dev/zero", 1, 5 },  { "/dev/full", 1, 7 },
			 { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 } };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },	    { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};
	_cleanup_close_ int pts = -1, dev = -1;
	int r;

	for (size_t i = 0; i < s->n_devices; i++) {
		const struct oci_device *d = &s->devices[i];
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;

		r = make_device(rootfd, d->path, type, makedev(d->major, d->minor), d->mode, d->uid,
				d->gid, e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		r = make_device(rootfd, defaults[i].path, S_IFCHR,
				makedev(defaults[i].major, defaults[i].minor), 0666, 0, 0, e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		r = path_symlink_in_root(rootfd, links[i][0], links[i][1]);
		if (r < 0)
			return sbx_error_set(e, r, "cannot create %s", links[i][1]);
	}
	if (path_open_in_root(rootfd, "dev/pts/ptmx", O_PATH, &pts) == 0 &&
	    path_open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY, &dev) == 0) {
		unlinkat(dev, "ptmx", 0);
		r = path_symlink_in_root(rootfd, "pts/ptmx", "/dev/ptmx");
		if (r < 0)
			return sbx_error_set(e, r, "cannot create /dev/ptmx");
	}
	return 0;
}

int oci_rootfs_prepare(const struct oci_spec *s, struct sbx_error *e)
{
	_cleanup_close_ int rootfd = -1;
	unsigned long prop = s->rootfs_propagation ? s->rootfs_propagation : MS_SLAVE | MS_REC;

	/* Nothing done below may travel back to the host. */
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return sbx_error_set(e, errno, "linux.rootfsPropagation");
	if (mount(s->root, s->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return sbx_error_set(e, errno, "root.path %s", s->root);
	rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sbx_error_set(e, errno, "root.path %s", s->root);
	for (size_t i = 0; i < s->n_mounts; i++) {
		int r = mount_one(rootfd, &s->mounts[i], e);

		if (r < 0)
			return r;
	}
	return make_devices(rootfd, s, e);
}

static int write_sysctls(const struct oci_spec *s, struct sbx_error *e)
{
	for (size_t i = 0; i < s->n_sysctl; i++) {
		_cleanup_free_ char *kv = xstrdup(s->sysctl[i]);
		char *eq = strchr(kv, '='), *path;
		int r;

		*eq = '\0';
		for (char *p = kv; *p; p++)
			if (*p == '.')
				*p = '/';
		path = xasprintf("/proc/sys/%s", kv);
		r = write_file_at(AT_FDCWD, path, eq + 1);
		free(path);
		if (r < 0)
			return sbx_error_set(e, r, "linux.sysctl %s", s->sysctl[i]);
	}
	return 0;
}

static int mask_paths(const struct oci_spec *s, struct sbx_error *e)
{
	for (size_t i = 0; i < s->n_masked; i++) {
		const char *p = s->masked[i];
		struct stat st;
		int r;

		if (stat(p, &st) < 0) {
			if (errno == ENOENT)
				continue;
			return sbx_error_set(e, errno, "linux.maskedPaths %s", p);
		}
		if (S_ISDIR(st.st_mode))
			r = mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0k") < 0 ? -errno : 0;
		else
			r = mount("/dev/null", p, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
		if (r < 0)
			return sbx_error_set(e, r, "linux.maskedPaths %s", p);
	}
	for (size_t i = 0; i < s->n_readonly; i++) {
		const char *p = s->readonly[i];
		int r = mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;

		if (r == -ENOENT)
			continue;
		if (r == 0)
			r = remount_bind(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
		if (r < 0)
			return sbx_error_set(e, r, "linux.readonlyPaths %s", p);
	}
	return 0;
}

static int pivot(const char *root, bool no_pivot, struct sbx_error *e)
{
	if (chdir(root) < 0)
		return sbx_error_set(e, errno, "root.path %s", root);
	if (no_pivot) {
		if (mount(root, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
			return sbx_error_set(e, errno, "--no-pivot: cannot move into %s", root);
	} else {
		/* pivot_root(".", ".") stacks the old root on the new one;
		 * detaching "." then drops exactly the old root. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return sbx_error_set(e, errno, "pivot_root %s", root);
		if (umount2(".", MNT_DETACH) < 0)
			return sbx_error_set(e, errno, "cannot detach the old root");
	}
	if (chdir("/") < 0)
		return sbx_error_set(e, errno, "chdir /");
	return 0;
}

int oci_rootfs_enter(const struct oci_spec *s, bool no_pivot, struct sbx_error *e)
{
	int r = pivot(s->root, no_pivot, e);

	if (r == 0)
		r = write_sysctls(s, e);
	if (r == 0)
		r = mask_paths(s, e);
	if (r == 0 && s->root_readonly) {
		r = remount_bind("/", MS_RDONLY);
		if (r < 0)
			return sbx_error_set(e, r, "root.readonly");
	}
	return r;
}
