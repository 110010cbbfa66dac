/* lifecycle.h - the hooks through which sbx's run path serves a named sandbox */
#pragma once

#include "config.h"
#include "error.h"

struct lifecycle;
struct loop;
struct proc;

/**
 * lifecycle_begin() - --name or --detach: claim the name, open the control
 *		       socket, and with --detach go to the background
 * @ret:	the named sandbox's state, or NULL when sbx runs unnamed
 * @ret_status:	sbx's exit status when this returns 1
 *
 * With --detach, sbx forks here: the parent waits until the command has
 * started (it prints the name, status 0) or the sandbox failed (it prints
 * the log, the child's status), and returns 1; the child goes on as the
 * sandbox's supervisor in a session of its own, stdout and stderr to the
 * log in the state directory.
 *
 * Return: 0 (go on), 1 (the detached parent: stop here) or -errno with @e
 *	   filled (the name is taken: -EEXIST)
 */
int lifecycle_begin(const struct sbx_config *c, struct lifecycle **ret, int *ret_status,
		    struct sbx_error *e);

/**
 * lifecycle_end() - remove the state directory and free; a cleanup for
 *		     every exit path, run after the sandbox is gone
 */
void lifecycle_end(struct lifecycle **l);

/**
 * lifecycle_watch() - add the control socket (and what it needs) to the
 *		       supervisor's loop
 * @pid1:	what stop and kill signal
 * Return: 0 or -errno
 */
int lifecycle_watch(struct lifecycle *l, struct loop *loop, const struct proc *pid1);

/**
 * lifecycle_take_spawner() - the channel to the sandbox's spawner arrived
 *			      (SYNC_SPAWNER): sbx enter works from now on
 */
void lifecycle_take_spawner(struct lifecycle *l, int fd);

/**
 * lifecycle_set_limits() - the mechanism enforcing the sandbox's limits
 *			    ("cgroup v2", "rlimit"... or "none", a static
 *			    string): the state file reports it with the
 *			    limits' values, for sbx ls, from the next write on
 */
void lifecycle_set_limits(struct lifecycle *l, const char *mechanism);

/**
 * lifecycle_detach_mark() - all sbx wrote to the log so far is its own (the
 *			     sandbox is not started yet): a detached parent
 *			     prints it; a no-op for a NULL @l or without
 *			     --detach
 */
void lifecycle_detach_mark(struct lifecycle *l);

/**
 * lifecycle_started() - the command started: complete the state file (pid
 *			 1's namespaces), let a detached parent return
 */
void lifecycle_started(struct lifecycle *l);
