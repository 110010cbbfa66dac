/* overlay.h - rootless overlayfs mounts for --overlay, --tmp-overlay, --ro-overlay */
#pragma once

#include <stddef.h>

#include "config.h"

/**
 * struct overlay_prep - an overlay's host directories, opened while the host
 *			 view is still there
 * @lower:	one O_RDONLY directory fd per --overlay-src, bottom layer first
 * @upper, @work: --overlay's RWDIR and WORKDIR, else -1
 */
struct overlay_prep {
	int *lower;
	size_t n_lower;
	int upper;
	int work;
};

/**
 * overlay_prepare() - open the layers of overlay operation @m
 *
 * Runs before the new root covers anything of the host: the mount itself can
 * only be made once the id maps exist (overlayfs creates its work directory
 * then), and by that time the layers are reached through these fds.
 *
 * Return: 0 or -errno with @e filled (naming the option and the path)
 */
int overlay_prepare(const struct sbx_mount_spec *m, struct overlay_prep *ret,
		    struct sbx_error *e);

/**
 * overlay_mount() - create the detached overlay mount for @m from @p
 *
 * The layers are passed as fds ("lowerdir+" with FSCONFIG_SET_FD, Linux
 * 6.13+), else as /proc/self/fd paths in one "lowerdir" string. --tmp-overlay
 * puts upper and work directories on a private tmpfs that nothing else can
 * reach (attached under @rootfd only while the overlay is created). "userxattr" is always set: in a user namespace overlayfs may only
 * use user.* xattrs.
 *
 * Return: 0 or -errno with @e filled (the kernel's own reason when it gave one);
 *	   the mount fd in @ret_fd
 */
int overlay_mount(const struct sbx_mount_spec *m, const struct overlay_prep *p, int rootfd,
		  int *ret_fd, struct sbx_error *e);

/**
 * overlay_prep_release() - close what overlay_prepare() opened
 */
void overlay_prep_release(struct overlay_prep *p);
