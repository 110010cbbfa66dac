/* child_plan.h - what the parent decided for the in-sandbox chain (child, pid 1, exec) */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "landlock.h"
#include "syscall_filter.h"

struct limits;

/**
 * struct child_plan - the parent's decisions the child, pid 1 and the command need
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
 * @limits:		--memory, --pids...: what the command applies itself
 *			(the rlimit fallback); NULL without limits
 * @spawner:		--name: the command forks the spawner of sbx enter (spawner.c)
 * @spare_setgroups:	setgroups() is allowed in the holder's namespaces: for
 *			a pid 1 made in its spare, which waits for no maps
 *
 * Plain data shared by child.c, pid1.c and exec.c, so that none of them
 * needs another's header for it: the calls only go child -> pid1 -> exec.
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
	const struct limits *limits;
	bool spawner;
	bool spare_setgroups;
};
