/* idmap_mount.h - idmapped bind mounts (mount_setattr MOUNT_ATTR_IDMAP) */
#pragma once

#include "config.h"
#include "userns.h"

/*
 * How the ids flow. An idmapped mount carries a user namespace; for a file
 * whose filesystem stores id F, the kernel takes F as an id *inside* that
 * namespace and shows the file as the kernel id F maps to (its uid_map
 * "inside outside count" line, with outside already translated to a kernel
 * id when the map was written). Files created through the mount go the
 * other way. So for "files stored as HOST appear as SANDBOX" the mapping
 * namespace needs the line "HOST kuid(SANDBOX) COUNT", where kuid() is the
 * sandbox's own map.
 *
 * The kernel allows MOUNT_ATTR_IDMAP only to a caller with CAP_SYS_ADMIN
 * over the filesystem's user namespace: real root for host filesystems, the
 * sandbox itself for filesystems mounted inside it. Hence two paths:
 *  - host sources (idmap_mount_prepare_host): sbx, outside, before the
 *    clone; the mapping namespace is a child of sbx's own, and the finished
 *    detached mounts are inherited by the child;
 *  - sandbox sources ("sandbox-src", idmap_mount_apply_inner): the child,
 *    inside; its mapping namespace is a child of the sandbox's, so the map
 *    lines are written in sandbox ids, "HOST SANDBOX COUNT" as given.
 */

/**
 * idmap_mount_compose() - the mapping namespace's lines for @ranges, with the
 *			   sandbox ids translated through @sandbox_map to host ids
 *
 * A range that spans several lines of @sandbox_map is split accordingly.
 *
 * Return: 0; -ERANGE if a sandbox id is not mapped in the sandbox (its
 *	   first such id in @ret_unmapped); -E2BIG past IDMAP_MAX_LINES
 */
int idmap_mount_compose(const struct sbx_idmap_range *ranges, size_t n,
			const struct idmap *sandbox_map, struct idmap *ret,
			unsigned long *ret_unmapped);

/**
 * idmap_mount_prepare_host() - make the idmapped host binds, outside the sandbox
 * @plan:	the sandbox's planned id maps
 *
 * Return: 0 or -errno with @e filled; in @ret_fds, NULL when there is no such
 *	   bind, else one detached mount fd per operation (-1 for the others),
 *	   to be released with idmap_mount_release()
 */
int idmap_mount_prepare_host(const struct sbx_config *c, const struct userns_plan *plan,
			     int **ret_fds, struct sbx_error *e);

/**
 * idmap_mount_release() - close the fds idmap_mount_prepare_host() made and free the array
 */
void idmap_mount_release(int *fds, size_t n);

/**
 * idmap_mount_apply_inner() - idmap the detached mount @mfd of a filesystem
 *			       the sandbox owns, from inside the sandbox
 * Return: 0 or -errno
 */
int idmap_mount_apply_inner(int mfd, const struct sbx_mount_idmap *map);

/**
 * idmap_mount_refused() - the one-line explanation for an EPERM from the kernel
 * Return: -EPERM with @e filled (exit status 125)
 */
int idmap_mount_refused(const struct sbx_mount_spec *m, struct sbx_error *e);
