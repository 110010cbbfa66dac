/* rootfs.h - building the sandbox's root and pivoting into it */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "config.h"
#include "viewops.h"

#define ROOTFS_MAX_SYSTEM 16

/**
 * struct rootfs_source - a host tree cloned while the host view is still there
 * @path:	where it goes inside (and where it came from on the host)
 * @fd:		detached mount (open_tree clone), or -1
 * @is_dir:	directory or file: decides what mount point to create
 * @pending_attrs: MOUNT_ATTR_* still to set once attached (no mount_setattr())
 * @link:	for host symlinks such as /bin -> usr/bin, the target; else NULL
 */
struct rootfs_source {
	const char *path;
	int fd;
	bool is_dir;
	char *link;
	uint64_t pending_attrs; /* to set after the attach (Linux < 5.12) */
};

/**
 * struct rootfs_prep - everything taken from the host before the new root exists
 */
struct rootfs_prep {
	struct rootfs_source system[ROOTFS_MAX_SYSTEM];
	size_t n_system;
	struct rootfs_source devices[8];
	size_t n_devices;
	struct rootfs_source host_proc;
	struct viewop_prep *ops; /* one per config mount */
	size_t n_ops;
	struct rlimit nofile; /* the command's RLIMIT_NOFILE (the caller's), set in rootfs_enter() */
	bool restore_nofile;
};

/**
 * rootfs_prepare() - resolve and clone every host source, as the caller sees it
 *
 * Runs in the child before its id maps exist: open_tree() needs only
 * CAP_SYS_ADMIN in the new user namespace, not mapped ids, so this overlaps
 * with the parent's newuidmap/newgidmap. A missing source fails here, with
 * the option that named it. Every source is held as an fd until the new
 * root exists, so the soft RLIMIT_NOFILE is raised to the hard one until
 * then (thousands of binds need more than the usual 1024).
 * @premade:	per mount operation, a detached mount made by sbx outside
 *		(idmapped host binds) or -1; NULL when there are none
 *
 * Return: 0 or -errno with @e filled
 */
int rootfs_prepare(const struct sbx_config *c, const int *premade, struct rootfs_prep *p,
		   struct sbx_error *e);

/**
 * rootfs_enter() - build the new root from @p, pivot_root() into it, detach
 *		    the old root, make / read-only and change to the start directory
 * Return: 0 or -errno with @e filled
 */
int rootfs_enter(const struct sbx_config *c, struct rootfs_prep *p, struct sbx_error *e);

/**
 * rootfs_prep_release() - close the fds and free what rootfs_prepare() took
 */
void rootfs_prep_release(struct rootfs_prep *p);
