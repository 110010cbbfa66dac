/* child.h - what runs inside the new namespaces, up to exec of the command */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "landlock.h"
#include "seccomp_filter.h"

/**
 * struct child_plan - the parent's decisions the child needs
 * @sync_fd:		the child's end of the sync socket
 * @orig_mask:		the signal mask sbx started with, restored for the command
 * @parent_pid:		sbx's pid, to notice it died before a parent-death signal was set
 * @take_tty:		stdin is a terminal and sbx is its foreground job: the
 *			command gets its own process group and the terminal
 * @filter:		the compiled seccomp programs the command loads last
 * @landlock:		what the command asks Landlock for
 * @premade_fds:	per mount operation, a detached mount sbx made (idmapped
 *			host binds) or -1; NULL when none. Inherited with the clone.
 * @n_premade:		entries in @premade_fds
 * @tcp_bypass:		the command hands its connect() calls to sbx (bypass.c)
 * @tcp_bypass_accepts:	...and its accept() calls (bypass_accept.c)
 */
struct child_plan {
	int sync_fd;
	sigset_t orig_mask;
	pid_t parent_pid;
	bool take_tty;
	const struct syscall_filter *filter;
	const struct landlock_plan *landlock;
	const int *premade_fds;
	size_t n_premade;
	bool tcp_bypass;
	bool tcp_bypass_accepts;
};

/**
 * child_main() - set up the sandbox from inside and become its pid 1
 *
 * Order matters: host sources are cloned before the id maps exist (in
 * parallel with newuidmap), the root is built after them (tmpfs inodes need
 * mapped ids), the time namespace is unshared last so only the command is
 * in it. A failure is sent to the parent and ends the child with 125.
 */
_Noreturn void child_main(const struct sbx_config *c, const struct child_plan *plan);

/**
 * child_exec_command() - in the forked command: process group, terminal,
 *			  environment, capabilities, fds, Landlock, seccomp,
 *			  then execvp()
 *
 * Never returns; an exec failure is sent over the sync socket and the
 * process exits 126 (cannot execute) or 127 (not found).
 */
_Noreturn void child_exec_command(const struct sbx_config *c, const struct child_plan *plan);
