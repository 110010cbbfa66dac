/* oci_cgroup.h - a container's own cgroup v2, for linux.resources
 *
 * Theory of operation. A container outlives the `create` that made it, so
 * the cgroup that sbx run makes around itself (cgroup.h) does not fit:
 * sbx oci makes the container a cgroup of its own, where the caller's
 * cgroup v2 is delegated to it:
 *   - linux.cgroupsPath when it is an absolute path below the parent of the
 *     caller's cgroup (the subtree systemd delegated), else
 *   - PARENT/sbx-oci-ID, next to the caller's own leaf.
 * The parent must offer the controllers (they are enabled in its
 * subtree_control if not yet), the limits are written, and create moves
 * the container's process into it while that process waits for the hooks,
 * before it runs anything. The path is kept in the state directory
 * ("cgroup"); `exec` joins it (sbx oci exec itself moves in before it
 * forks, so it counts against pids.limit while it waits); `delete` (and a
 * failed create) kills what is left there (cgroup.kill) and removes it.
 * Without a usable cgroup v2 the limits go through oci_resources.h's
 * fallback.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci_spec.h"

/**
 * oci_cgroup_wanted() - does @s ask for a limit a cgroup would enforce?
 */
bool oci_cgroup_wanted(const struct oci_spec *s);

/**
 * oci_cgroup_create() - make container @id's cgroup with @s's limits and
 *			 record it in @state_dir
 * @ret_fd:	the cgroup's directory, for oci_cgroup_enter()
 * Return: 0 (made), 1 (no usable cgroup v2 here: @why says why), or -errno
 *	   with @e naming the field that could not be applied
 */
int oci_cgroup_create(const struct oci_spec *s, const char *id, const char *state_dir,
		      int *ret_fd, char *why, size_t why_len, struct sbx_error *e);

/**
 * oci_cgroup_enter() - move @pid (0: the caller) into the cgroup @fd
 * Return: 0 or -errno with @e filled
 */
int oci_cgroup_enter(int fd, pid_t pid, struct sbx_error *e);

/**
 * oci_cgroup_open() - the cgroup recorded in @state_dir, or -1 (none)
 */
int oci_cgroup_open(const char *state_dir);

/**
 * oci_cgroup_remove() - kill what is left in the cgroup recorded in
 *			 @state_dir and remove it; nothing without one
 */
void oci_cgroup_remove(const char *state_dir);
