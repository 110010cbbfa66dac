/* nethelper.h - the isolated process outside the sandbox that runs libslirp */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"
#include "sync.h"

/**
 * struct nethelper - the network helper, as sbx sees it
 * @pid:	its pid, -1 when none runs
 * @ctl_fd:	sbx's end of the control socket (SOCK_SEQPACKET); the helper
 *		ends when it reads EOF here
 * @ready:	it said it is locked down
 * @handover:	set before nethelper_start(): the bypass worker serves the
 *		command's accept() calls (bypass_accept.c), so the relay holds
 *		the connections it may hand over for a moment
 * @bypass_fd:	set before nethelper_start(), which takes it (-1: none): the
 *		helper's end of the channel on which the bypass worker asks
 *		for those connections (SYNC_NET_HANDOVER)
 */
struct nethelper {
	pid_t pid;
	int ctl_fd;
	bool ready;
	bool handover;
	int bypass_fd;
};

/**
 * nethelper_start() - bind the host side of every published TCP port, then
 *		       fork the network helper, in sbx's own network namespace
 *
 * Call after the sandbox's clone (the child must not inherit the listening
 * sockets or the control socket). Every published port is bound here, so a
 * port in use fails before the sandbox can start its command. The helper
 * then creates the libslirp instance and locks itself down, in parallel
 * with the sandbox's own setup.
 *
 * Return: 0 or -errno with @e filled (e.g. a port in use)
 */
int nethelper_start(struct nethelper *h, const struct sbx_config *c, struct sbx_error *e);

/**
 * nethelper_wait_ready() - wait until the helper is locked down, or learn
 *			    why it failed (nethelper_forward() calls it first)
 * Return: 0 or -errno with @e filled
 */
int nethelper_wait_ready(struct nethelper *h, struct sbx_error *e);

/**
 * nethelper_forward() - pass a SYNC_NET_TAP or SYNC_NET_FACTORY message and
 *			 its fd from the sandbox on to the helper, once it is
 *			 ready; closes @fd
 * Return: 0 or -errno with @e filled
 */
int nethelper_forward(struct nethelper *h, const struct sync_msg *m, int fd, struct sbx_error *e);

/**
 * nethelper_stop() - end the helper (SIGKILL) and reap it; safe to call twice
 */
void nethelper_stop(struct nethelper *h);
