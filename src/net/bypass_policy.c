/* bypass_policy.c - which sandbox connect()s the TCP bypass may take over, and where to
 *
 * The bypass must never widen what the sandbox can reach: every answer here
 * is what libslirp would have done with the same SYN, only faster. Anything
 * that is not plainly "a host out there" stays with slirp.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "bypass_policy.h"
#include "net.h"

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

void bypass_policy_init(struct bypass_policy *p, const struct sbx_config *c, uint16_t *ports)
{
	memset(p, 0, sizeof(*p));
	p->host_loopback = c->allow_host_loopback;
	p->ipv6 = !c->no_ipv6;
	if (c->n_allow_connect) {
		memcpy(ports, c->allow_connect, c->n_allow_connect * sizeof(*ports));
		qsort(ports, c->n_allow_connect, sizeof(*ports), cmp_u16);
		p->connect_ports = ports;
		p->n_connect_ports = c->n_allow_connect;
	}
}

bool bypass_addr_is_loopback(int family, const void *addr)
{
	const uint8_t *a = addr;

	if (family == AF_INET)
		return a[0] == 127;
	if (family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)addr) ||
		       (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr) && a[12] == 127);
	return false;
}

bool bypass_sockaddr_is_loopback(const struct sockaddr_storage *ss, uint16_t *ret_port)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		if (ret_port)
			*ret_port = ntohs(in->sin_port);
		return bypass_addr_is_loopback(AF_INET, &in->sin_addr);
	}
	if (ss->ss_family == AF_INET6) {
		if (ret_port)
			*ret_port = ntohs(in6->sin6_port);
		return bypass_addr_is_loopback(AF_INET6, &in6->sin6_addr);
	}
	return false;
}

static bool port_allowed(const struct bypass_policy *p, uint16_t port)
{
	if (!p->connect_ports)
		return true;
	return bsearch(&port, p->connect_ports, p->n_connect_ports, sizeof(port), cmp_u16) != NULL;
}

/* Where an IPv4 destination leads: BYPASS_HOST with *@to filled, or BYPASS_SLIRP. */
static int classify4(const struct bypass_policy *p, uint32_t dst, uint32_t *to)
{
	uint32_t a = ntohl(dst);
	struct in_addr gw;

	inet_pton(AF_INET, NET_GATEWAY4, &gw);
	if (dst == gw.s_addr) {
		if (!p->host_loopback)
			return BYPASS_SLIRP;
		*to = htonl(INADDR_LOOPBACK);
		return BYPASS_HOST;
	}
	if ((a & 0xffffff00) == 0x0a000200 || /* the slirp subnet: DNS, ourselves */
	    (a >> 24) == 127 || (a >> 24) == 0 || /* our own loopback, "this host" */
	    (a & 0xffff0000) == 0xa9fe0000 ||	  /* link-local */
	    (a >> 28) >= 14)			  /* multicast, reserved, broadcast */
		return BYPASS_SLIRP;
	*to = dst;
	return BYPASS_HOST;
}

static int classify6(const struct bypass_policy *p, const struct in6_addr *dst, struct in6_addr *to)
{
	struct in6_addr gw, prefix;

	inet_pton(AF_INET6, NET_GATEWAY6, &gw);
	inet_pton(AF_INET6, "fd00::", &prefix);
	if (!p->ipv6)
		return BYPASS_SLIRP;
	if (IN6_ARE_ADDR_EQUAL(dst, &gw)) {
		if (!p->host_loopback)
			return BYPASS_SLIRP;
		*to = in6addr_loopback;
		return BYPASS_HOST;
	}
	if (memcmp(dst, &prefix, 8) == 0 || IN6_IS_ADDR_LOOPBACK(dst) ||
	    IN6_IS_ADDR_UNSPECIFIED(dst) || IN6_IS_ADDR_LINKLOCAL(dst) ||
	    IN6_IS_ADDR_SITELOCAL(dst) || IN6_IS_ADDR_MULTICAST(dst) || IN6_IS_ADDR_V4COMPAT(dst))
		return BYPASS_SLIRP;
	*to = *dst;
	return BYPASS_HOST;
}

static int finish(const struct bypass_policy *p, int verdict, uint16_t port)
{
	if (verdict == BYPASS_HOST && !port_allowed(p, ntohs(port)))
		return -EACCES;
	return verdict;
}

int bypass_classify(const struct bypass_policy *p, int sock_family, const struct sockaddr *sa,
		    socklen_t len, struct sockaddr_storage *ret, socklen_t *ret_len)
{
	memset(ret, 0, sizeof(*ret));
	if (sock_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		struct sockaddr_in *out = (struct sockaddr_in *)ret;

		/* Short or foreign addresses: the kernel has the right error. */
		if (len < sizeof(*in) || in->sin_family != AF_INET)
			return BYPASS_SLIRP;
		out->sin_family = AF_INET;
		out->sin_port = in->sin_port;
		*ret_len = sizeof(*out);
		return finish(p, classify4(p, in->sin_addr.s_addr, &out->sin_addr.s_addr),
			      in->sin_port);
	}
	if (sock_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		struct sockaddr_in6 *out = (struct sockaddr_in6 *)ret;
		int v;

		if (len < sizeof(*in6) || in6->sin6_family != AF_INET6)
			return BYPASS_SLIRP;
		out->sin6_family = AF_INET6;
		out->sin6_port = in6->sin6_port;
		/* Scope and flow label belong to the sandbox's interfaces. */
		*ret_len = sizeof(*out);
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			uint32_t dst, to = 0;

			memcpy(&dst, &in6->sin6_addr.s6_addr[12], 4);
			v = classify4(p, dst, &to);
			out->sin6_addr.s6_addr[10] = 0xff;
			out->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&out->sin6_addr.s6_addr[12], &to, 4);
		} else {
			v = classify6(p, &in6->sin6_addr, &out->sin6_addr);
		}
		return finish(p, v, in6->sin6_port);
	}
	return BYPASS_SLIRP;
}
