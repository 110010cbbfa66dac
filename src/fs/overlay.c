/* overlay.c - overlayfs from host layers, built inside the user namespace */
#include "autoconf.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mount.h"
#include "overlay.h"
#include "util.h"

static int open_layer(const char *option, const char *path, int *ret_fd, struct sbx_error *e)
{
	/* O_RDONLY, not O_PATH: FSCONFIG_SET_FD takes no O_PATH fd before 6.15. */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sbx_error_set(e, errno, "--%s: %s", option, path);
	*ret_fd = fd;
	return 0;
}

int overlay_prepare(const struct sbx_mount_spec *m, struct overlay_prep *ret,
		    struct sbx_error *e)
{
	int r;

	ret->lower = xreallocarray(NULL, m->n_layers, sizeof(int));
	ret->n_lower = 0;
	ret->upper = ret->work = -1;
	for (size_t i = 0; i < m->n_layers; i++) {
		r = open_layer("overlay-src", m->layers[i], &ret->lower[i], e);
		if (r < 0)
			return r;
		ret->n_lower++;
	}
	if (m->kind == SBX_MOUNT_OVERLAY) {
		r = open_layer(m->option, m->src, &ret->upper, e);
		if (r == 0)
			r = open_layer(m->option, m->workdir, &ret->work, e);
		if (r < 0)
			return r;
	}
	return 0;
}

void overlay_prep_release(struct overlay_prep *p)
{
	for (size_t i = 0; i < p->n_lower; i++)
		close(p->lower[i]);
	free(p->lower);
	if (p->upper >= 0)
		close(p->upper);
	if (p->work >= 0)
		close(p->work);
	memset(p, 0, sizeof(*p));
	p->upper = p->work = -1;
}

/* Older kernels: every layer as a /proc/self/fd path (no ':' or ',' to
 * escape, unlike the host paths), topmost first as "lowerdir" wants it. */
static int set_layers_by_path(int fsfd, const struct overlay_prep *p, int upper, int work)
{
	char one[32];
	_cleanup_free_ char *lower = xstrdup("");

	for (size_t i = p->n_lower; i-- > 0;) {
		char *next = xasprintf("%s%s/proc/self/fd/%d", lower, *lower ? ":" : "", p->lower[i]);
		free(lower);
		lower = next;
	}
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
		return -errno;
	if (upper >= 0) {
		snprintf(one, sizeof(one), "/proc/self/fd/%d", upper);
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", one, 0) < 0)
			return -errno;
		snprintf(one, sizeof(one), "/proc/self/fd/%d", work);
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", one, 0) < 0)
			return -errno;
	}
	return 0;
}

static int set_layers(int fsfd, const struct overlay_prep *p, int upper, int work)
{
	/* "lowerdir+" stacks each new layer below the ones given before it,
	 * so the topmost (last --overlay-src) goes first. */
	for (size_t i = p->n_lower; i-- > 0;) {
		if (fsconfig(fsfd, FSCONFIG_SET_FD, "lowerdir+", NULL, p->lower[i]) < 0) {
			if (i == p->n_lower - 1 && errno == EINVAL)
				return set_layers_by_path(fsfd, p, upper, work);
			return -errno;
		}
	}
	if (upper >= 0 && (fsconfig(fsfd, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0 ||
			   fsconfig(fsfd, FSCONFIG_SET_FD, "workdir", NULL, work) < 0))
		return -errno;
	return 0;
}

/* The id an unmapped owner shows as (fs.overflowuid/gid, normally 65534). */
static unsigned long overflow_id(const char *file)
{
	char buf[16] = "";
	unsigned long v = 65534;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			parse_uint(buf, 0xffffffffUL, &v);
		}
		close(fd);
	}
	return v;
}

/* Owner and mode of the merged root come from the upper directory: give it
 * those of the topmost layer, the owner only where it is mapped here (an
 * unmapped owner shows as the overflow id, which may be a real id inside). */
static int copy_top_attrs(const struct overlay_prep *p, int upper)
{
	struct stat top;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (fstat(p->lower[p->n_lower - 1], &top) < 0)
		return -errno;
	if (fchmod(upper, top.st_mode & 07777) < 0)
		return -errno;
	if (top.st_uid != overflow_id("/proc/sys/fs/overflowuid"))
		uid = top.st_uid;
	if (top.st_gid != overflow_id("/proc/sys/fs/overflowgid"))
		gid = top.st_gid;
	if (fchown(upper, uid, gid) < 0 && errno != EINVAL && errno != EPERM)
		return -errno;
	return 0;
}

/* A tmpfs holding "upper" and "work" for --tmp-overlay. overlayfs takes a
 * private clone of the upper layer's mount, which the kernel only allows for
 * a mount in our namespace: so it is attached at @stage (a directory on the
 * root tmpfs) for the time of the overlay's creation, then detached again. */
static int make_tmp_upper(const struct overlay_prep *p, int rootfd, const char *stage,
			  int *ret_upper, int *ret_work)
{
	static const char *const opts[] = { "mode", "0755", NULL };
	_cleanup_close_ int mfd = -1, target = -1, top = -1;
	int r;

	r = mnt_new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &mfd);
	if (r < 0)
		return r;
	if (mkdirat(rootfd, stage, 0700) < 0)
		return -errno;
	target = openat(rootfd, stage, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return -errno;
	r = mnt_attach(mfd, target);
	if (r < 0)
		return r;
	top = openat(rootfd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0)
		return -errno;
	if (mkdirat(top, "upper", 0755) < 0 || mkdirat(top, "work", 0700) < 0)
		return -errno;
	*ret_upper = openat(top, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_upper < 0)
		return -errno;
	*ret_work = openat(top, "work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_work < 0)
		return -errno;
	return copy_top_attrs(p, *ret_upper);
}

/* Take the staging tmpfs away again; the overlay keeps its own clone. */
static void remove_stage(int rootfd, const char *stage)
{
	char path[64];
	int fd = openat(rootfd, stage, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		umount2(path, MNT_DETACH);
		close(fd);
	}
	unlinkat(rootfd, stage, AT_REMOVEDIR);
}

/* Append the kernel's reason from the fs context log, if it left one. */
static int overlay_error(int fsfd, int err, const struct sbx_mount_spec *m, struct sbx_error *e)
{
	char log[256] = "";
	struct utsname u;
	unsigned major = 0, minor = 0;
	ssize_t n = read(fsfd, log, sizeof(log) - 1);

	if (n > 2) {
		log[n] = '\0';
		log[strcspn(log, "\n")] = '\0';
		return sbx_error_set(e, err, "--%s %s: %s", m->option, m->dest, log + 2);
	}
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	    (major < 5 || (major == 5 && minor < 11)))
		return sbx_error_set(e, err, "--%s %s: overlayfs in a user namespace needs Linux 5.11 "
					     "or later (this is %s)", m->option, m->dest, u.release);
	if (err == EINVAL)
		return sbx_error_set(e, 0, "--%s %s: overlayfs refused these directories (WORKDIR must "
					   "be an empty directory on RWDIR's filesystem, outside RWDIR; "
					   "layers must not contain each other)", m->option, m->dest);
	return sbx_error_set(e, err, "--%s %s", m->option, m->dest);
}

static int create_overlay(const struct sbx_mount_spec *m, const struct overlay_prep *p,
			  int rootfd, char *stage, int *ret_fd, struct sbx_error *e)
{
	_cleanup_close_ int fsfd = -1, tmp_upper = -1, tmp_work = -1;
	int upper = p->upper, work = p->work, mfd, r;
	unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

	fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return sbx_error_set(e, errno, "--%s %s: %s", m->option, m->dest,
				     errno == ENODEV ? "overlayfs is not available (module overlay)"
						     : "fsopen overlay");
	if (m->kind == SBX_MOUNT_TMP_OVERLAY) {
		snprintf(stage, 48, ".sbx-overlay-%d", p->lower[0]);
		r = make_tmp_upper(p, rootfd, stage, &tmp_upper, &tmp_work);
		if (r < 0)
			return sbx_error_set(e, r, "--%s %s: cannot create its tmpfs", m->option,
					     m->dest);
		upper = tmp_upper;
		work = tmp_work;
	}
	if (m->kind == SBX_MOUNT_RO_OVERLAY)
		attrs |= MOUNT_ATTR_RDONLY;

	r = set_layers(fsfd, p, upper, work);
	if (r < 0)
		return overlay_error(fsfd, -r, m, e);
	if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return overlay_error(fsfd, errno, m, e);
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		return overlay_error(fsfd, errno, m, e);
	*ret_fd = mfd;
	return 0;
}

int overlay_mount(const struct sbx_mount_spec *m, const struct overlay_prep *p, int rootfd,
		  int *ret_fd, struct sbx_error *e)
{
	char stage[48];
	int r = create_overlay(m, p, rootfd, stage, ret_fd, e);

	if (m->kind == SBX_MOUNT_TMP_OVERLAY)
		remove_stage(rootfd, stage);
	return r;
}
