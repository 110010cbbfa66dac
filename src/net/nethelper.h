/* nethelper.h - the isolated process outside the sandbox that runs libslirp */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "egress_learned.h"
#include "error.h"
#include "proc.h"
#include "sync.h"

/**
 * struct nethelper - the network helper, as sbx sees it
 * @proc:	the process (pid -1 when none runs); its pidfd tells the
 *		supervisor when it ends
 * @ctl_fd:	sbx's end of the control socket (SOCK_SEQPACKET); the helper
 *		ends when it reads EOF here
 * @ready:	it said it is locked down
 * @pending:	messages from the sandbox (the tap fd, the socket factory)
 *		held until the helper is ready
 * @n_pending:	how many
 * @learned:	set before nethelper_start(): the table of addresses
 *		--allow-net's names resolved to that the bypass worker reads
 *		(NULL: no worker)
 */
struct nethelper {
	struct proc proc;
	int ctl_fd;
	bool ready;
	struct nethelper_pending {
		struct sync_msg msg;
		int fd;
	} pending[2];
	size_t n_pending;
	struct egress_learned *learned;
};

#define NETHELPER_NONE ((struct nethelper){ .proc = PROC_NONE, .ctl_fd = -1 })

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
 * nethelper_check_ready() - has the helper said it is locked down, or why
 *			     it failed? Never waits: call it when @h->ctl_fd
 *			     is readable. Once ready, the messages
 *			     nethelper_forward() held are passed on.
 * Return: 0 ready, -EAGAIN not yet (@e untouched), -EPIPE when it ended
 *	   without a word, or -errno with @e filled with the helper's own
 *	   reason (e.g. libslirp cannot be loaded)
 */
int nethelper_check_ready(struct nethelper *h, struct sbx_error *e);

/**
 * nethelper_forward() - pass a SYNC_NET_TAP or SYNC_NET_FACTORY message and
 *			 its fd from the sandbox on to the helper, at once if it
 *			 is ready, else when it is (nethelper_check_ready());
 *			 takes @fd
 * Return: 0 or -errno with @e filled
 */
int nethelper_forward(struct nethelper *h, const struct sync_msg *m, int fd, struct sbx_error *e);

/**
 * nethelper_stop() - end the helper (SIGKILL) and reap it, unless the
 *		      supervisor did already; safe to call twice
 */
void nethelper_stop(struct nethelper *h);
