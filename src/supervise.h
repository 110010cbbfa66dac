/* supervise.h - the outside monitor: see the setup through, forward signals,
 * relay job control, watch the network helper, collect the status */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "proc.h"

struct lifecycle;
struct nethelper;
struct tcp_bypass;
struct limits;
struct status_fd;

/**
 * struct supervise_target - the sandbox as seen from outside
 * @pid1:	its first process (pid 1 inside), whose id maps are written;
 *		reaped by supervise() on every path
 * @sync_fd:	our end of the sync socket
 * @own_tty:	we handed the terminal to the command and get it back at the end
 * @net:	--net slirp's network helper, started; NULL without one
 * @bypass:	--net slirp's TCP bypass worker: its listener arrives over
 *		@sync_fd and is passed on, and its end ends the sandbox (125);
 *		NULL without one
 * @limits:	--memory...: its memory.events is watched, to say when the
 *		kernel killed a process for the limit; NULL without limits
 * @status:	--info-fd/--json-status-fd, told when the command starts or
 *		cannot run (status_fd.c); NULL for none
 * @life:	--name: its control socket is served in the loop; NULL without
 */
struct supervise_target {
	struct proc *pid1;
	int sync_fd;
	bool own_tty;
	struct nethelper *net;
	struct tcp_bypass *bypass;
	struct limits *limits;
	struct status_fd *status;
	struct lifecycle *life;
};

/**
 * supervise() - see the sandbox's setup through to the command's start, then
 *		 run until pid 1 exits
 *
 * One event loop (loop.c) watches signals, pid 1, the sync socket, the
 * network helper and the TCP bypass. Until the command has started, a
 * terminating signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2)
 * ends the setup, and sbx with 128+N; from then on signals are forwarded to
 * pid 1. The network helper or the bypass worker ending at any time ends
 * the sandbox (125): during the
 * setup with the reason it gave, later with one line saying how it ended.
 * Whatever the outcome, pid 1 has been killed if need be and reaped when this
 * returns, and the terminal is back with sbx's process group, unless the
 * user's shell gave it to another job meanwhile (sbx stopped, then `bg`).
 *
 * The forwarded signals and SIGCHLD are blocked by the caller before the
 * clone, so none is lost between clone and this loop.
 *
 * Return: 0 with sbx's exit status in @ret_status (the command's, 128+N, or
 *	   126/127 for an exec failure already printed), or -errno with @e
 *	   filled (a failed setup, the network helper gone)
 */
int supervise(const struct supervise_target *t, int *ret_status, struct sbx_error *e);
