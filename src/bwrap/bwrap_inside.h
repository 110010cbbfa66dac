/* bwrap_inside.h - the in-sandbox steps only bwrap's command line asks for */
#pragma once

#include <signal.h>

#include "config.h"
#include "error.h"

/**
 * bwrap_inside_userns() - --disable-userns and --assert-userns-disabled,
 *			   after the new root is entered
 * @procfd:	the host's /proc (O_PATH), opened before pivot_root
 *
 * --disable-userns limits the sandbox's user namespace to one child and
 * moves into that child at once (ids mapped to themselves), so nothing in
 * the sandbox can undo the limit; both options then check that a new user
 * namespace is refused.
 * Return: 0 or -errno with @e filled
 */
int bwrap_inside_userns(const struct sbx_config *c, int procfd, struct sbx_error *e);

/**
 * bwrap_inside_lock_files() - pid 1 takes --lock-file's locks (paths in the
 *			       sandbox), held until it ends
 * Return: 0 or -errno with @e filled
 */
int bwrap_inside_lock_files(const struct sbx_config *c, struct sbx_error *e);

/**
 * bwrap_inside_exec_prepare() - the command's last steps before its seccomp
 *				 programs: --new-session, $PWD, the wait on
 *				 --block-fd, closing --sync-fd, capabilities
 * @orig_mask:	the signal mask sbx was started with: the --block-fd wait
 *		runs under it, so a forwarded signal ends the command
 * Return: 0 or -errno with @e filled
 */
int bwrap_inside_exec_prepare(const struct sbx_config *c, const sigset_t *orig_mask,
			      struct sbx_error *e);

/**
 * bwrap_inside_seccomp() - load the --seccomp/--add-seccomp-fd programs, in order
 * Return: 0 or -errno with @e filled
 */
int bwrap_inside_seccomp(const struct sbx_config *c, struct sbx_error *e);
