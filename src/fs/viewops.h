/* viewops.h - the user's filesystem operations, in command-line order */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "overlay.h"

/**
 * struct viewop_prep - what one operation took from the host before the new root
 * @fd:		binds: the detached clone of the source, else -1
 * @skip:	a --*-try source that does not exist
 * @is_dir:	binds: the source is a directory (decides the mount point type)
 * @ovl:	overlays: the layer directories
 */
struct viewop_prep {
	int fd;
	bool skip;
	bool is_dir;
	uint64_t pending_attrs; /* MOUNT_ATTR_* to set once attached (Linux < 5.12) */
	struct overlay_prep ovl;
};

/*
 * The most --file, --bind-data and --ro-bind-data copy from their fd (each):
 * plenty for configuration files, certificates and scripts, and a mistake
 * such as a </dev/zero is refused at once instead of filling memory. A
 * large file belongs in a --ro-bind. Documented in sbx(1).
 */
#define VIEWOPS_DATA_MAX (16 << 20)

/**
 * viewops_prepare() - clone every host bind source and open every overlay layer
 * @premade:	per operation, a detached mount sbx made outside (idmapped host
 *		binds), or -1; may be NULL. Taken over when used.
 *
 * Read-only binds are made read-only all the way down with one recursive
 * mount_setattr() on the detached tree.
 *
 * Return: 0 or -errno with @e filled; the array (c->n_mounts entries) in @ret_ops
 */
int viewops_prepare(const struct sbx_config *c, const int *premade, struct viewop_prep **ret_ops,
		    struct sbx_error *e);

/**
 * viewops_apply() - carry out the operations inside the new root @rootfd
 *
 * A bind or tmpfs on "/" (bwrap's --bind / /) becomes the new root: @rootfd
 * is then replaced by its fd (the old one closed).
 *
 * Every destination is resolved with RESOLVE_IN_ROOT, so a symlink met on
 * the way (planted by a bind) is followed inside the new root only.
 *
 * Return: 0 or -errno with @e filled
 */
int viewops_apply(int *rootfd, const struct sbx_config *c, struct viewop_prep *ops,
		  struct sbx_error *e);

/**
 * viewops_release() - close and free what viewops_prepare() returned
 */
void viewops_release(struct viewop_prep *ops, size_t n);
