/* egress.h - what --net slirp lets the sandbox reach: the host's own
 *	      addresses (closed unless --allow-host-loopback) and the
 *	      --allow-net list; asked by the network helper for every packet
 *	      libslirp would carry out and by the TCP bypass worker for every
 *	      connect() it takes over, with one answer for both
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "egress_learned.h"
#include "egress_rule.h"
#include "hostaddr.h"

enum egress_verdict {
	EGRESS_ALLOW = 0,
	EGRESS_REFUSE_HOST, /* one of the host's own addresses */
	EGRESS_REFUSE_LIST, /* not in --allow-net */
};

/**
 * struct egress - the policy, as the helper or the worker holds it
 * @rules:	the --allow-net rules (the config's)
 * @filter:	there is at least one: everything else is refused
 * @host_ok:	--allow-host-loopback: the host's addresses are not refused
 * @host:	the host's local routing table
 * @learned:	what names resolved to (the helper's private table; the
 *		worker's view of the shared one; NULL: nothing)
 * @said:	refusals already said under -v: @own, or the table shared
 *		between helper and worker, so either says each once
 */
struct egress {
	const struct egress_rule *rules;
	size_t n_rules;
	bool filter;
	bool host_ok;
	struct hostaddr host;
	const struct egress_learned *learned;
	struct egress_said own;
	struct egress_said *said;
};

/**
 * egress_needed() - whether --net slirp needs a policy at all for @c (the
 *		     host's addresses are closed, or there is an allow-list)
 */
bool egress_needed(const struct sbx_config *c);

/**
 * egress_init() - the policy of @c, in zeroed memory @g; opens the route socket that follows the
 *		   host's addresses (in the host's network namespace, before
 *		   the caller's seccomp filter)
 * Return: 0 or -errno with @e filled
 */
int egress_init(struct egress *g, const struct sbx_config *c, struct sbx_error *e);

/**
 * egress_check() - may the sandbox reach @family/@addr on @port
 *		    (EGRESS_PORT_ANY for ICMP, EGRESS_PORT_ADDR_ONLY for a
 *		    later fragment) at @now_ms?
 */
enum egress_verdict egress_check(const struct egress *g, int family, const uint8_t *addr,
				 int port, int64_t now_ms);

/**
 * egress_log_refusal() - under -v, one line for a refused destination,
 *			  once per destination, at most EGRESS_SAID_MAX lines
 *			  in all (then one saying that more are not shown),
 *			  counted in @g->said when set
 * @proto:	IPPROTO_TCP, _UDP, _ICMP...
 */
void egress_log_refusal(struct egress *g, enum egress_verdict v, int proto, int family,
			const uint8_t *addr, int port);
