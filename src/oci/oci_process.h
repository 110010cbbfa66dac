/* oci_process.h - the container's process, last steps: terminal, limits, ids,
 * capabilities, seccomp, execve (shared by the container's init and exec) */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "oci_spec.h"
#include "syscall_filter.h"

/**
 * oci_process_filter() - compile linux.seccomp (@json, may be NULL: no filter) into @f
 * @caps:	the bounding set the process keeps, for the profile's "caps" conditions
 * Return: 0 or -errno with @e filled; release @f with syscall_filter_release()
 */
int oci_process_filter(const char *json, uint64_t caps, struct syscall_filter *f,
		       struct sbx_error *e);

/**
 * oci_process_console() - make a terminal for @p: a new pty whose master is
 *			   sent over @console_sock (as runc and crun do, for
 *			   conmon and containerd's shim), whose peer becomes
 *			   the controlling terminal and stdin/out/err
 * Return: 0 or -errno with @e filled
 */
int oci_process_console(const struct oci_process *p, int console_sock, struct sbx_error *e);

/**
 * oci_process_lookup() - find @p's program in its own $PATH, inside the container
 * Return: 0 or -errno (127 in @e->exit_code when not found); the path in @ret (free it)
 */
int oci_process_lookup(const struct oci_process *p, char **ret, struct sbx_error *e);

/**
 * oci_process_limits() - rlimits, oomScoreAdj and umask, while still privileged
 * Return: 0 or -errno with @e filled
 */
int oci_process_limits(const struct oci_process *p, struct sbx_error *e);

/**
 * oci_process_become() - the Landlock rules @ll (while the process may
 *			  still restrict itself), groups, uid/gid, the five
 *			  capability sets, noNewPrivileges and the seccomp
 *			  filter @f, in the order that lets each step still
 *			  be allowed
 * Return: 0 or -errno with @e filled
 */
int oci_process_become(const struct oci_process *p, const struct oci_landlock *ll,
		       const struct syscall_filter *f, struct sbx_error *e);

/**
 * oci_process_exec() - close fds above 2 + @preserve_fds, then execve @path
 * Return: only on failure, -errno with @e filled (126)
 */
int oci_process_exec(const struct oci_process *p, const char *path, int preserve_fds,
		     struct sbx_error *e);
