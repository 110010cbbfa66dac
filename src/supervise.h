/* supervise.h - the outside monitor: forward signals, relay job control, collect the status */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct tcp_bypass;

/**
 * struct supervise_target - the sandbox as seen from outside
 * @pid, @pidfd:	its pid 1 (pidfd -1 on kernels without pidfds)
 * @sync_fd:		our end of the sync socket
 * @own_tty:		we handed the terminal to the command and get it back at the end
 * @bypass:		--net slirp's TCP bypass worker: its listener may still
 *			arrive over @sync_fd, and its end ends the sandbox
 *			(125); NULL without one
 */
struct supervise_target {
	pid_t pid;
	int pidfd;
	int sync_fd;
	bool own_tty;
	struct tcp_bypass *bypass;
};

/**
 * supervise() - run until pid 1 exits; print what the sandbox reports
 *
 * The forwarded signals and SIGCHLD are blocked by the caller before the
 * clone, so none is lost between clone and this loop.
 *
 * Return: the exit status for sbx (the command's, 128+N, or 125-127)
 */
int supervise(const struct supervise_target *t);

/**
 * kill_and_reap() - SIGKILL @pid and wait for it (error paths before supervise())
 */
void kill_and_reap(pid_t pid);
