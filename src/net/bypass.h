/* bypass.h - --net slirp's TCP bypass: the sandbox's outgoing connections on host sockets */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bypass_policy.h"
#include "bypass_sock.h"
#include "config.h"
#include "pollset.h"

struct bypass_pending;
struct bypass_accept_wait;
struct nethelper;

/**
 * struct tcp_bypass - sbx's end of the command's connect() listener
 * @enabled:	bypass_init() found everything it needs; the command installs
 *		its listener only then
 * @why_not:	when not enabled, why (for -v)
 * @notify_fd:	the seccomp user-notification listener, -1 until the command
 *		sends it
 * @n_host:	connections made on host sockets
 * @n_slirp:	connect() and accept() calls left to the kernel
 * @n_handed:	published connections handed to the server (bypass_accept.c)
 * @accepts:	the command also hands its accept() calls to sbx: there are
 *		published TCP ports, and a network helper to ask (@net)
 *
 * Every other field is private to bypass.c.
 */
struct tcp_bypass {
	bool enabled;
	char why_not[96];
	int notify_fd;
	unsigned long n_host;
	unsigned long n_slirp;
	unsigned long n_handed;
	bool accepts;
	struct nethelper *net;
	uint16_t *published;
	size_t n_published;

	struct bypass_policy policy;
	uint16_t *ports;
	struct bypass_defaults defaults;
	void *req;
	void *resp;
	size_t req_size;
	size_t resp_size;
	size_t notify_idx;
	struct bypass_pending *pending;
	size_t n_pending;
	size_t cap_pending;
	struct bypass_accept_wait *waits;
	size_t n_waits;
	size_t cap_waits;
};

/**
 * bypass_init() - prepare the bypass for @c; never fails: a kernel without
 *		   what it needs (Linux 5.14) leaves it disabled, with the
 *		   reason in @b->why_not
 * @net:	the network helper (started later), asked for the host side
 *		of published connections when @c publishes TCP ports
 */
void bypass_init(struct tcp_bypass *b, const struct sbx_config *c, struct nethelper *net);

/**
 * bypass_take_listener() - adopt the listener fd the command sent
 */
void bypass_take_listener(struct tcp_bypass *b, int fd);

/**
 * bypass_fill() - add the listener and pending connections to @ps; lower
 *		   *@timeout_ms to the nearest connect() time limit
 */
void bypass_fill(struct tcp_bypass *b, struct pollset *ps, int *timeout_ms);

/**
 * bypass_handle() - serve what poll() reported: take over or pass on each
 *		     connect(), finish pending ones
 */
void bypass_handle(struct tcp_bypass *b, const struct pollset *ps);

/**
 * bypass_free() - close the listener and every pending host socket
 */
void bypass_free(struct tcp_bypass *b);
