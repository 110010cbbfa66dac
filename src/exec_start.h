/* exec_start.h - pid 1 starts the command in its own memory (no fork, no copy) */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "child_plan.h"
#include "config.h"
#include "error.h"

/**
 * exec_start_can_share() - whether the command may start in pid 1's memory
 * @c:		the configuration
 * @plan:	the parent's plan
 *
 * The one place that chooses between the two starts. The shared start needs
 * pid 1 to have given up, before the command exists, all the command must
 * not get; features that need pid 1 to act while the command sets itself up
 * (or to keep what the command gets) take the forked start with its gate.
 *
 * Return: true for exec_start_shared(), false for a fork and the gate
 */
bool exec_start_can_share(const struct sbx_config *c, const struct child_plan *plan);

/**
 * exec_start_shared() - run exec_command() in a child that shares pid 1's memory
 * @c:		the configuration
 * @plan:	the parent's plan
 * @ret_pid:	the command's pid
 * @e:		filled on failure
 *
 * clone(CLONE_VM | CLONE_VFORK) on a stack of its own: no page tables are
 * copied and neither side takes copy-on-write faults. The caller sleeps until
 * the command has exec'd or exited (a failure of its own set-up or exec it
 * reports over the sync socket itself). The caller must already have given
 * up its capabilities, the bounding set and dumpability (there is no gate to
 * wait at), must have no signal handler installed (the child runs until its
 * exec with the caller's handlers, in the caller's memory), and must not rely
 * on errno or the environment across the call.
 *
 * Return: 0 or -errno with @e filled (no command then)
 */
int exec_start_shared(const struct sbx_config *c, const struct child_plan *plan, pid_t *ret_pid,
		      struct sbx_error *e);
