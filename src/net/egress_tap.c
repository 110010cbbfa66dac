/* egress_tap.c - the network helper's egress filter and --allow-net's resolver
 *
 * libslirp carries out whatever the sandbox writes to tap0 (UDP, ICMP, TCP
 * of 32-bit programs and under --no-tcp-bypass) from host sockets, so the
 * one place to hold it all to the policy is here, before slirp_input():
 *  - a packet to one of the host's own addresses, or (with --allow-net) to
 *    an address no rule allows, is answered at once: a TCP reset (the
 *    program's connect() fails with ECONNREFUSED) or an ICMP "network
 *    unreachable" (ENETUNREACH), and libslirp never sees it. TCP is judged
 *    at its SYN: a later segment belongs to a connection libslirp has, or
 *    gets libslirp's own reset.
 *  - with --allow-net, DNS to 10.0.2.3 / fd00::3 is answered here, not by
 *    libslirp's forwarder: a question for a name no rule covers gets
 *    NXDOMAIN; others go to the host's nameserver, and the addresses of the
 *    answer are recorded (egress_learned.h), in the table the bypass worker
 *    reads too, before the answer is written to the tap. DNS over TCP to
 *    10.0.2.3 is refused (it would reach libslirp's unfiltered forwarder).
 * Addresses inside the slirp network (the gateway, the DNS, NDP) are
 * libslirp's business, as without a filter; link-local, multicast, 0.0.0.0
 * and loopback addresses are not: libslirp sends those out as they are.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "egress_tap.h"
#include "net.h"
#include "util.h"

#define DNS_PORT 53
#define DNS_WAIT_MS 10000 /* a question unanswered for longer is forgotten */

int egress_nameserver(const char *text, size_t len, struct sockaddr_storage *ret,
		      socklen_t *ret_len)
{
	const char *p = text, *end = text + len;

	memset(ret, 0, sizeof(*ret));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		char line[128], addr[INET6_ADDRSTRLEN + 1];
		struct sockaddr_in *in = (struct sockaddr_in *)ret;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ret;

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (sscanf(line, " nameserver %46s", addr) == 1) {
				if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
					in->sin_family = AF_INET;
					in->sin_port = htons(DNS_PORT);
					*ret_len = sizeof(*in);
					return 0;
				}
				if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
					in6->sin6_family = AF_INET6;
					in6->sin6_port = htons(DNS_PORT);
					*ret_len = sizeof(*in6);
					return 0;
				}
			}
		}
		p += n + 1;
	}
	return -ENOENT;
}

int egress_tap_init(struct egress_tap *t, const struct sbx_config *c,
		    struct egress_learned *shared, const char *resolv_conf, size_t len,
		    size_t frame_size, struct sbx_error *e)
{
	struct sockaddr_storage ns;
	socklen_t ns_len = 0;
	int r;

	t->upstream_fd = -1;
	t->upstream_idx = t->host_idx = SIZE_MAX;
	r = egress_init(&t->pol, c, e);
	if (r < 0)
		return r;
	t->buf_size = frame_size > EGRESS_DNS_MAX + 128 ? frame_size : EGRESS_DNS_MAX + 128;
	t->buf = xreallocarray(NULL, t->buf_size, 1);
	if (!t->pol.filter)
		return 0;
	t->priv = calloc(1, sizeof(*t->priv));
	if (!t->priv)
		return sbx_error_set(e, ENOMEM, "--allow-net: no memory");
	t->pol.learned = t->priv;
	t->shared = shared;
	/* -v names a destination once, whichever of us refused it first. */
	if (shared)
		t->pol.said = &shared->said;
	if (egress_nameserver(resolv_conf, len, &ns, &ns_len) < 0)
		return 0;
	t->upstream_fd = socket(ns.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->upstream_fd >= 0 && connect(t->upstream_fd, (struct sockaddr *)&ns, ns_len) < 0) {
		close(t->upstream_fd);
		t->upstream_fd = -1;
	}
	return 0;
}

static bool is_dns_server(const struct egress_pkt *p)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (p->dport != DNS_PORT)
		return false;
	if (p->family == AF_INET) {
		inet_pton(AF_INET, NET_DNS4, &a4);
		return memcmp(p->dst, &a4, 4) == 0;
	}
	inet_pton(AF_INET6, NET_DNS6, &a6);
	return memcmp(p->dst, &a6, 16) == 0;
}

/* What libslirp answers itself: the gateway, the DNS, 255.255.255.255
 * (DHCP; else taken as the gateway), NDP and DHCPv6. Everything else it
 * sends out from a host socket to wherever the packet says, 10.0.2.50 and
 * fd00::50 included: 169.254.169.254 (a cloud's metadata service), a
 * multicast group on the host's network, 127.0.0.1 or 0.0.0.0 (the host
 * itself), so those are judged like any address. */
static bool is_slirp_internal(const struct egress_pkt *p)
{
	static const uint8_t bcast[4] = { 0xff, 0xff, 0xff, 0xff };
	const uint8_t *a = p->dst;
	struct in6_addr gw6, dns6;
	struct in_addr gw4, dns4;

	if (p->family == AF_INET) {
		inet_pton(AF_INET, NET_GATEWAY4, &gw4);
		inet_pton(AF_INET, NET_DNS4, &dns4);
		return !memcmp(a, &gw4, 4) || !memcmp(a, &dns4, 4) || !memcmp(a, bcast, 4);
	}
	inet_pton(AF_INET6, NET_GATEWAY6, &gw6);
	inet_pton(AF_INET6, NET_DNS6, &dns6);
	if (!memcmp(a, &gw6, 16) || !memcmp(a, &dns6, 16))
		return true;
	/* ICMPv6 (NDP) and UDP (DHCPv6) to link-local or link-scope
	 * multicast: libslirp's, or unsendable from the host without a scope */
	return (p->proto == IPPROTO_ICMPV6 || p->proto == IPPROTO_UDP) &&
	       ((a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] == 0xff && (a[1] & 0x0f) <= 2));
}

/* What libslirp carries out at all (it drops other protocols, IGMP and
 * IPv6 extension headers among them): judging the rest would only answer
 * the sandbox's own kernel with refusals. */
static bool is_carried(const struct egress_pkt *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	       p->proto == (p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
}

static void refuse(struct egress_tap *t, const uint8_t *f, const struct egress_pkt *p,
		   enum egress_verdict v)
{
	size_t n = egress_frame_refusal(f, p, t->buf, t->buf_size);

	if (n)
		t->send(t->send_opaque, t->buf, n);
	egress_log_refusal(&t->pol, v, p->proto, p->family, p->dst, p->l4 ? p->dport : -1);
}

static void reply_dns(struct egress_tap *t, const uint8_t *eth, const struct egress_pkt *p,
		      const uint8_t *msg, size_t len)
{
	size_t n = egress_frame_udp_reply(eth, p, msg, len, t->buf, t->buf_size);

	if (n)
		t->send(t->send_opaque, t->buf, n);
}

static void reply_dns_error(struct egress_tap *t, const uint8_t *eth, const struct egress_pkt *p,
			    const uint8_t *q, size_t q_end, uint8_t rcode)
{
	uint8_t msg[EGRESS_DNS_HEADER + EGRESS_NAME_MAX + 8];
	size_t n = egress_dns_reply_error(q, q_end, rcode, msg, sizeof(msg));

	if (n)
		reply_dns(t, eth, p, msg, n);
}

static struct egress_dns_pending *pending_slot(struct egress_tap *t, int64_t now)
{
	struct egress_dns_pending *oldest = &t->pending[0];

	for (size_t i = 0; i < EGRESS_DNS_PENDING; i++) {
		struct egress_dns_pending *d = &t->pending[i];

		if (!d->used || now - d->sent_ms > DNS_WAIT_MS)
			return d;
		if (d->sent_ms < oldest->sent_ms)
			oldest = d;
	}
	return oldest;
}

static uint16_t fresh_id(const struct egress_tap *t)
{
	for (;;) {
		uint16_t id = 0;
		bool taken = false;

		if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
			id = (uint16_t)rand();
		for (size_t i = 0; i < EGRESS_DNS_PENDING && !taken; i++)
			taken = t->pending[i].used && t->pending[i].up_id == id;
		if (!taken)
			return id;
	}
}

/* A UDP question to 10.0.2.3: NXDOMAIN, or on to the host's nameserver. */
static void dns_question(struct egress_tap *t, const uint8_t *f, const struct egress_pkt *p)
{
	const uint8_t *msg = f + p->l4 + 8;
	size_t len = p->end - p->l4 - 8;
	struct egress_dns_question q;
	struct egress_dns_pending *d;
	uint8_t *copy;
	int64_t now;

	if (egress_dns_parse_query(msg, len, &q) < 0)
		return; /* not a question we can answer: dropped */
	if (!egress_rules_name_ok(t->pol.rules, t->pol.n_rules, q.name)) {
		reply_dns_error(t, f, p, msg, q.end, EGRESS_DNS_RCODE_NXDOMAIN);
		return;
	}
	if (t->upstream_fd < 0) {
		reply_dns_error(t, f, p, msg, q.end, EGRESS_DNS_RCODE_SERVFAIL);
		return;
	}
	now = monotonic_ms();
	d = pending_slot(t, now);
	*d = (struct egress_dns_pending){ .used = true, .up_id = fresh_id(t), .sent_ms = now,
					  .q = q, .pkt = *p };
	memcpy(d->eth, f, EGRESS_ETH_HLEN);
	/* The question as asked (EDNS and all), under an id of our own. */
	copy = xreallocarray(NULL, len, 1);
	memcpy(copy, msg, len);
	copy[0] = (uint8_t)(d->up_id >> 8);
	copy[1] = (uint8_t)d->up_id;
	if (send(t->upstream_fd, copy, len, MSG_DONTWAIT) < 0) {
		d->used = false;
		reply_dns_error(t, f, p, msg, q.end, EGRESS_DNS_RCODE_SERVFAIL);
	}
	free(copy);
}

struct learn_ctx {
	struct egress_tap *t;
	const char *name;
	int64_t now;
};

/* An A or AAAA record of an answer: allowed under every rule of its name. */
static void learn(int family, const uint8_t *addr, uint32_t ttl, void *opaque)
{
	const struct learn_ctx *ctx = opaque;
	struct egress_tap *t = ctx->t;

	if (ttl < EGRESS_TTL_MIN_S)
		ttl = EGRESS_TTL_MIN_S;
	if (ttl > EGRESS_TTL_MAX_S)
		ttl = EGRESS_TTL_MAX_S;
	for (size_t i = 0; i < t->pol.n_rules; i++)
		if (egress_rule_name_matches(&t->pol.rules[i], ctx->name))
			egress_learned_add(t->priv, t->shared, family, addr, (uint16_t)i, ctx->now,
					   ctx->now + (int64_t)ttl * 1000);
}

/* One datagram from the nameserver. Return: whether there was one. */
static bool dns_answer(struct egress_tap *t)
{
	uint8_t msg[EGRESS_DNS_MAX];
	ssize_t n = recv(t->upstream_fd, msg, sizeof(msg), MSG_DONTWAIT | MSG_TRUNC);
	struct egress_dns_pending *d = NULL;
	struct learn_ctx ctx;
	uint16_t id, orig;

	if (n < 0)
		return false;
	if (n < EGRESS_DNS_HEADER)
		return true;
	id = (uint16_t)(msg[0] << 8 | msg[1]);
	for (size_t i = 0; i < EGRESS_DNS_PENDING && !d; i++)
		if (t->pending[i].used && t->pending[i].up_id == id)
			d = &t->pending[i];
	if (!d)
		return true;
	d->used = false;
	ctx = (struct learn_ctx){ .t = t, .name = d->q.name, .now = monotonic_ms() };
	orig = d->q.id;
	d->q.id = id;
	/* Recorded before the program can read the answer (egress_learned.h).
	 * One too large to pass on here, or malformed, becomes SERVFAIL, so
	 * the program hears at once instead of after its time-out. */
	if ((size_t)n > sizeof(msg) || egress_dns_parse_answer(msg, (size_t)n, &d->q, learn, &ctx) < 0) {
		d->q.id = orig;
		n = (ssize_t)egress_dns_error_for(&d->q, EGRESS_DNS_RCODE_SERVFAIL, msg, sizeof(msg));
		if (n)
			reply_dns(t, d->eth, &d->pkt, msg, (size_t)n);
		return true;
	}
	msg[0] = (uint8_t)(orig >> 8);
	msg[1] = (uint8_t)orig;
	reply_dns(t, d->eth, &d->pkt, msg, (size_t)n);
	return true;
}

bool egress_tap_frame(struct egress_tap *t, const uint8_t *f, size_t len)
{
	struct egress_pkt p;
	enum egress_verdict v;
	int port, r;

	r = egress_frame_parse(f, len, &p);
	if (r == -EPROTO)
		return false; /* an IP packet not read here must not be there either */
	if (r < 0)
		return true; /* ARP, or nothing libslirp would carry out */
	if (!is_carried(&p))
		return true;
	if (is_slirp_internal(&p)) {
		if (!t->pol.filter || !p.l4 || !is_dns_server(&p))
			return true;
		if (p.proto == IPPROTO_UDP)
			dns_question(t, f, &p);
		else if (p.proto == IPPROTO_TCP)
			refuse(t, f, &p, EGRESS_REFUSE_LIST);
		return false;
	}
	/* TCP is judged at the SYN that opens a connection. */
	if (p.proto == IPPROTO_TCP && p.l4 &&
	    (p.tcp_flags & (EGRESS_TCP_SYN | EGRESS_TCP_ACK)) != EGRESS_TCP_SYN)
		return true;
	port = !p.l4 ? EGRESS_PORT_ADDR_ONLY
	       : (p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP) ? p.dport
								     : EGRESS_PORT_ANY;
	if (t->pol.host.lost)
		hostaddr_refresh(&t->pol.host); /* retried until the table is known again */
	v = egress_check(&t->pol, p.family, p.dst, port, monotonic_ms());
	if (v == EGRESS_ALLOW)
		return true;
	refuse(t, f, &p, v);
	return false;
}

void egress_tap_fill(struct egress_tap *t, struct pollset *ps)
{
	t->host_idx = pollset_add(ps, t->pol.host.fd, POLLIN);
	t->upstream_idx = pollset_add(ps, t->upstream_fd, POLLIN);
}

void egress_tap_handle(struct egress_tap *t, const struct pollset *ps)
{
	if (pollset_revents(ps, t->host_idx))
		hostaddr_refresh(&t->pol.host);
	/* A few answers per turn, so the tap is not starved. */
	if (t->upstream_fd >= 0 && (pollset_revents(ps, t->upstream_idx) & POLLIN))
		for (int i = 0; i < 16 && dns_answer(t); i++)
			;
}
