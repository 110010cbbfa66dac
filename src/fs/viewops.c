/* viewops.c - binds, tmpfs, overlays, files and links, in command-line order */
#include "autoconf.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdlimit.h"
#include "idmap_mount.h"
#include "mount.h"
#include "specialfs.h"
#include "util.h"
#include "viewops.h"

static bool is_bind(enum sbx_mount_kind kind)
{
	return kind == SBX_MOUNT_BIND || kind == SBX_MOUNT_RO_BIND || kind == SBX_MOUNT_DEV_BIND;
}

static bool is_overlay(enum sbx_mount_kind kind)
{
	return kind == SBX_MOUNT_OVERLAY || kind == SBX_MOUNT_TMP_OVERLAY ||
	       kind == SBX_MOUNT_RO_OVERLAY;
}

static uint64_t bind_attrs(enum sbx_mount_kind kind)
{
	switch (kind) {
	case SBX_MOUNT_RO_BIND:
		return MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	case SBX_MOUNT_DEV_BIND:
		return MOUNT_ATTR_NOSUID;
	default:
		return MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	}
}

/* Clone @path (relative to @dirfd, "" for dirfd itself) and set the bind's attributes. */
static int clone_bind(int dirfd, const char *path, const struct sbx_mount_spec *m,
		      struct viewop_prep *op)
{
	struct mnt_bind b;
	int r = mnt_clone_bind(dirfd, path, bind_attrs(m->kind), &b);

	op->fd = b.fd;
	op->is_dir = b.is_dir;
	op->pending_attrs = b.pending_attrs;
	/* An idmapped bind gets its idmap with the same mount_setattr() call
	 * later, so it cannot do without one. */
	if (r == 0 && b.pending_attrs && m->idmap)
		return -ENOSYS;
	return r;
}

static int prepare_one(const struct sbx_mount_spec *m, int premade, struct viewop_prep *op,
		       struct sbx_error *e)
{
	struct stat st;
	int r;

	if (is_overlay(m->kind))
		return overlay_prepare(m, &op->ovl, e);
	if (!is_bind(m->kind) || m->sandbox_src)
		return 0;
	if (m->idmap && premade < 0) {
		op->skip = true; /* a missing --*-try source, found so outside */
		return 0;
	}
	if (premade >= 0) {
		op->fd = premade;
		if (fstat(op->fd, &st) < 0)
			return sbx_error_set(e, errno, "--%s %s", m->option, m->src);
		op->is_dir = S_ISDIR(st.st_mode);
		return 0;
	}
	r = clone_bind(AT_FDCWD, m->src, m, op);
	if (r == -ENOENT && m->try_src) {
		op->skip = true;
		return 0;
	}
	if (r == -EMFILE)
		return fdlimit_bind_error(m, e);
	if (r < 0)
		return sbx_error_set(e, r, "--%s %s", m->option, m->src);
	return 0;
}

int viewops_prepare(const struct sbx_config *c, const int *premade, struct viewop_prep **ret_ops,
		    struct sbx_error *e)
{
	struct viewop_prep *ops = xreallocarray(NULL, c->n_mounts ? c->n_mounts : 1, sizeof(*ops));

	for (size_t i = 0; i < c->n_mounts; i++)
		ops[i] = (struct viewop_prep){ .fd = -1, .ovl = { .upper = -1, .work = -1 } };
	*ret_ops = ops;
	for (size_t i = 0; i < c->n_mounts; i++) {
		int r = prepare_one(&c->mounts[i], premade ? premade[i] : -1, &ops[i], e);
		if (r < 0)
			return r;
	}
	return 0;
}

void viewops_release(struct viewop_prep *ops, size_t n)
{
	if (!ops)
		return;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].fd >= 0)
			close(ops[i].fd);
		overlay_prep_release(&ops[i].ovl);
	}
	free(ops);
}

/* bwrap's rule: --perms that close group/other access close it on the
 * parent directories created for the operation, too. */
static mode_t parent_mode_for(mode_t mode)
{
	mode_t parent = 0755;

	if (!(mode & 070))
		parent &= ~(mode_t)070;
	if (!(mode & 07))
		parent &= ~(mode_t)07;
	return parent;
}

static int attach_at(int rootfd, int mfd, const char *dest, bool is_dir, mode_t parent_mode,
		     uint64_t pending_attrs)
{
	_cleanup_close_ int target = -1;
	/* A file made as a mount point is 0444, as bwrap makes it: it may
	 * stay behind in a bound host directory. */
	int r = path_make_in_root_mode(rootfd, dest, !is_dir, is_dir ? 0755 : 0444, parent_mode,
				       &target);

	if (r < 0)
		return r;
	return mnt_attach_with_attrs(mfd, target, pending_attrs, true);
}

static int apply_bind(int rootfd, const struct sbx_mount_spec *m, struct viewop_prep *op)
{
	int r;

	if (m->sandbox_src) {
		_cleanup_close_ int src = -1;

		r = path_open_in_root(rootfd, m->src, O_PATH, &src);
		if (r == -ENOENT && m->try_src)
			return 0;
		if (r == 0)
			r = clone_bind(src, "", m, op);
		if (r == 0 && m->idmap)
			r = idmap_mount_apply_inner(op->fd, m->idmap);
		if (r < 0)
			return r;
	}
	if (op->skip)
		return 0;
	r = attach_at(rootfd, op->fd, m->dest, op->is_dir, 0755, op->pending_attrs);
	/* bwrap's --bind SRC /: the bind is the new root from here on, and
	 * the caller takes its fd (the old one names the covered tmpfs). */
	if (r == 0 && strcmp(m->dest, "/") == 0)
		return TAKE_FD(op->fd);
	close(TAKE_FD(op->fd));
	return r;
}

static int apply_tmpfs(int rootfd, const struct sbx_mount_spec *m)
{
	_cleanup_close_ int target = -1, mfd = -1;
	char mode[16], size[32];
	const char *opts[] = { "mode", mode, m->size ? "size" : NULL, size, NULL };
	int r;

	snprintf(mode, sizeof(mode), "%04o", (unsigned)m->mode);
	snprintf(size, sizeof(size), "%llu", m->size);
	r = path_make_in_root_mode(rootfd, m->dest, false, 0755, parent_mode_for(m->mode), &target);
	if (r < 0)
		return r;
	r = mnt_new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &mfd);
	if (r < 0)
		return r;
	r = mnt_attach(mfd, target);
	/* --tmpfs /: the new root from here on (see apply_bind()). */
	if (r == 0 && strcmp(m->dest, "/") == 0)
		return TAKE_FD(mfd);
	return r;
}

/* chmod through /proc/self/fd: an O_PATH fd cannot be fchmod()ed, and the
 * host's /proc is still mounted while the root is built. */
static int chmod_fd(int fd, mode_t mode)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (chmod(path, mode) < 0)
		return -errno;
	return 0;
}

static int apply_dir(int rootfd, const struct sbx_mount_spec *m)
{
	_cleanup_close_ int fd = -1;
	bool existed = path_open_in_root(rootfd, m->dest, O_PATH, &fd) == 0;
	int r;

	if (existed)
		return 0; /* like bwrap: an existing directory keeps its mode */
	r = path_make_in_root_mode(rootfd, m->dest, false, m->mode, parent_mode_for(m->mode), &fd);
	if (r < 0)
		return r;
	return chmod_fd(fd, m->mode); /* mkdir's mode went through the umask */
}

/* All of @fd, at most VIEWOPS_DATA_MAX bytes: a source such as /dev/zero
 * would otherwise fill the root tmpfs (half of RAM) before failing. Read
 * whole before the destination is opened, so a refusal leaves nothing, not
 * even a truncated file in a bound host directory. */
static int read_data(int fd, char **ret_buf, size_t *ret_len)
{
	return read_all(fd, VIEWOPS_DATA_MAX, ret_buf, ret_len);
}

/* @m->fd's content, refused past the limit in one line (-EFBIG). */
static int read_option_data(const struct sbx_mount_spec *m, char **ret_buf, size_t *ret_len,
			    struct sbx_error *e)
{
	int r;

	if (fcntl(m->fd, F_GETFD) < 0)
		return -EBADF;
	r = read_data(m->fd, ret_buf, ret_len);
	if (r == -EFBIG)
		return sbx_error_set(e, 0, "--%s %d %s: more than %d MiB of data (the limit of "
					   "--file, --bind-data and --ro-bind-data)",
				     m->option, m->fd, m->dest, VIEWOPS_DATA_MAX >> 20);
	return r;
}

/* A new regular file @name in @dirfd holding @data, with @m->mode. */
static int write_file(int dirfd, const char *name, const struct sbx_mount_spec *m,
		      const char *data, size_t len)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, m->mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, m->mode) < 0)
		r = -errno;
	return r;
}

static int open_parent(int rootfd, const char *path, mode_t parent_mode, int *ret_parent,
		       const char **ret_name)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *parent = NULL;

	if (!slash || !slash[1])
		return -EINVAL;
	*ret_name = slash + 1;
	parent = slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
	return path_make_in_root_mode(rootfd, parent, false, parent_mode, parent_mode, ret_parent);
}

/* The data is read first: a refusal (too much, a bad fd) must not leave the
 * parent directories made for DEST behind, maybe in a bound host directory. */
static int apply_file(int rootfd, const struct sbx_mount_spec *m, struct sbx_error *e)
{
	_cleanup_close_ int parent = -1, dirfd = -1;
	_cleanup_free_ char *data = NULL;
	const char *name;
	size_t len = 0;
	int r = read_option_data(m, &data, &len, e);

	if (r < 0)
		return r;
	r = open_parent(rootfd, m->dest, parent_mode_for(m->mode), &parent, &name);
	if (r < 0)
		return r;
	/* openat() on an O_PATH parent fd works; the name is one component
	 * and O_NOFOLLOW keeps a planted link from redirecting it. */
	dirfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	return write_file(dirfd, name, m, data, len);
}

/* The data goes to a file on the root tmpfs under a name nobody sees: it is
 * bound at DEST, then unlinked (only after the attach: the kernel refuses to
 * attach a clone of an unlinked file). */
static int bind_data_file(int scratch, int rootfd, const char *name, const struct sbx_mount_spec *m,
			  bool *ret_in_root, struct sbx_error *e)
{
	_cleanup_close_ int mfd = -1;
	_cleanup_free_ char *data = NULL;
	uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	size_t len = 0;
	int r;

	r = read_option_data(m, &data, &len, e);
	if (r == 0)
		r = write_file(scratch, name, m, data, len);
	if (r < 0)
		return r;
	r = mnt_clone_tree(scratch, name, false, &mfd);
	/* Linux before 6.15 refuses a clone inside a detached mount (EINVAL):
	 * there the file goes on the root's own file system, under the same
	 * hidden name, as before the scratch tmpfs (unlinked once bound). */
	if (r == -EINVAL) {
		r = write_file(rootfd, name, m, data, len);
		*ret_in_root = r == 0;
		if (r == 0)
			r = mnt_clone_tree(rootfd, name, false, &mfd);
	}
	if (r < 0)
		return r;
	if (m->kind == SBX_MOUNT_RO_BIND_DATA)
		attrs |= MOUNT_ATTR_RDONLY;
	r = mnt_set_attr(mfd, attrs, 0, false);
	if (r == -ENOSYS)
		return attach_at(rootfd, mfd, m->dest, false, parent_mode_for(m->mode), attrs);
	if (r < 0)
		return r;
	return attach_at(rootfd, mfd, m->dest, false, parent_mode_for(m->mode), 0);
}

static int apply_bind_data(int rootfd, const struct sbx_mount_spec *m, size_t index,
			   struct sbx_error *e)
{
	static const char *const opts[] = { "mode", "0700", NULL };
	_cleanup_close_ int scratch = -1;
	bool in_root = false;
	char name[48];
	int r;

	snprintf(name, sizeof(name), ".sbx-data-%zu", index);
	/* The root may be a bind of a host directory by now (bwrap's
	 * --bind / /): the file is made on a tmpfs of its own. */
	r = mnt_new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &scratch);
	if (r < 0)
		return r;
	r = bind_data_file(scratch, rootfd, name, m, &in_root, e);
	unlinkat(scratch, name, 0);
	if (in_root)
		unlinkat(rootfd, name, 0);
	return r;
}

static int apply_symlink(int rootfd, const struct sbx_mount_spec *m)
{
	_cleanup_close_ int parent = -1;
	char have[PATH_MAX];
	const char *name;
	ssize_t n;
	int r = open_parent(rootfd, m->dest, 0755, &parent, &name);

	if (r < 0)
		return r;
	if (symlinkat(m->src, parent, name) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* Not an error when exactly this link is there already. */
	n = readlinkat(parent, name, have, sizeof(have) - 1);
	if (n < 0)
		return -EEXIST;
	have[n] = '\0';
	return strcmp(have, m->src) == 0 ? 0 : -EEXIST;
}

static int apply_chmod(int rootfd, const struct sbx_mount_spec *m)
{
	_cleanup_close_ int fd = -1;
	int r = path_open_in_root(rootfd, m->dest, O_PATH, &fd);

	if (r < 0)
		return r;
	return chmod_fd(fd, m->mode);
}

static int apply_remount_ro(int rootfd, const struct sbx_mount_spec *m, struct sbx_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = path_open_in_root(rootfd, m->dest, O_PATH, &fd);

	if (r < 0)
		return sbx_error_set(e, r, "--%s %s", m->option, m->dest);
	/* Like bwrap: this mount only, not the ones below it. */
	r = mnt_set_attr_attached(fd, MOUNT_ATTR_RDONLY, false);
	if (r == -EINVAL)
		return sbx_error_set(e, 0, "--%s %s: not a mount point", m->option, m->dest);
	if (r < 0)
		return sbx_error_set(e, r, "--%s %s", m->option, m->dest);
	return 0;
}

static int apply_overlay(int rootfd, const struct sbx_mount_spec *m, struct viewop_prep *op,
			 struct sbx_error *e)
{
	_cleanup_close_ int mfd = -1;
	int r = overlay_mount(m, &op->ovl, rootfd, &mfd, e);

	if (r < 0)
		return r;
	r = attach_at(rootfd, mfd, m->dest, true, 0755, 0);
	if (r < 0)
		return sbx_error_set(e, r, "--%s %s", m->option, m->dest);
	return 0;
}

static int apply_one(int rootfd, const struct sbx_config *c, const struct sbx_mount_spec *m,
		     struct viewop_prep *op, size_t index, struct sbx_error *e)
{
	switch (m->kind) {
	case SBX_MOUNT_PROC:
		return specialfs_proc(rootfd, m->dest, !c->share[SBX_NS_PID]);
	case SBX_MOUNT_DEV:
		return specialfs_dev(rootfd, m->dest);
	case SBX_MOUNT_MQUEUE:
		return specialfs_mqueue(rootfd, m->dest);
	case SBX_MOUNT_BIND:
	case SBX_MOUNT_RO_BIND:
	case SBX_MOUNT_DEV_BIND:
		return apply_bind(rootfd, m, op);
	case SBX_MOUNT_TMPFS:
		return apply_tmpfs(rootfd, m);
	case SBX_MOUNT_DIR:
		return apply_dir(rootfd, m);
	case SBX_MOUNT_SYMLINK:
		return apply_symlink(rootfd, m);
	case SBX_MOUNT_FILE:
		return apply_file(rootfd, m, e);
	case SBX_MOUNT_BIND_DATA:
	case SBX_MOUNT_RO_BIND_DATA:
		return apply_bind_data(rootfd, m, index, e);
	case SBX_MOUNT_CHMOD:
		return apply_chmod(rootfd, m);
	case SBX_MOUNT_REMOUNT_RO:
		return apply_remount_ro(rootfd, m, e);
	case SBX_MOUNT_OVERLAY:
	case SBX_MOUNT_TMP_OVERLAY:
	case SBX_MOUNT_RO_OVERLAY:
		return apply_overlay(rootfd, m, op, e);
	}
	return -EINVAL;
}

int viewops_apply(int *rootfd, const struct sbx_config *c, struct viewop_prep *ops,
		  struct sbx_error *e)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sbx_mount_spec *m = &c->mounts[i];
		int r;

		e->msg[0] = '\0';
		r = apply_one(*rootfd, c, m, &ops[i], i, e);
		if (r > 0) { /* a mount on "/": the root from now on */
			close(*rootfd);
			*rootfd = r;
		}
		if (r >= 0)
			continue;
		if (e->msg[0])
			return r; /* already explained */
		if (r == -EPERM && m->idmap)
			return idmap_mount_refused(m, e);
		if (m->kind == SBX_MOUNT_FILE || m->kind == SBX_MOUNT_BIND_DATA ||
		    m->kind == SBX_MOUNT_RO_BIND_DATA)
			return sbx_error_set(e, -r, "--%s %d %s", m->option, m->fd, m->dest);
		if (m->kind == SBX_MOUNT_SYMLINK)
			return sbx_error_set(e, -r, "--%s %s %s", m->option, m->src, m->dest);
		if (m->kind == SBX_MOUNT_CHMOD)
			return sbx_error_set(e, -r, "--%s %04o %s", m->option, (unsigned)m->mode,
					     m->dest);
		if (m->src && strcmp(m->src, m->dest) != 0)
			return sbx_error_set(e, -r, "--%s %s:%s", m->option, m->src, m->dest);
		return sbx_error_set(e, -r, "--%s %s", m->option, m->dest);
	}
	return 0;
}
