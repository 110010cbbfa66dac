/* fdlimit.h - the open-file limit while the view's bind sources are held */
#pragma once

#include "config.h"
#include "error.h"

/**
 * fdlimit_raise() - the soft RLIMIT_NOFILE raised to the hard one
 *
 * Every bind source is held as an fd until the new root exists (in sbx for
 * idmapped host binds, in the sandbox for the others), and thousands of
 * binds need more than the usual 1024. The command gets the caller's limit
 * back (rootfs_enter(), from sbx_config.nofile).
 */
void fdlimit_raise(void);

/**
 * fdlimit_bind_error() - the one line for a bind of @m refused with EMFILE
 * Return: -EMFILE with @e filled
 */
int fdlimit_bind_error(const struct sbx_mount_spec *m, struct sbx_error *e);
