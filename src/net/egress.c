/* egress.c - what --net slirp lets the sandbox reach (see egress.h) */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "egress.h"
#include "log.h"

bool egress_needed(const struct sbx_config *c)
{
	return !c->allow_host_loopback || c->n_allow_net > 0;
}

int egress_init(struct egress *g, const struct sbx_config *c, struct sbx_error *e)
{
	int r;

	/* @g comes zeroed (calloc): its tables are touched only as they fill. */
	g->rules = c->allow_net;
	g->n_rules = c->n_allow_net;
	g->filter = c->n_allow_net > 0;
	g->host_ok = c->allow_host_loopback;
	g->host.fd = -1;
	if (g->host_ok)
		return 0;
	r = hostaddr_open(&g->host);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot read the host's local routing table");
	return 0;
}

struct learned_ctx {
	const struct egress *g;
	int port;
};

static bool learned_port_ok(uint16_t rule, void *opaque)
{
	const struct learned_ctx *ctx = opaque;

	return rule < ctx->g->n_rules && egress_rule_port_ok(&ctx->g->rules[rule], ctx->port);
}

static bool is_this_host(int family, const uint8_t *a)
{
	static const uint8_t zero[16];

	return family == AF_INET ? a[0] == 0 : memcmp(a, zero, 16) == 0;
}

enum egress_verdict egress_check(const struct egress *g, int family, const uint8_t *addr,
				 int port, int64_t now_ms)
{
	struct learned_ctx ctx = { .g = g, .port = port };
	const uint8_t *a;
	int fam = family;

	a = egress_addr_unmap(&fam, addr);
	/* 0.0.0.0/8 and :: are not in the local table, yet a host socket
	 * sending there reaches the host itself. */
	if (!g->host_ok && (hostaddr_contains(&g->host, family, addr) || is_this_host(fam, a)))
		return EGRESS_REFUSE_HOST;
	if (!g->filter)
		return EGRESS_ALLOW;
	if (egress_rules_addr_ok(g->rules, g->n_rules, fam, a, port))
		return EGRESS_ALLOW;
	if (g->learned && egress_learned_find(g->learned, fam, a, now_ms, learned_port_ok, &ctx))
		return EGRESS_ALLOW;
	return EGRESS_REFUSE_LIST;
}

static uint32_t refusal_key(int proto, int family, const uint8_t *addr, int port)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t len = family == AF_INET ? 4 : 16;

	h = (h ^ (uint32_t)proto) * 16777619u;
	h = (h ^ (uint32_t)port) * 16777619u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h ? h : 1;
}

void egress_log_refusal(struct egress *g, enum egress_verdict v, int proto, int family,
			const uint8_t *addr, int port)
{
	char text[INET6_ADDRSTRLEN], where[INET6_ADDRSTRLEN + 16];
	const char *kind = proto == IPPROTO_TCP ? "" : proto == IPPROTO_UDP ? "udp " : "icmp ";
	struct egress_said *said = g->said ? g->said : &g->own;
	uint32_t key, n;

	if (log_verbosity < 1)
		return;
	addr = egress_addr_unmap(&family, addr);
	key = refusal_key(proto, family, addr, port);
	/* Another process may write the table as we read it: at worst, a
	 * destination refused by both at once is named twice. */
	n = atomic_load_explicit(&said->n, memory_order_acquire);
	if (n > EGRESS_SAID_MAX)
		return;
	for (uint32_t i = 0; i < n && i < EGRESS_SAID_MAX; i++)
		if (atomic_load_explicit(&said->keys[i], memory_order_relaxed) == key)
			return;
	n = atomic_fetch_add_explicit(&said->n, 1, memory_order_acq_rel);
	if (n >= EGRESS_SAID_MAX) {
		if (n == EGRESS_SAID_MAX)
			log_verbose(1, "further refused destinations are not shown");
		return;
	}
	atomic_store_explicit(&said->keys[n], key, memory_order_release);
	inet_ntop(family, addr, text, sizeof(text));
	if (port < 0)
		snprintf(where, sizeof(where), "%s", text);
	else if (family == AF_INET6)
		snprintf(where, sizeof(where), "[%s]:%d", text, port);
	else
		snprintf(where, sizeof(where), "%s:%d", text, port);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP &&
	    proto != IPPROTO_ICMPV6)
		kind = "";
	log_verbose(1, "refused %s%s (%s)", kind, where,
		    v == EGRESS_REFUSE_HOST ? "an address of the host; --allow-host-loopback"
					    : "not in --allow-net");
}
