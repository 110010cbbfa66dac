/* oci_resources.h - linux.resources' pids, memory and cpu limits: how sbx
 * enforces them, or the error that says it cannot
 *
 * Theory of operation. The runtime-spec asks a runtime to refuse a limit it
 * cannot apply. sbx's limits (src/limits/) enforce them in a delegated cgroup
 * v2 or, without one, pids through RLIMIT_NPROC. A container outlives the
 * `create` call, so the cgroup that sbx run makes for itself and removes at
 * its end does not fit; until sbx oci makes a cgroup of its own for the
 * container, the mapping is:
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
 * oci_resources_apply() - oci_resources_map() on this host, for `create`
 * Return: as oci_resources_map()
 */
int oci_resources_apply(const struct oci_resources *res, struct oci_process *p,
			struct sbx_error *e);
