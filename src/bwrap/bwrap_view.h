/* bwrap_view.h - bubblewrap's file-system options, as sbx's view operations
 * in command-line order (the rows are in bwrap_args.c) */
#pragma once

#include "bwrap_option.h"

/* Each is a struct bwrap_option handler: 0 or -errno with @e filled in
 * bwrap's wording; @opt->name + 2 names the operation for sbx's errors. */

/**
 * bwrap_view_bind() - --bind, --ro-bind, --dev-bind (@opt->data 0-2) and
 *		       their -try forms (| 4): SRC against the cwd, DEST in the new root
 */
int bwrap_view_bind(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e);

/**
 * bwrap_view_bind_fd() - --bind-fd, --ro-bind-fd (@opt->data 1): the path
 *			  the fd has here, bound at DEST
 */
int bwrap_view_bind_fd(struct sbx_config *c, struct bwrap_opts *o,
		       const struct bwrap_option *opt, char **args, struct sbx_error *e);

/**
 * bwrap_view_dest() - an operation on DEST alone (--tmpfs, --dir,
 *		       --remount-ro...): @opt->data is its mount kind
 */
int bwrap_view_dest(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e);

/**
 * bwrap_view_fd_dest() - FD DEST (--file, --bind-data, --ro-bind-data):
 *			  @opt->data is the mount kind
 */
int bwrap_view_fd_dest(struct sbx_config *c, struct bwrap_opts *o,
		       const struct bwrap_option *opt, char **args, struct sbx_error *e);

/**
 * bwrap_view_symlink() - --symlink TARGET DEST
 */
int bwrap_view_symlink(struct sbx_config *c, struct bwrap_opts *o,
		       const struct bwrap_option *opt, char **args, struct sbx_error *e);

/**
 * bwrap_view_chmod() - --chmod OCTAL PATH
 */
int bwrap_view_chmod(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		     char **args, struct sbx_error *e);

/**
 * bwrap_view_perms() - --perms OCTAL: the mode of the next file-creating operation
 */
int bwrap_view_perms(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		     char **args, struct sbx_error *e);

/**
 * bwrap_view_size() - --size BYTES: the size of the next --tmpfs
 */
int bwrap_view_size(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e);

/**
 * bwrap_view_overlay_src() - --overlay-src SRC: a lower layer of the next overlay
 */
int bwrap_view_overlay_src(struct sbx_config *c, struct bwrap_opts *o,
			   const struct bwrap_option *opt, char **args, struct sbx_error *e);

/**
 * bwrap_view_overlay() - --overlay RWSRC WORKDIR DEST (@opt->data
 *			  SBX_MOUNT_OVERLAY), --tmp-overlay and --ro-overlay DEST
 */
int bwrap_view_overlay(struct sbx_config *c, struct bwrap_opts *o,
		       const struct bwrap_option *opt, char **args, struct sbx_error *e);
