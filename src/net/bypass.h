/* bypass.h - --net slirp's TCP bypass, as sbx sees it: a worker process it
 *	      starts, hands the command's listener to, and watches
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "egress_learned.h"
#include "error.h"
#include "proc.h"
#include "sync.h"

struct bypass_engine;

/**
 * struct bypass_stats - the worker's counters, in memory it shares with sbx
 * @n_host:	connections relayed to host sockets
 * @n_slirp:	connect() calls left to the kernel
 */
struct bypass_stats {
	unsigned long n_host;
	unsigned long n_slirp;
};

/**
 * struct tcp_bypass - the bypass worker, as sbx sees it
 * @enabled:	bypass_init() found everything it needs; the command installs
 *		its listener only then
 * @why_not:	when not enabled, why (for -v)
 * @proc:	the worker (pid -1 when none runs)
 * @ctl_fd:	sbx's end of the worker's control socket: the listener goes
 *		out on it, the worker's "locked down" or setup error comes
 *		back, and EOF says it is gone
 * @ready:	the worker said "locked down" (once: a second time is a
 *		worker that does not follow the protocol)
 * @stats:	the worker's counters (NULL when there is no worker)
 * @engine:	prepared by bypass_init(), run by the worker only
 * @learned:	with --allow-net, the addresses names resolved to, in memory
 *		shared with the network helper (which writes it; see
 *		egress_learned.h); nethelper_start() needs it too
 */
struct tcp_bypass {
	bool enabled;
	char why_not[96];
	struct proc proc;
	int ctl_fd;
	bool ready;
	struct bypass_stats *stats;
	struct bypass_engine *engine;
	struct egress_learned *learned;
};

/**
 * bypass_init() - prepare the bypass for @c; never fails: a kernel without
 *		   what it needs (Linux 5.14) leaves it disabled, with the
 *		   reason in @b->why_not
 */
void bypass_init(struct tcp_bypass *b, const struct sbx_config *c);

/**
 * bypass_start() - start the worker, which locks itself down and waits for
 *		    the listener; call after the sandbox's clone (the
 *		    sandbox must not inherit the channel) and before
 *		    nethelper_start() (which takes @b->learned)
 * Return: 0 or -errno with @e filled
 */
int bypass_start(struct tcp_bypass *b, struct sbx_error *e);

/**
 * bypass_take_listener() - pass what the command sent on to the worker
 *			    (@m: SYNC_NET_BYPASS, the seccomp listener;
 *			    SYNC_NET_BYPASS_RELAY, a relay listener); closes
 *			    @fd. Never blocks; a worker that cannot take it is
 *			    seen by bypass_event().
 */
void bypass_take_listener(struct tcp_bypass *b, const struct sync_msg *m, int fd);

/**
 * bypass_watch_fd() - the fd to watch for POLLIN (then call bypass_event()),
 *		       -1 when there is nothing to watch
 */
int bypass_watch_fd(const struct tcp_bypass *b);

/**
 * bypass_event() - read what the worker said
 *
 * The worker holds the only copy of the listener: without it the command's
 * connect() calls would fail with ENOSYS. So a worker that fails its setup,
 * ends, or says anything unexpected is stopped and reaped here, and the
 * caller must end the sandbox (exit status 125) with @e's line.
 *
 * Return: 0, or -errno with @e filled when the worker is gone
 */
int bypass_event(struct tcp_bypass *b, struct sbx_error *e);

/**
 * bypass_free() - stop and reap the worker, release everything; safe to
 *		   call twice
 */
void bypass_free(struct tcp_bypass *b);
