/* sync.h - the parent <-> child channel: typed messages, errors and fds across fork */
#pragma once

#include <stdint.h>

#include "error.h"

enum sync_type {
	SYNC_MAPS_DONE = 1, /* parent -> child: id maps written; value: setgroups allowed */
	SYNC_SETUP_ERROR,   /* child -> parent: setup failed; error filled */
	SYNC_READY,	    /* pid 1 -> parent: the command was started; value: its pid inside */
	SYNC_EXEC_ERROR,    /* command -> parent: execve failed; error filled */
	SYNC_CMD_STOPPED,   /* pid 1 -> parent: the command stopped for job control */
	SYNC_LOG,	    /* child -> parent: a --verbose line in error.msg */
	SYNC_NET_TAP,	    /* child -> parent -> net helper: the tap device fd */
	SYNC_NET_FACTORY,   /* child -> parent -> net helper: socket to the socket factory */
	SYNC_NET_BYPASS,    /* command -> parent: its seccomp listener for connect() */
	SYNC_NET_BYPASS_RELAY, /* command -> parent -> bypass worker: a relay listener on
				  the sandbox's loopback; value: its address family */
	SYNC_NET_SOCKET,    /* helper <-> factory: value: address family; reply carries the
			       socket, or error.err */
	SYNC_NET_READY,	    /* parent -> pid 1: --net slirp: the network helper is ready,
			       the command may start */
	/* named sandboxes (src/lifecycle/): */
	SYNC_SPAWNER,	    /* command -> parent: the spawner's channel (spawner.c);
			       parent -> spawner: an sbx enter client's connection */
	/* the shared start (exec_start.c): */
	SYNC_STARTING,	    /* pid 1 -> parent: the command is about to run in pid 1's
			       memory; pid 1 sleeps, forwarding nothing, until it has
			       exec'd (then SYNC_READY): only the holder is told */
};

/**
 * struct sync_msg - one datagram on the SOCK_SEQPACKET sync socket
 */
struct sync_msg {
	uint32_t type;
	int32_t value;
	struct sbx_error error;
};

/**
 * sync_socketpair() - a close-on-exec SOCK_SEQPACKET pair
 * Return: 0 or -errno
 */
int sync_socketpair(int ret_fds[2]);

/**
 * sync_send() - send @m, with @pass_fd attached (SCM_RIGHTS) when >= 0
 * Return: 0 or -errno
 */
int sync_send(int fd, const struct sync_msg *m, int pass_fd);

/**
 * sync_send_simple() - send a message that carries only a type and a value
 */
int sync_send_simple(int fd, enum sync_type type, int32_t value);

/**
 * sync_send_error() - send @e as a message of @type
 */
int sync_send_error(int fd, enum sync_type type, const struct sbx_error *e);

/**
 * sync_recv() - receive one message; an attached fd lands in @ret_fd (else -1)
 * @ret_fd:	may be NULL, then attached fds are closed
 * Return: 0, -EPIPE when the other side is gone, -EAGAIN with MSG_DONTWAIT, or -errno
 */
int sync_recv(int fd, struct sync_msg *m, int *ret_fd, int flags);
