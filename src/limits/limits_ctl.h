/* limits_ctl.h - --memory, --memory-swap, --pids, --cpus: which mechanism enforces
 * them for this sandbox, and its life from before the clone to sbx's end
 *
 * Best first (sbx(1), "RESOURCE LIMITS"):
 *  1. cgroup v2 delegated to the user: sbx's own cgroup is writable and
 *     holds only sbx; a subtree for the sandbox is made in it (cgroup.h);
 *  2. otherwise systemd's user manager makes sbx a transient scope with
 *     Delegate=yes (systemd_scope.h), then as 1;
 *  3. without a usable cgroup v2, RLIMIT_NPROC for --pids (per user
 *     namespace, so per sandbox, since Linux 5.14) and RLIMIT_DATA per
 *     process for --memory, with a warning; --cpus is refused, and
 *     --limits=strict refuses every fallback.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "config.h"
#include "error.h"

enum limits_mechanism {
	LIMITS_NONE,	      /* no limit asked for */
	LIMITS_CGROUP,	      /* 1: sbx's delegated cgroup */
	LIMITS_SYSTEMD_SCOPE, /* 2: a scope from the user manager */
	LIMITS_RLIMIT,	      /* 3: per-process resource limits */
};

/**
 * struct limits - the limits in force for one sandbox
 * @mech:	how they are enforced
 * @cg:		the cgroups (LIMITS_CGROUP, LIMITS_SYSTEMD_SCOPE)
 * @scope:	the scope's unit name (LIMITS_SYSTEMD_SCOPE)
 * @memory, @pids: as asked, for the rlimit fallback and the messages
 * @oom_seen:	oom_kill count already reported
 * @pids_seen:	pids.events' max count at the start
 * @pids_told:	the user was told a fork was refused (once is enough)
 * @watch_fd:	inotify fd on memory.events, -1 without one
 * @warning:	a line for the user (a weaker fallback), "" for none
 * @notes:	what -v says: the mechanism and why the better ones are not used
 */
struct limits {
	enum limits_mechanism mech;
	struct cgroup_v2 cg;
	char scope[64];
	unsigned long long memory;
	unsigned long pids;
	unsigned long long oom_seen;
	unsigned long long pids_seen;
	bool pids_told;
	int watch_fd;
	char warning[2 * SBX_ERROR_MSG_MAX];
	char notes[4 * SBX_ERROR_MSG_MAX + 256];
};

#define LIMITS_INIT { .cg = CGROUP_V2_INIT, .watch_fd = -1 }

/**
 * limits_setup() - choose the mechanism for @c's limits and set it up
 *
 * Called in sbx before the clone (after the user namespace plan, whose
 * holder process must not land in the sandbox's cgroup). With cgroups,
 * sbx is in its leaf and the sandbox's cgroup waits for pid 1 when this
 * returns (limits_clone_cgroup_fd()).
 * Return: 0, or -errno with @e filled: --limits=strict and no cgroup v2,
 *	   --cpus without one, or a cgroup that could not be made
 */
int limits_setup(const struct sbx_config *c, struct limits *l, struct sbx_error *e);

/**
 * limits_clone_cgroup_fd() - the cgroup pid 1 must start in
 *			      (CLONE_INTO_CGROUP), or -1
 */
int limits_clone_cgroup_fd(const struct limits *l);

/**
 * limits_clone() - ns_clone() into the sandbox's cgroup, if there is one
 *
 * Before Linux 5.7 (no CLONE_INTO_CGROUP) sbx moves itself into that cgroup
 * around the clone, so pid 1 is never outside it either.
 * Return: as ns_clone()
 */
pid_t limits_clone(const struct limits *l, unsigned long flags, int *ret_pidfd);

/**
 * limits_mechanism_name() - "cgroup v2", "systemd scope", "rlimit" or "none":
 *			     for -v, --info-fd and sbx ls
 */
const char *limits_mechanism_name(const struct limits *l);

/**
 * limits_watch_fd() - readable when the sandbox's memory.events changed
 *		       (a source of the supervisor's loop), or -1
 */
int limits_watch_fd(const struct limits *l);

/**
 * limits_check_events() - what the user should hear of the sandbox's limits
 *			   since the last call: the kernel killed a process
 *			   for --memory, or (the first time) refused a fork
 *			   for --pids
 * @msg:	then filled: "killed: out of memory (limit 512M)", "fork
 *		refused: the sandbox reached --pids 20"
 *
 * Drains the watch fd; safe to call at any time, also after the end. Call
 * it until it returns false: each call fills one message.
 * Return: true if @msg was filled
 */
bool limits_check_events(struct limits *l, char *msg, size_t len);

/**
 * limits_apply_in_command() - the rlimit fallback's part in the sandbox:
 *			       called by the command before its exec
 *
 * (Not in pid 1: sbx's own code there needs no limit, and a sanitizer
 * build of it reserves memory RLIMIT_DATA would refuse.)
 * Return: 0 or -errno with @e filled
 */
int limits_apply_in_command(const struct limits *l, struct sbx_error *e);

/**
 * limits_release() - remove the sandbox's cgroups (killing what is left in
 *		      them) and close the watch. Safe on LIMITS_INIT, and twice.
 */
void limits_release(struct limits *l);
