/* oci_resources.h - linux.resources' pids, memory and cpu limits: how sbx
 * enforces them, or the error that says it cannot
 *
 * Theory of operation. The runtime-spec asks a runtime to refuse a limit it
 * cannot apply. Where the caller's cgroup v2 is delegated, the container
 * gets a cgroup of its own with every limit (oci_cgroup.h). Without one,
 * as sbx run's --pids does:
 *   pids.limit	RLIMIT_NPROC of the container's process (hard and soft,
 *		never above process.rlimits' own), which Linux 5.14 and later
 *		count per user namespace: the container's processes, not the
 *		caller's others. Refused for root: the kernel exempts the
 *		host's root user from it.
 *   memory.limit, memory.swap, cpu.quota (cpu.period): refused, naming
 *		the field, with what the host has.
 * Values that ask for nothing (0, -1, absent) are no limit and accepted.
 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "oci_spec.h"

/**
 * struct oci_resources_host - what the host offers, for oci_resources_map()
 * @root:	the caller is root (uid 0 on the host)
 * @nproc_per_userns: RLIMIT_NPROC counts per user namespace (Linux 5.14)
 * @cgroup:	what the host has for cgroup v2, for the error ("hybrid...")
 */
struct oci_resources_host {
	bool root;
	bool nproc_per_userns;
	const char *cgroup;
};

/**
 * oci_resources_map() - map @res onto @p (RLIMIT_NPROC for pids.limit) on
 *			 the host @h, or refuse the first limit it cannot apply
 * Return: 0, or -EOPNOTSUPP with @e naming the field
 */
int oci_resources_map(const struct oci_resources *res, const struct oci_resources_host *h,
		      struct oci_process *p, struct sbx_error *e);

/**
 * oci_resources_setup() - for `create`: the container's cgroup with its
 *			   limits (oci_cgroup.h), or without a usable cgroup
 *			   v2 oci_resources_map() on this host
 * @ret_cgroup_fd: the cgroup the process must enter, or -1
 * Return: 0 or -errno with @e naming the field
 */
int oci_resources_setup(struct oci_spec *s, const char *id, const char *state_dir,
			int *ret_cgroup_fd, struct sbx_error *e);

/**
 * oci_resources_join() - for `exec`: the caller enters the container's
 *			  cgroup (its children stay there), or @p gets the
 *			  fallback's rlimits
 * Return: 0 or -errno with @e filled
 */
int oci_resources_join(const struct oci_spec *s, const char *state_dir, struct oci_process *p,
		       struct sbx_error *e);
