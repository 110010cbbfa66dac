/* exec.h - the command's last steps inside the sandbox, up to execvp() */
#pragma once

#include <sys/types.h>

#include "child_plan.h"
#include "config.h"

/**
 * exec_command() - in the command (forked, or in pid 1's memory): process
 *		    group, terminal, environment, capabilities, fds,
 *		    Landlock, seccomp, then execvp()
 * @c:		the configuration
 * @plan:	the parent's plan (sync socket, filter, Landlock, bypass)
 * @gate_fd:	read end of a pipe pid 1 writes one byte to once it has given
 *		up its own capabilities, or -1 not to wait. EOF means pid 1
 *		failed (and reports why): the command ends without running.
 * @shared_with: 0 when forked; else pid 1's pid: started by
 *		exec_start_shared() in pid 1's memory, after pid 1 dropped the
 *		bounding set, ambient, permitted, effective and inheritable
 *		capabilities and set no_new_privs (what caps_drop_for_exec(0)
 *		does), which the command inherits
 *
 * Never returns; an exec failure is sent over the sync socket and the
 * process exits 126 (cannot execute) or 127 (not found).
 */
_Noreturn void exec_command(const struct sbx_config *c, const struct child_plan *plan, int gate_fd,
			    pid_t shared_with);
