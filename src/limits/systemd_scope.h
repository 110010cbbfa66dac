/* systemd_scope.h - a transient scope with Delegate=yes from systemd's user manager */
#pragma once

#include <stddef.h>

#include "error.h"

/**
 * systemd_scope_enter() - move sbx into a new transient scope of the
 *			   user's systemd, delegated to the user
 * @ret_name:	the scope's name ("sbx-PID-N.scope"), for -v
 *
 * What `systemd-run --user --scope -p Delegate=yes` does, over the user
 * bus: StartTransientUnit with PIDs=[our pid], Delegate=yes, then wait for
 * the job's JobRemoved signal (bounded) so that sbx is in the scope when
 * this returns. For root, the system manager makes the scope. libsystemd
 * is dlopen()ed, so sbx builds and runs without it; the scope goes away
 * by itself once sbx, its last process, exits.
 *
 * Return: 0, or -errno with @e saying why (no libsystemd, no user bus, the
 *	   manager's refusal)
 */
int systemd_scope_enter(char *ret_name, size_t len, struct sbx_error *e);
