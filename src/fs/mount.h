/* mount.h - mount primitives on the new mount API, paths resolved inside a root */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * mnt_clone_tree() - a detached copy of the mount tree at @path (open_tree);
 *		      an empty @path means @dirfd itself
 * @recursive:	include sub-mounts (bind -R); needed for any tree with locked
 *		children, which is every host mount seen from a user namespace
 * Return: 0 or -errno; the detached mount fd in @ret_fd
 */
int mnt_clone_tree(int dirfd, const char *path, bool recursive, int *ret_fd);

/**
 * struct mnt_bind - a cloned tree on its way to becoming a bind mount
 * @fd:			the detached mount
 * @is_dir:		directory or file: decides what mount point to create
 * @pending_attrs:	MOUNT_ATTR_* still to set once attached (no mount_setattr())
 */
struct mnt_bind {
	int fd;
	bool is_dir;
	uint64_t pending_attrs;
};

/**
 * mnt_clone_bind() - clone the tree at @path recursively and give it @attrs
 *		      (all the way down), or note them as pending before Linux 5.12
 * Return: 0 or -errno; on failure @ret->fd may still need closing
 */
int mnt_clone_bind(int dirfd, const char *path, uint64_t attrs, struct mnt_bind *ret);

/**
 * mnt_set_attr() - set/clear MOUNT_ATTR_* on a (detached or attached) mount fd
 * @recursive:	apply to every sub-mount too, in one system call
 * Return: 0 or -errno
 */
int mnt_set_attr(int mfd, uint64_t set, uint64_t clear, bool recursive);

/**
 * mnt_new_fs() - create a detached mount of a new filesystem instance
 * @fstype:	"tmpfs", "proc", "devpts", ...
 * @options:	NULL-terminated "key", "value" pairs (value NULL for a flag)
 * @attrs:	MOUNT_ATTR_* for the mount
 * Return: 0 or -errno; the mount fd in @ret_fd
 */
int mnt_new_fs(const char *fstype, const char *const *options, unsigned attrs, int *ret_fd);

/**
 * mnt_attach() - attach detached mount @mfd on top of the object @target_fd
 * Return: 0 or -errno
 */
int mnt_attach(int mfd, int target_fd);

/**
 * mnt_attach_with_attrs() - mnt_attach(), then set @pending attributes the
 *			     legacy way (remount of each mount, recursively)
 *
 * For kernels without mount_setattr() (before 5.12), where mnt_set_attr()
 * on the detached tree returned -ENOSYS: a remount needs an attached mount.
 * With @pending 0 this is mnt_attach().
 *
 * Return: 0 or -errno
 */
int mnt_attach_with_attrs(int mfd, int target_fd, uint64_t pending, bool recursive);

/**
 * mnt_bind_onto_self() - bind the directory (or file) @name of @dirfd onto
 *			  itself, without what is mounted below it, and give
 *			  that mount @set and not @clear (MOUNT_ATTR_*)
 * @name:	one entry of @dirfd, not followed if a symlink; "" for @dirfd
 *
 * The new mount is a second door to the same file system: what it makes
 * writable is the subtree below @name only (a ".." at its root leaves
 * through the parent mount). Before Linux 5.12 @set and @clear are applied
 * by a remount, which cannot clear a locked flag (@dirfd's mount must be
 * one made in our user namespace, as the root tmpfs). Look the path up
 * again to see the new mount: an fd opened before names the covered
 * directory.
 *
 * Return: 0 or -errno
 */
int mnt_bind_onto_self(int dirfd, const char *name, uint64_t set, uint64_t clear);

/**
 * mountinfo_unescape() - undo /proc/self/mountinfo's octal escapes (\040 for
 *			  a space, also tab, newline, backslash) in place
 */
void mountinfo_unescape(char *s);

/**
 * mnt_set_attr_attached() - set attributes on the attached mount @fd is on,
 *			     through mount_setattr() or, before 5.12, remounts
 * Return: 0 or -errno
 */
int mnt_set_attr_attached(int fd, uint64_t set, bool recursive);

/**
 * path_open_in_root() - open @path with symlinks resolved inside @rootfd only
 *
 * A ".." or an absolute symlink cannot leave @rootfd (RESOLVE_IN_ROOT), and
 * /proc magic links are refused, so a destination planted by a bind cannot
 * redirect a mount out of the new root.
 *
 * Return: 0 or -errno; the fd in @ret_fd
 */
int path_open_in_root(int rootfd, const char *path, int flags, int *ret_fd);

/**
 * path_make_in_root() - create @path inside @rootfd (mkdir -p), as a
 *			 directory or, with @as_file, an empty regular file
 * Return: 0 or -errno; an O_PATH fd of the result in @ret_fd
 */
int path_make_in_root(int rootfd, const char *path, bool as_file, mode_t mode, int *ret_fd);

/**
 * path_make_in_root_mode() - path_make_in_root() with @parent_mode for the
 *			      missing parent directories it creates
 * Return: 0 or -errno; an O_PATH fd of the result in @ret_fd
 */
int path_make_in_root_mode(int rootfd, const char *path, bool as_file, mode_t mode,
			   mode_t parent_mode, int *ret_fd);

/**
 * path_symlink_in_root() - create the symlink @path -> @target (parents made)
 * Return: 0 (also when it exists already) or -errno
 */
int path_symlink_in_root(int rootfd, const char *target, const char *path);
