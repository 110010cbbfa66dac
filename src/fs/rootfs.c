/* rootfs.c - the default view, the user's mounts, pivot_root */
#include "autoconf.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "fdlimit.h"
#include "mount.h"
#include "net_resolv.h"
#include "rootfs.h"
#include "util.h"

/* Host trees every sandbox sees read-only (when the host has them). */
static const char *const system_dirs[] = { "/usr", "/etc", "/opt" };
/* Top-level names that are symlinks into /usr on merged-/usr systems. */
static const char *const system_links[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					    "/libx32" };
static const char *const device_nodes[] = { "/dev/null", "/dev/zero", "/dev/full",
					    "/dev/random", "/dev/urandom", "/dev/tty" };

#define ATTR_RO (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

static int clone_source(struct rootfs_source *s, const char *host_path, bool readonly,
			bool devices)
{
	struct mnt_bind b;
	int r = mnt_clone_bind(AT_FDCWD, host_path,
			       (readonly ? MOUNT_ATTR_RDONLY : 0) | MOUNT_ATTR_NOSUID |
				       (devices ? 0 : MOUNT_ATTR_NODEV),
			       &b);

	s->fd = b.fd;
	s->is_dir = b.is_dir;
	s->pending_attrs = b.pending_attrs;
	return r;
}

static int prepare_system(struct rootfs_prep *p, struct sbx_error *e)
{
	char link[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++) {
		struct rootfs_source *s = &p->system[p->n_system];
		int r;

		*s = (struct rootfs_source){ .path = system_dirs[i], .fd = -1 };
		r = clone_source(s, system_dirs[i], true, false);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return sbx_error_set(e, r, "cannot bind the host's %s", system_dirs[i]);
		p->n_system++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(system_links); i++) {
		struct rootfs_source *s = &p->system[p->n_system];
		ssize_t n = readlink(system_links[i], link, sizeof(link) - 1);
		int r;

		*s = (struct rootfs_source){ .path = system_links[i], .fd = -1 };
		if (n > 0) {
			link[n] = '\0';
			s->link = xstrdup(link);
			p->n_system++;
			continue;
		}
		if (errno == ENOENT)
			continue;
		r = clone_source(s, system_links[i], true, false);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return sbx_error_set(e, r, "cannot bind the host's %s", system_links[i]);
		p->n_system++;
	}
	return 0;
}

static int prepare_devices(struct rootfs_prep *p, struct sbx_error *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_nodes); i++) {
		struct rootfs_source *s = &p->devices[p->n_devices];
		int r;

		*s = (struct rootfs_source){ .path = device_nodes[i], .fd = -1 };
		r = mnt_clone_tree(AT_FDCWD, device_nodes[i], false, &s->fd);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return sbx_error_set(e, r, "cannot bind the host's %s", device_nodes[i]);
		p->n_devices++;
	}
	return 0;
}

int rootfs_prepare(const struct sbx_config *c, const int *premade, struct rootfs_prep *p,
		   struct sbx_error *e)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->host_proc.fd = -1;
	/* Mount events must not travel back to the host: everything we do below
	 * stays in this namespace, while host unmounts still reach us. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return sbx_error_set(e, errno, "cannot make the mount tree private");
	/* One fd per bind until they are attached: raise the soft limit for
	 * that while; the command gets the caller's back (rootfs_enter), the
	 * one sbx started with (sbx itself may have raised it already). */
	if (getrlimit(RLIMIT_NOFILE, &p->nofile) == 0) {
		if (c->nofile && c->nofile <= p->nofile.rlim_max)
			p->nofile.rlim_cur = c->nofile;
		p->restore_nofile = true;
		fdlimit_raise();
	}

	/* bwrap's empty root needs none of the default view's sources. */
	r = c->bwrap.empty_root ? 0 : prepare_system(p, e);
	if (r < 0)
		return r;
	r = c->bwrap.empty_root ? 0 : prepare_devices(p, e);
	if (r < 0)
		return r;
	if (c->share[SBX_NS_PID] && !c->bwrap.empty_root) {
		/* A new proc instance would show the host's pid namespace, which
		 * our user namespace does not own: the kernel refuses it, so
		 * bind the host's /proc instead. */
		p->host_proc.path = "/proc";
		r = clone_source(&p->host_proc, "/proc", false, false);
		if (r < 0)
			return sbx_error_set(e, r, "cannot bind the host's /proc");
	}

	p->n_ops = c->n_mounts;
	r = viewops_prepare(c, premade, &p->ops, e);
	if (r < 0)
		return r;
	return 0;
}

void rootfs_prep_release(struct rootfs_prep *p)
{
	struct rootfs_source *lists[] = { p->system, p->devices, &p->host_proc };
	size_t counts[] = { p->n_system, p->n_devices, 1 };

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		for (size_t i = 0; i < counts[l]; i++) {
			if (lists[l][i].fd >= 0)
				close(lists[l][i].fd);
			free(lists[l][i].link);
		}
	}
	viewops_release(p->ops, p->n_ops);
	memset(p, 0, sizeof(*p));
	p->host_proc.fd = -1;
}

/*
 * The entry @name (one component) made in @dirfd, a directory of the new
 * root tmpfs, and with @ret_fd opened O_PATH. Only sbx writes there while
 * the default view is built, so one mkdirat() or mknodat() does what
 * path_make_in_root() does in four or five calls, resolving from the root
 * again each time (start-up time: about a dozen entries); O_NOFOLLOW all
 * the same. An entry that is there already is kept as it is.
 */
static int make_entry(int dirfd, const char *name, bool as_file, mode_t mode, int *ret_fd)
{
	int fd;

	if ((as_file ? mknodat(dirfd, name, S_IFREG | mode, 0) : mkdirat(dirfd, name, mode)) < 0 &&
	    errno != EEXIST)
		return -errno;
	if (!ret_fd)
		return 0;
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (as_file ? 0 : O_DIRECTORY));
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

/* Attach @mfd at @name of @dirfd, by name (move_mount() does not follow a
 * symlink there), else through an fd of the target for the remount of
 * @pending attributes (Linux < 5.12). */
static int attach_at(int mfd, int dirfd, const char *name, uint64_t pending)
{
	_cleanup_close_ int target = -1;

	if (!pending)
		return move_mount(mfd, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	target = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return -errno;
	return mnt_attach_with_attrs(mfd, target, pending, true);
}

/* Attach a prepared source at @name in @dirfd; consumes s->fd. */
static int attach_source(int dirfd, struct rootfs_source *s, const char *name, mode_t mask)
{
	int r;

	if (s->link)
		return symlinkat(s->link, dirfd, name) < 0 && errno != EEXIST ? -errno : 0;
	r = make_entry(dirfd, name, !s->is_dir, 0755 & ~mask, NULL);
	if (r == 0)
		r = attach_at(s->fd, dirfd, name, s->pending_attrs);
	close(s->fd);
	s->fd = -1;
	return r;
}

static int mount_new_fs_on(int target, const char *fstype, const char *const *options,
			   unsigned attrs)
{
	_cleanup_close_ int mfd = -1;
	int r = mnt_new_fs(fstype, options, attrs, &mfd);

	return r < 0 ? r : mnt_attach(mfd, target);
}

static int mount_new_fs_at(int dirfd, const char *name, const char *fstype,
			   const char *const *options, unsigned attrs, mode_t dir_mode)
{
	_cleanup_close_ int mfd = -1;
	int r = make_entry(dirfd, name, false, dir_mode, NULL);

	if (r == 0)
		r = mnt_new_fs(fstype, options, attrs, &mfd);
	return r < 0 ? r : attach_at(mfd, dirfd, name, 0);
}

/*
 * The default view's writable directories (/dev, /tmp, /var/tmp, /run, the
 * empty home) are directories of the root tmpfs, each bound onto itself:
 * when the root's mount turns read-only at the pivot, these mounts stay
 * writable (read-only is per mount). One superblock instead of six: each
 * new tmpfs cost ~15 us of kernel CPU to make (sget_fc, shmem_fill_super)
 * and again to tear down, on every start (issue 9). What a program sees
 * of it: the directories share one tmpfs's space and inodes (df shows the
 * same numbers for each), and mountinfo shows them as binds of that
 * tmpfs (root "/tmp" and so on, not "/"). Nothing else of the root becomes
 * writable: a ".." at a bind's root leaves through the root's mount.
 *
 * The directory @name in @dirfd, made with @mode (the umask is 0 while the
 * default view is built), bound onto itself with @set and not @clear.
 */
static int own_dir(int dirfd, const char *name, mode_t mode, uint64_t set, uint64_t clear)
{
	int r = make_entry(dirfd, name, false, mode, NULL);

	return r < 0 ? r : mnt_bind_onto_self(dirfd, name, set, clear);
}

static int build_dev(int rootfd, struct rootfs_prep *p, mode_t mask, struct sbx_error *e)
{
	static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666",
						"mode", "0620", NULL };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },     { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "/proc/kcore", "core" },     { "pts/ptmx", "ptmx" },
	};
	_cleanup_close_ int dev = -1;
	int r;

	/* As the tmpfs it once was: nosuid, noexec, not nodev. Bound before
	 * anything is mounted in it, and opened again after: the nodes' mounts
	 * must sit on the bind, not on the directory it covers. */
	r = own_dir(rootfd, "dev", 0755, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NODEV);
	if (r == 0) {
		dev = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = dev < 0 ? -errno : 0;
	}
	if (r < 0)
		return sbx_error_set(e, r, "cannot make /dev");
	/* In the new /dev directly, by name (rootfs_prepare() took /dev/NAME
	 * nodes only). */
	for (size_t i = 0; i < p->n_devices; i++) {
		r = attach_source(dev, &p->devices[i], p->devices[i].path + strlen("/dev/"), mask);
		if (r < 0)
			return sbx_error_set(e, r, "cannot bind %s", p->devices[i].path);
	}
	r = mount_new_fs_at(dev, "pts", "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
			    0755 & ~mask);
	if (r < 0)
		return sbx_error_set(e, r, "cannot mount /dev/pts");
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			return sbx_error_set(e, errno, "cannot create /dev/%s", links[i][1]);
	}
	r = make_entry(dev, "shm", false, 01777, NULL);
	if (r < 0)
		return sbx_error_set(e, r, "cannot create /dev/shm");
	return 0;
}

/*
 * The empty home, mode 0700, the command's (made after the uid change):
 * a new directory of the root tmpfs bound onto itself, as /tmp is. A home
 * that is there already (HOME=/var, /tmp, /dev...) gets a tmpfs of its own
 * instead, as before: binding that directory would give its mode to what
 * else is there, and show it what it held. Any path: resolved in the root.
 */
static int build_home(int rootfd, const char *home, mode_t mask)
{
	static const char *const home_opts[] = { "mode", "0700", NULL };
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r = path_open_in_root(rootfd, home, O_PATH, &fd);

	if (r == 0)
		return mount_new_fs_on(fd, "tmpfs", home_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (r != -ENOENT)
		return r;
	r = path_make_in_root_mode(rootfd, home, false, 0700, 0755 & ~mask, &fd);
	if (r < 0)
		return r;
	/* A home named with a trailing slash is made as a parent is. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((st.st_mode & 07777) != 0700) {
		char self[64];

		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (chmod(self, 0700) < 0)
			return -errno;
	}
	/* Not inherited from /dev, say, if it is made there. */
	return mnt_bind_onto_self(fd, "", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC);
}

/* With the umask at 0: the writable directories get their modes exactly
 * (no chmod each); the others get what the caller's umask gave them. */
static int build_default_view_masked(int rootfd, const struct sbx_config *c,
				     struct rootfs_prep *p, mode_t mask, struct sbx_error *e)
{
	static const char *const proc_opts[] = { NULL };
	_cleanup_close_ int var = -1;
	int r;

	for (size_t i = 0; i < p->n_system; i++) {
		r = attach_source(rootfd, &p->system[i], p->system[i].path + 1, mask);
		if (r < 0)
			return sbx_error_set(e, r, "cannot bind the host's %s", p->system[i].path);
	}

	if (p->host_proc.fd >= 0)
		r = attach_source(rootfd, &p->host_proc, "proc", mask);
	else
		r = mount_new_fs_at(rootfd, "proc", "proc", proc_opts,
				    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				    0555 & ~mask);
	if (r < 0)
		return sbx_error_set(e, r, "cannot mount /proc");

	r = build_dev(rootfd, p, mask, e);
	if (r < 0)
		return r;

	/* The root's own attributes (nosuid, nodev): none to set. */
	r = own_dir(rootfd, "tmp", 01777, 0, 0);
	if (r < 0)
		return sbx_error_set(e, r, "cannot make /tmp");
	r = make_entry(rootfd, "var", false, 0755 & ~mask, &var);
	if (r == 0)
		r = own_dir(var, "tmp", 01777, 0, 0);
	if (r < 0)
		return sbx_error_set(e, r, "cannot make /var/tmp");
	r = own_dir(rootfd, "run", 0755, 0, 0);
	if (r < 0)
		return sbx_error_set(e, r, "cannot make /run");
	r = strcmp(c->home, "/") == 0 ? 0 : build_home(rootfd, c->home, mask);
	if (r < 0)
		return sbx_error_set(e, r, "cannot mount an empty home at %s", c->home);
	return 0;
}

static int build_default_view(int rootfd, const struct sbx_config *c, struct rootfs_prep *p,
			      struct sbx_error *e)
{
	mode_t mask = umask(0);
	int r = build_default_view_masked(rootfd, c, p, mask, e);

	umask(mask);
	return r;
}

static int pivot_into(int rootfd, bool readonly, struct sbx_error *e)
{
	struct statvfs sv;
	int r;

	/* Read-only before the pivot: without mount_setattr() (Linux < 5.12)
	 * this reads /proc/self/mountinfo, which the user's mounts may have
	 * covered in the new root (--tmpfs /proc), not in the old one. */
	r = readonly ? mnt_set_attr_attached(rootfd, MOUNT_ATTR_RDONLY, false) : 0;
	if (r < 0)
		return sbx_error_set(e, r, "cannot make / read-only");
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * detaching "." then removes exactly the old root, and no directory
	 * for it is needed in the new tree. */
	if (fchdir(rootfd) < 0)
		return sbx_error_set(e, errno, "cannot enter the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return sbx_error_set(e, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return sbx_error_set(e, errno, "cannot detach the old root");
	if (chdir("/") < 0)
		return sbx_error_set(e, errno, "chdir /");
	/* The remount by path missed if the new root hung on the old "/" (no
	 * host /tmp): "/" named the old root then; now it names ours. */
	if (readonly && statvfs("/", &sv) == 0 && !(sv.f_flag & ST_RDONLY)) {
		_cleanup_close_ int newroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (newroot < 0)
			return sbx_error_set(e, errno, "cannot open the new root");
		r = mnt_set_attr_attached(newroot, MOUNT_ATTR_RDONLY, false);
		if (r < 0)
			return sbx_error_set(e, r, "cannot make / read-only");
	}
	return 0;
}

static int enter_start_dir(const struct sbx_config *c, struct sbx_error *e)
{
	if (c->chdir) {
		if (chdir(c->chdir) < 0)
			return sbx_error_set(e, errno, "--chdir %s", c->chdir);
		return 0;
	}
	/* No cwd: the caller's was deleted (config_caller_from_env()). */
	if ((c->cwd && chdir(c->cwd) == 0) || chdir(c->home) == 0)
		return 0;
	if (chdir("/") < 0)
		return sbx_error_set(e, errno, "chdir /");
	return 0;
}

int rootfs_enter(const struct sbx_config *c, struct rootfs_prep *p, struct sbx_error *e)
{
	static const char *const root_opts[] = { "mode", "0755", NULL };
	_cleanup_close_ int rootfd = -1, selffd = -1;
	int r;

	r = mnt_new_fs("tmpfs", root_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &rootfd);
	if (r < 0)
		return sbx_error_set(e, r, "cannot create the root tmpfs");
	/* Until pivot_root the new root must hang somewhere in our tree (older
	 * kernels refuse mounts onto detached trees). Every host source is
	 * already an fd, so covering the host's /tmp hides nothing we need. */
	if (move_mount(rootfd, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH) < 0 &&
	    move_mount(rootfd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return sbx_error_set(e, errno, "cannot attach the root tmpfs");

	/* bwrap's root holds only what its options make. */
	r = c->bwrap.empty_root ? 0 : build_default_view(rootfd, c, p, e);
	if (r < 0)
		return r;
	/* Held before the user's mounts, which may cover /proc or /proc/1 (as
	 * bwrap allows): Landlock reads the final view's mounts through it. */
	selffd = c->bwrap.empty_root ? open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC)
				     : openat(rootfd, "proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (selffd < 0)
		return sbx_error_set(e, errno, "cannot open the sandbox's /proc/self");
	/* After the /etc bind, before the user's mounts (which may bind their
	 * own resolv.conf). */
	if (c->net == SBX_NET_SLIRP) {
		r = net_resolv_attach(rootfd, e);
		if (r < 0)
			return r;
	}
	r = viewops_apply(&rootfd, c, p->ops, e);
	if (r < 0)
		return r;
	r = pivot_into(rootfd, !c->bwrap.empty_root, e);
	if (r < 0)
		return r;
	r = c->bwrap.enabled ? 0 : landlock_snapshot_view(selffd, e);
	if (r < 0)
		return r;
	/* Fds above the old soft limit may stay open; only new ones are bound
	 * by it, as the caller's programs expect (select() and FD_SETSIZE). */
	if (p->restore_nofile && setrlimit(RLIMIT_NOFILE, &p->nofile) < 0)
		return sbx_error_set(e, errno, "cannot restore the open-file limit");
	p->restore_nofile = false;
	return enter_start_dir(c, e);
}
