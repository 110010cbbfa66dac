/* bypass_int.h - the TCP bypass's engine, which the worker process runs
 *		  (bypass.c: connect(), bypass_accept.c: accept())
 */
#pragma once

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bypass.h"
#include "bypass_parse.h"
#include "bypass_policy.h"
#include "bypass_sock.h"
#include "config.h"
#include "egress.h"
#include "pollset.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* How many calls may wait in the worker at once (blocking connect()s and
 * accept()s each); beyond that they are left to the kernel, so a program
 * cannot make the worker hold an fd per thread without limit. */
#define BYPASS_MAX_WAITS 256

/* How long an accept() waits for the network helper's answer to a handover
 * (it answers at once; the relay holds the connection 200 ms). */
#define BYPASS_HANDOVER_WAIT_MS 1000

struct bypass_pending;
struct bypass_accept_wait;

/**
 * struct bypass_engine - the worker's state: the listener and what waits on it
 * @notify_fd:	the seccomp user-notification listener, -1 until sbx sends it
 * @helper_fd:	the channel to the network helper for handovers (-1: none)
 * @accepts:	the command also hands its accept() calls over
 * @stats:	counters, in memory shared with sbx (for -v at the end)
 *
 * Prepared by bypass_engine_init() in sbx before the clone (nothing there
 * comes from the sandbox), run only in the worker.
 */
struct bypass_engine {
	int notify_fd;
	int helper_fd;
	bool accepts;
	struct bypass_stats *stats;
	uint16_t *published;
	size_t n_published;

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
	size_t helper_idx;
	struct bypass_pending *pending;
	size_t n_pending;
	size_t cap_pending;
	struct bypass_accept_wait *waits;
	size_t n_waits;
	size_t cap_waits;
};

/**
 * bypass_engine_init() - prepare @b for @c (in sbx, before the clone)
 * Return: 0, or -errno with a reason for -v in @why_not (the bypass is off)
 */
int bypass_engine_init(struct bypass_engine *b, const struct sbx_config *c, char *why_not,
		       size_t why_not_size);

/**
 * bypass_engine_fill() - add the listener, the helper channel and what
 *			  waits to @ps
 */
void bypass_engine_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms);

/**
 * bypass_engine_handle() - serve what poll() reported
 * Return: false once the listener is gone (every filtered process ended)
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

/* An accept() or accept4() from the command (bypass_accept.c). */
void bypass_accept_request(struct bypass_engine *b, const struct bypass_call *call);
void bypass_accept_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms);
void bypass_accept_handle(struct bypass_engine *b, const struct pollset *ps);
void bypass_accept_free(struct bypass_engine *b);
