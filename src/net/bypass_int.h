/* bypass_int.h - the TCP bypass's engine, which the worker process runs
 *		  (bypass.c: connect(), bypass_link.c: the relay)
 */
#pragma once

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "bypass.h"
#include "bypass_parse.h"
#include "bypass_policy.h"
#include "bypass_sock.h"
#include "config.h"
#include "egress.h"
#include "pollset.h"
#include "splice_relay.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* How many connect() calls may wait in the worker at once for their host
 * connection; beyond that they are left to slirp, so a program cannot make
 * the worker hold fds per thread without limit. */
#define BYPASS_MAX_WAITS 256

/* How long a non-blocking connect() waits for the host's answer before it
 * is answered EINPROGRESS (see bypass.c, "What a program can notice"). */
#define BYPASS_NONBLOCK_HOLD_MS 100

struct bypass_pending;
struct bypass_link;

/**
 * struct bypass_engine - the worker's state: the listener and what waits on it
 * @notify_fd:	the seccomp user-notification listener, -1 until sbx sends it
 * @relay_fd:	the relay listeners in the sandbox's network namespace,
 *		[0] on 127.0.0.1, [1] on ::1 (-1: none), from the command
 * @sandbox_netns: that namespace's SO_NETNS_COOKIE (0 until a listener came)
 * @stats:	counters, in memory shared with sbx (for -v at the end)
 *
 * Prepared by bypass_engine_init() in sbx before the clone (nothing there
 * comes from the sandbox), run only in the worker.
 */
struct bypass_engine {
	int notify_fd;
	int relay_fd[2];
	struct sockaddr_storage relay_addr[2];
	socklen_t relay_addr_len[2];
	uint64_t sandbox_netns;
	struct bypass_stats *stats;

	struct bypass_policy policy;
	struct egress *egress; /* NULL: nothing beyond @policy (--allow-host-loopback) */
	const struct sbx_config *config;
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
	size_t relay_idx[2];
	struct bypass_link **links;
	size_t n_links;
	size_t cap_links;
	size_t max_links;
	struct splice_relay_pool pipes;
};

/**
 * bypass_engine_init() - prepare @b for @c (in sbx, before the clone)
 * Return: 0, or -errno with a reason for -v in @why_not (the bypass is off)
 */
int bypass_engine_init(struct bypass_engine *b, const struct sbx_config *c, char *why_not,
		       size_t why_not_size);

/**
 * bypass_engine_fill() - add the listener, the relays and what waits to @ps
 */
void bypass_engine_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms);

/**
 * bypass_engine_handle() - serve what poll() reported
 * Return: false once the listener is gone (every filtered process ended;
 *	   the relays go on)
 */
bool bypass_engine_handle(struct bypass_engine *b, const struct pollset *ps);

/**
 * bypass_engine_free() - close the listener and everything that waits
 */
void bypass_engine_free(struct bypass_engine *b);

/* A pidfd for the process of thread @tid (a notification names the thread). */
int bypass_pidfd(pid_t tid);

/* Answer notification @id: with -errno @error, or let the call run (@cont). */
void bypass_reply(struct bypass_engine *b, uint64_t id, int error, bool cont);

/* The relay (bypass_link.c). In the worker, before its lockdown: raise the
 * descriptor limit, size the relay by it. */
void bypass_link_init(struct bypass_engine *b);
/* A relay listener of @family from the command (taken over). */
void bypass_link_take_listener(struct bypass_engine *b, int family, int fd);
/* Whether a socket like @info can be relayed now (a listener, room, and
 * the socket in the sandbox's own network namespace). */
bool bypass_link_room(const struct bypass_engine *b, const struct bypass_sock *info);
/* Connect the program's socket @sock (our duplicate) to the relay and relay
 * it to @host_fd, answering connect() @id once the relay accepted it; both
 * taken on success. Return: 0, or -errno (nothing answered, nothing taken). */
int bypass_link_start(struct bypass_engine *b, uint64_t id, int sock,
		      const struct bypass_sock *info, int host_fd, bool host_connecting);
void bypass_link_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms);
void bypass_link_handle(struct bypass_engine *b, const struct pollset *ps);
void bypass_link_free(struct bypass_engine *b);
