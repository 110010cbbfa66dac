/* viewspec.h - parsing the filesystem-view options into the ordered list of operations */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

/* tmpfs --size upper bound: far above any real machine, far below overflow. */
#define VIEWSPEC_MAX_SIZE (1ULL << 44)

/**
 * viewspec_new_op() - a new, zeroed view operation at the end of @c's list
 * @c:		the config
 * @kind:	what it does
 * @option:	the option that asked for it, for messages
 *
 * Return: the operation (fd -1); the list may move, so earlier pointers into
 * it are stale.
 */
struct sbx_mount_spec *viewspec_new_op(struct sbx_config *c, enum sbx_mount_kind kind,
				       const char *option);

/**
 * viewspec_takes_perms() - whether a --perms may precede @kind (the
 * operations that create a file or directory)
 * @kind:	the operation
 *
 * Return: true if it may.
 */
bool viewspec_takes_perms(enum sbx_mount_kind kind);

/**
 * viewspec_add_bind() - --bind/--ro-bind/--dev-bind[-try] SRC[:DEST[:OPTIONS]]
 * @kind:	SBX_MOUNT_BIND, SBX_MOUNT_RO_BIND or SBX_MOUNT_DEV_BIND
 * @try_src:	a missing SRC skips the bind instead of failing
 *
 * An empty DEST means SRC. OPTIONS is a comma-separated list of "idmap",
 * "idmap=H:S:C[,H:S:C...]", "uidmap=...", "gidmap=..." and "sandbox-src".
 *
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_bind(struct sbx_config *c, enum sbx_mount_kind kind, bool try_src,
		      const char *option, const char *arg, struct sbx_error *e);

/**
 * viewspec_parse_bind_options() - apply the OPTIONS field of a bind to @m
 * @option, @arg:	for error messages
 * Return: 0 or -errno with @e filled
 */
int viewspec_parse_bind_options(struct sbx_mount_spec *m, const char *opts, const char *option,
				const char *arg, struct sbx_error *e);

/**
 * viewspec_add_dest_op() - an operation on DEST alone: --tmpfs, --dir,
 *			    --remount-ro, --tmp-overlay, --ro-overlay
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_dest_op(struct sbx_config *c, enum sbx_mount_kind kind, const char *option,
			 const char *dest, struct sbx_error *e);

/**
 * viewspec_add_symlink() - --symlink TARGET DEST (TARGET kept verbatim)
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_symlink(struct sbx_config *c, const char *option, const char *target,
			 const char *dest, struct sbx_error *e);

/**
 * viewspec_add_fd_op() - --file/--bind-data/--ro-bind-data FD DEST
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_fd_op(struct sbx_config *c, enum sbx_mount_kind kind, const char *option,
		       const char *fd_arg, const char *dest, struct sbx_error *e);

/**
 * viewspec_add_chmod() - --chmod MODE PATH
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_chmod(struct sbx_config *c, const char *option, const char *mode_arg,
		       const char *path, struct sbx_error *e);

/**
 * viewspec_add_overlay() - --overlay RWDIR WORKDIR DEST
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_overlay(struct sbx_config *c, const char *option, const char *rwdir,
			 const char *workdir, const char *dest, struct sbx_error *e);

/**
 * viewspec_add_overlay_src() - --overlay-src SRC: a lower layer for the next overlay
 * Return: 0 or -errno with @e filled
 */
int viewspec_add_overlay_src(struct sbx_config *c, const char *option, const char *src,
			     struct sbx_error *e);

/**
 * viewspec_set_perms() - --perms MODE for the next --tmpfs/--dir/--file/--bind-data
 * Return: 0 or -errno with @e filled
 */
int viewspec_set_perms(struct sbx_config *c, const char *option, const char *arg,
		       struct sbx_error *e);

/**
 * viewspec_set_size() - --size BYTES for the next --tmpfs
 * Return: 0 or -errno with @e filled
 */
int viewspec_set_size(struct sbx_config *c, const char *option, const char *arg,
		      struct sbx_error *e);

/**
 * viewspec_parse_mode() - an octal mode, at most 07777
 * Return: 0 or -EINVAL
 */
int viewspec_parse_mode(const char *s, mode_t *ret_mode);

/**
 * viewspec_parse_size() - a byte count, optionally with a k/m/g suffix
 *			   (powers of 1024), 1..VIEWSPEC_MAX_SIZE
 * Return: 0 or -EINVAL / -ERANGE
 */
int viewspec_parse_size(const char *s, unsigned long long *ret_size);

/**
 * viewspec_finish() - after all options: no --perms/--size/--overlay-src
 *		       left without an operation, default idmaps filled in
 *		       (the caller's ids -> the sandbox user's)
 * Return: 0 or -errno with @e filled
 */
int viewspec_finish(struct sbx_config *c, struct sbx_error *e);

/**
 * viewspec_check_fds() - every FD of --file, --bind-data and --ro-bind-data is
 *			  open in the caller
 *
 * Called by main before sbx opens any fd of its own: the sandbox's setup
 * reads these numbers later, when a closed one may have been reused by sbx
 * (its sync socket, a bind's source), and reading that would hang or copy
 * sbx's own data.
 * Return: 0 or -errno with @e filled
 */
int viewspec_check_fds(const struct sbx_config *c, struct sbx_error *e);

/**
 * viewspec_free() - release what the view operations own beyond src/dest
 */
void viewspec_free(struct sbx_config *c);
