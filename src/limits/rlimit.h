/* rlimit.h - --pids and --memory without cgroup v2: per-process resource limits */
#pragma once

#include <stdbool.h>

#include "error.h"

/**
 * rlimit_nproc_per_userns() - does this kernel count RLIMIT_NPROC per user
 *			       namespace (Linux 5.14, "ucounts")?
 * @release:	a uname release ("6.1.0-13-amd64"), NULL for the running kernel's
 *
 * Before, the count was of all the user's processes on the machine, so a
 * sandbox's --pids would be used up by processes outside it.
 */
bool rlimit_nproc_per_userns(const char *release);

/**
 * rlimit_apply() - set RLIMIT_NPROC to @pids and RLIMIT_DATA to @memory
 *		    (0: leave it), soft and hard, in the calling process
 *
 * Called in the sandbox's user namespace, where the kernel counts the
 * processes of each uid of the sandbox apart from the user's others.
 * Return: 0 or -errno with @e filled
 */
int rlimit_apply(unsigned long pids, unsigned long long memory, struct sbx_error *e);
