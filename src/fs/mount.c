/* mount.c - open_tree/fsopen/move_mount/mount_setattr and in-root path handling */
#include "autoconf.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount.h"
#include "util.h"

int mnt_clone_tree(int dirfd, const char *path, bool recursive, int *ret_fd)
{
	int fd = open_tree(dirfd, path,
			   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) |
				   (*path ? 0 : AT_EMPTY_PATH));
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int mnt_clone_bind(int dirfd, const char *path, uint64_t attrs, struct mnt_bind *ret)
{
	struct stat st;
	int r;

	*ret = (struct mnt_bind){ .fd = -1 };
	r = mnt_clone_tree(dirfd, path, true, &ret->fd);
	if (r < 0)
		return r;
	if (fstat(ret->fd, &st) < 0)
		return -errno;
	ret->is_dir = S_ISDIR(st.st_mode);
	r = mnt_set_attr(ret->fd, attrs, 0, true);
	if (r == -ENOSYS) {
		/* Linux < 5.12: set them after the attach (mnt_attach_with_attrs()). */
		ret->pending_attrs = attrs;
		r = 0;
	}
	return r;
}

int mnt_set_attr(int mfd, uint64_t set, uint64_t clear, bool recursive)
{
	struct mount_attr attr = { .attr_set = set, .attr_clr = clear };

	if (mount_setattr(mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0)
		return -errno;
	return 0;
}

int mnt_new_fs(const char *fstype, const char *const *options, unsigned attrs, int *ret_fd)
{
	_cleanup_close_ int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	int mfd;

	if (fsfd < 0)
		return -errno;
	for (const char *const *o = options; o && o[0]; o += 2) {
		int r = o[1] ? fsconfig(fsfd, FSCONFIG_SET_STRING, o[0], o[1], 0)
			     : fsconfig(fsfd, FSCONFIG_SET_FLAG, o[0], NULL, 0);
		if (r < 0)
			return -errno;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0)
		return -errno;
	*ret_fd = mfd;
	return 0;
}

int mnt_attach(int mfd, int target_fd)
{
	if (move_mount(mfd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static int remount_legacy(const char *path, uint64_t attrs, uint64_t clear, bool recursive);
static int fd_path(int fd, char *buf, size_t len);

int mnt_bind_onto_self(int dirfd, const char *name, uint64_t set, uint64_t clear)
{
	_cleanup_close_ int mfd = -1, target = -1;
	bool pending = false;
	int r;

	mfd = open_tree(dirfd, name,
			OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW |
				(*name ? 0 : AT_EMPTY_PATH));
	if (mfd < 0)
		return -errno;
	if (set || clear) {
		r = mnt_set_attr(mfd, set, clear, false);
		if (r == -ENOSYS)
			pending = true; /* Linux < 5.12: a remount once attached */
		else if (r < 0)
			return r;
	}
	if (pending) {
		char path[PATH_MAX];

		target = openat(dirfd, *name ? name : ".", O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			return -errno;
		r = mnt_attach(mfd, target);
		if (r == 0)
			r = fd_path(target, path, sizeof(path));
		/* @clear too: the bind's flags are the root tmpfs's, made in
		 * our user namespace, so none of them is locked. */
		return r < 0 ? r : remount_legacy(path, set, clear, false);
	}
	/* By name: no fd of the target to open and close. */
	if (move_mount(mfd, "", dirfd, name,
		       MOVE_MOUNT_F_EMPTY_PATH | (*name ? 0 : MOVE_MOUNT_T_EMPTY_PATH)) < 0)
		return -errno;
	return 0;
}

void mountinfo_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The flags a remount must repeat: in a user namespace the kernel refuses
 * to clear the ones inherited from the host (they are locked). */
static unsigned long flags_from_options(const char *opts)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} known[] = {
		{ "ro", MS_RDONLY },	     { "nosuid", MS_NOSUID },
		{ "nodev", MS_NODEV },	     { "noexec", MS_NOEXEC },
		{ "noatime", MS_NOATIME },   { "nodiratime", MS_NODIRATIME },
		{ "relatime", MS_RELATIME }, { "strictatime", MS_STRICTATIME },
	};
	_cleanup_free_ char *copy = xstrdup(opts);
	unsigned long flags = 0;
	char *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			if (strcmp(o, known[i].name) == 0)
				flags |= known[i].flag;
	return flags;
}

static unsigned long attrs_to_ms_flags(uint64_t attrs)
{
	return ((attrs & MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0) |
	       ((attrs & MOUNT_ATTR_NOSUID) ? MS_NOSUID : 0) |
	       ((attrs & MOUNT_ATTR_NODEV) ? MS_NODEV : 0) |
	       ((attrs & MOUNT_ATTR_NOEXEC) ? MS_NOEXEC : 0);
}

/*
 * Before Linux 5.12 there is no mount_setattr(): remount the mount at @path,
 * and with @recursive every mount below it, one by one as listed in
 * /proc/self/mountinfo (which lists parents before their children), with
 * the flags it has, @attrs, and not @clear (which must not be locked).
 */
static int remount_legacy(const char *path, uint64_t attrs, uint64_t clear, bool recursive)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t len = strlen(path), cap = 0;
	int r = 0, found = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mnt_point[PATH_MAX], opts[256];

		if (sscanf(line, "%*s %*s %*s %*s %4095s %255s", mnt_point, opts) != 2)
			continue;
		mountinfo_unescape(mnt_point);
		if (strcmp(mnt_point, path) != 0 &&
		    !(recursive && strncmp(mnt_point, path, len) == 0 &&
		      (mnt_point[len] == '/' || len == 1)))
			continue;
		found++;
		if (mount(NULL, mnt_point, NULL,
			  MS_REMOUNT | MS_BIND |
				  ((flags_from_options(opts) & ~attrs_to_ms_flags(clear)) |
				   attrs_to_ms_flags(attrs)),
			  NULL) < 0 &&
		    r == 0)
			r = -errno;
	}
	fclose(f);
	return found ? r : -ENOENT;
}

static int fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int mnt_set_attr_attached(int fd, uint64_t set, bool recursive)
{
	char path[PATH_MAX];
	int r = mnt_set_attr(fd, set, 0, recursive);

	if (r != -ENOSYS)
		return r;
	r = fd_path(fd, path, sizeof(path));
	return r < 0 ? r : remount_legacy(path, set, 0, recursive);
}

int mnt_attach_with_attrs(int mfd, int target_fd, uint64_t pending, bool recursive)
{
	char path[PATH_MAX];
	int r = mnt_attach(mfd, target_fd);

	if (r < 0 || pending == 0)
		return r;
	/* The target fd names the mount point, now covered by the new mount. */
	r = fd_path(target_fd, path, sizeof(path));
	return r < 0 ? r : remount_legacy(path, pending, 0, recursive);
}

int path_open_in_root(int rootfd, const char *path, int flags, int *ret_fd)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	if (fd < 0)
		return -errno;
	*ret_fd = (int)fd;
	return 0;
}

/* Split "a/b/c" at its last slash; "c" alone has the root as parent. */
static void split_last(char *path, const char **ret_parent, const char **ret_name)
{
	char *slash = strrchr(path, '/');

	if (slash) {
		*slash = '\0';
		*ret_parent = path;
		*ret_name = slash + 1;
	} else {
		*ret_parent = "";
		*ret_name = path;
	}
}

static int make_one(int rootfd, const char *prefix, bool as_file, mode_t mode)
{
	_cleanup_free_ char *copy = xstrdup(prefix);
	_cleanup_close_ int parent = -1;
	const char *parent_path, *name;
	int r;

	split_last(copy, &parent_path, &name);
	r = path_open_in_root(rootfd, parent_path, O_PATH | O_DIRECTORY, &parent);
	if (r < 0)
		return r;
	if (as_file) {
		int fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
				mode);
		if (fd < 0)
			return errno == EEXIST ? 0 : -errno;
		close(fd);
		return 0;
	}
	if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int path_make_in_root(int rootfd, const char *path, bool as_file, mode_t mode, int *ret_fd)
{
	return path_make_in_root_mode(rootfd, path, as_file, mode, 0755, ret_fd);
}

/* The old walk: each prefix resolved from the root, made if missing. Kept
 * for the rare paths make_fast() does not take (see there). */
static int make_walk(int rootfd, char *rel, bool as_file, mode_t mode, mode_t parent_mode,
		     int *ret_fd)
{
	size_t len = strlen(rel);
	int r;

	/* Walk the prefixes, each resolved from the root again, so a symlink
	 * met on the way is followed inside the new root only. */
	for (size_t i = 1; i <= len; i++) {
		_cleanup_close_ int probe = -1;
		bool last = i == len;

		if (!last && rel[i] != '/')
			continue;
		rel[i] = '\0';
		if (path_open_in_root(rootfd, rel, O_PATH, &probe) < 0) {
			r = make_one(rootfd, rel, last && as_file, last ? mode : parent_mode);
			if (r < 0)
				return r;
		}
		if (!last)
			rel[i] = '/';
	}
	return path_open_in_root(rootfd, rel, O_PATH, ret_fd);
}

/*
 * Make @rel, whose full resolution just failed with ENOENT: resolve its
 * parent from the root (making it the same way if it is missing too), create
 * the last component in it and open what we created relative to it. Start-up
 * speed: a view's mount point costs 2-3 lookups instead of the walk's 5 or
 * more (bench/startup.sh). The parent is still resolved inside the new root,
 * as the walk does; the last component, when we created it, is opened
 * relative to that parent with O_NOFOLLOW, which cannot leave the new root
 * whatever a host process puts there meanwhile (a bound host directory);
 * one that existed already (EEXIST: a symlink, say) is resolved from the
 * root again, as the walk does.
 * Return: 0, -errno, or 1: take the walk (an error the walk reports its way).
 */
static int make_fast(int rootfd, char *rel, bool as_file, mode_t mode, mode_t parent_mode,
		     int *ret_fd)
{
	_cleanup_close_ int parent = -1;
	const char *parent_path, *name;
	char *slash = strrchr(rel, '/');
	int r, fd;

	if (slash) {
		*slash = '\0';
		parent_path = rel;
		name = slash + 1;
	} else {
		parent_path = "";
		name = rel;
	}
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		r = 1;
	else
		r = path_open_in_root(rootfd, parent_path, O_PATH | O_DIRECTORY, &parent);
	if (r == -ENOENT && *parent_path) {
		r = make_fast(rootfd, rel, false, parent_mode, parent_mode, &parent);
		if (r > 0) { /* the walk makes the parent then */
			r = make_walk(rootfd, rel, false, parent_mode, parent_mode, &parent);
			if (r < 0)
				return r;
		}
	}
	if (slash)
		*slash = '/';
	if (r != 0)
		return r == -ENOENT || r == -ENOTDIR || r == -ELOOP ? 1 : r;
	if (as_file) {
		fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0)
			close(fd);
	} else {
		fd = mkdirat(parent, name, mode);
	}
	if (fd < 0 && errno == EEXIST)
		return path_open_in_root(rootfd, rel, O_PATH, ret_fd);
	if (fd < 0)
		return -errno;
	fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int path_make_in_root_mode(int rootfd, const char *path, bool as_file, mode_t mode,
			   mode_t parent_mode, int *ret_fd)
{
	_cleanup_free_ char *rel = NULL;
	int r;

	while (*path == '/')
		path++;
	rel = xstrdup(path);

	/* Fast path: it is there already. */
	r = path_open_in_root(rootfd, rel, O_PATH, ret_fd);
	if (r == 0)
		return 0;
	if (r == -ENOENT) {
		r = make_fast(rootfd, rel, as_file, mode, parent_mode, ret_fd);
		if (r <= 0)
			return r;
	}
	return make_walk(rootfd, rel, as_file, mode, parent_mode, ret_fd);
}

int path_symlink_in_root(int rootfd, const char *target, const char *path)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int parent = -1;
	const char *parent_path, *name;
	int r;

	while (*path == '/')
		path++;
	copy = xstrdup(path);
	split_last(copy, &parent_path, &name);
	if (*parent_path) {
		r = path_make_in_root(rootfd, parent_path, false, 0755, &parent);
		if (r < 0)
			return r;
	} else {
		parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
		if (parent < 0)
			return -errno;
	}
	if (symlinkat(target, parent, name) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
