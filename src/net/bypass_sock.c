/* bypass_sock.c - a sandbox TCP socket's properties, and its host-side twin
 *
 * A program may set options between socket() and connect() (TCP_NODELAY,
 * keep-alive, time-outs, buffer sizes). The host socket that replaces its
 * socket must behave the same, so the options it changed are copied. The
 * table lists the ones an unprivileged program can set and that mean
 * something before or after connect(); privileged ones (SO_MARK...) could
 * not have been set in the sandbox's namespace in a way the host honours.
 *
 * The host socket never leaves the worker (bypass_link.c relays the
 * program's own socket to it), and the worker connects it once, to the
 * address the policy allowed. Pinning it was needed while the program held
 * it (it could be connected again unseen); it stays as defence in depth,
 * for its one cheap check that the policy has no other: before connecting,
 * the socket is bound where the route to the peer leads,
 *  - to the route's interface (SO_BINDTOIFINDEX), and refused when that is
 *    lo unless the gateway with --allow-host-loopback was asked for: a peer
 *    whose route stays on this host (an address of its own the egress table
 *    has not caught up with) is not reached through the bypass;
 *  - to the route's source address and a port the worker picks.
 * (The source port it picks is no longer a defence; it only keeps the
 * kernel's choice and ours apart, and may go when it costs.)
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bypass_sock.h"
#include "util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

struct int_option {
	int level;
	int name;
	int family; /* 0: both; AF_INET / AF_INET6: only sockets of that family */
	bool halve; /* the kernel reports twice what was set (buffer sizes) */
};

static const struct int_option int_options[] = {
	{ SOL_SOCKET, SO_KEEPALIVE, 0, false },
	{ SOL_SOCKET, SO_OOBINLINE, 0, false },
	{ SOL_SOCKET, SO_PRIORITY, 0, false },
	{ SOL_SOCKET, SO_RCVLOWAT, 0, false },
	{ SOL_SOCKET, SO_RCVBUF, 0, true },
	{ SOL_SOCKET, SO_SNDBUF, 0, true },
	{ IPPROTO_TCP, TCP_NODELAY, 0, false },
	{ IPPROTO_TCP, TCP_CORK, 0, false },
	{ IPPROTO_TCP, TCP_KEEPIDLE, 0, false },
	{ IPPROTO_TCP, TCP_KEEPINTVL, 0, false },
	{ IPPROTO_TCP, TCP_KEEPCNT, 0, false },
	{ IPPROTO_TCP, TCP_SYNCNT, 0, false },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, 0, false },
	{ IPPROTO_TCP, TCP_LINGER2, 0, false },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, 0, false },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT, 0, false },
	{ IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 0, false },
	{ IPPROTO_TCP, TCP_MAXSEG, 0, false },
	{ IPPROTO_IP, IP_TOS, AF_INET, false },
	{ IPPROTO_IP, IP_TTL, AF_INET, false },
	{ IPPROTO_IPV6, IPV6_V6ONLY, AF_INET6, false },
	{ IPPROTO_IPV6, IPV6_TCLASS, AF_INET6, false },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, AF_INET6, false },
};

_Static_assert(ARRAY_SIZE(int_options) <= 32, "bypass_defaults.values is too small");

/* Socket options that are structures: copied as they are. Not SO_LINGER:
 * the twin stays in the worker, which closes it when the relay ends, and a
 * lingering close would hold the worker (every connect() of the sandbox)
 * for as long as a peer that never reads likes. The program's own close
 * still does what its SO_LINGER says, on its socket; a reset it sends
 * reaches the host peer through the relay. */
static const int struct_options[] = { SO_RCVTIMEO, SO_SNDTIMEO };

static int get_int(int fd, int level, int name, int *ret)
{
	socklen_t len = sizeof(*ret);

	return getsockopt(fd, level, name, ret, &len) < 0 ? -errno : 0;
}

static bool applies(const struct int_option *o, int family)
{
	return !o->family || o->family == family;
}

int bypass_defaults_read(struct bypass_defaults *d)
{
	socklen_t len;

	memset(d, 0, sizeof(*d));
	d->port_lo = 32768;
	d->lo_index = (int)if_nametoindex("lo");
	d->port_hi = 60999;
	{
		FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
		unsigned lo, hi;

		if (f && fscanf(f, "%u %u", &lo, &hi) == 2 && lo >= 1024 && lo < hi && hi <= 65535) {
			d->port_lo = (uint16_t)lo;
			d->port_hi = (uint16_t)hi;
		}
		if (f)
			fclose(f);
	}
	for (int v6 = 0; v6 < 2; v6++) {
		int family = v6 ? AF_INET6 : AF_INET;
		_cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);

		if (fd < 0) {
			if (v6)
				continue; /* a host without IPv6 */
			return -errno;
		}
		if (!v6) {
			len = sizeof(d->host_netns_cookie);
			if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &d->host_netns_cookie, &len) < 0)
				return -errno;
			len = sizeof(d->congestion);
			if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, d->congestion, &len) < 0)
				d->congestion[0] = '\0';
		}
		for (size_t i = 0; i < ARRAY_SIZE(int_options); i++)
			if (applies(&int_options[i], family))
				get_int(fd, int_options[i].level, int_options[i].name, &d->values[v6][i]);
	}
	return 0;
}

int bypass_sock_inspect(int fd, struct bypass_sock *ret)
{
	struct sockaddr_storage ss;
	struct tcp_info ti;
	struct timeval tv;
	socklen_t len;
	int type = 0, proto = 0, family = 0, fl;

	memset(ret, 0, sizeof(*ret));
	if (get_int(fd, SOL_SOCKET, SO_DOMAIN, &family) < 0)
		return -ENOTSOCK;
	get_int(fd, SOL_SOCKET, SO_TYPE, &type);
	get_int(fd, SOL_SOCKET, SO_PROTOCOL, &proto);
	if ((family != AF_INET && family != AF_INET6) || type != SOCK_STREAM || proto != IPPROTO_TCP)
		return 0; /* family 0: UDP, MPTCP, unix... not ours */
	ret->family = family;
	len = sizeof(ret->netns_cookie);
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &ret->netns_cookie, &len) < 0)
		return -errno;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
			ret->bound = in->sin_port || in->sin_addr.s_addr != htonl(INADDR_ANY);
		} else {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
			ret->bound = in6->sin6_port || !IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
		}
	}
	if (family == AF_INET6) {
		int v6only = 0;

		get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only);
		ret->v6only = v6only != 0;
	}
	fl = fcntl(fd, F_GETFL);
	ret->nonblock = fl >= 0 && (fl & O_NONBLOCK);
	len = sizeof(ti);
	ret->tcp_state = getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 ? ti.tcpi_state : 0;
	len = sizeof(tv);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0)
		ret->sndtimeo_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	return 0;
}

static void copy_options(int src, int dst, int family, const struct bypass_defaults *d)
{
	const int *defaults = d->values[family == AF_INET6];
	char cc[16], buf[64];
	socklen_t len;

	for (size_t i = 0; i < ARRAY_SIZE(int_options); i++) {
		const struct int_option *o = &int_options[i];
		int v;

		if (!applies(o, family) || get_int(src, o->level, o->name, &v) < 0 || v == defaults[i])
			continue;
		if (o->halve)
			v /= 2;
		/* Best effort, as the sandbox's own socket would have been. */
		setsockopt(dst, o->level, o->name, &v, sizeof(v));
	}
	for (size_t i = 0; i < ARRAY_SIZE(struct_options); i++) {
		len = sizeof(buf);
		if (getsockopt(src, SOL_SOCKET, struct_options[i], buf, &len) == 0)
			setsockopt(dst, SOL_SOCKET, struct_options[i], buf, len);
	}
	len = sizeof(cc);
	if (getsockopt(src, IPPROTO_TCP, TCP_CONGESTION, cc, &len) == 0 &&
	    strncmp(cc, d->congestion, sizeof(cc)) != 0)
		setsockopt(dst, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strnlen(cc, sizeof(cc)));
}

static socklen_t addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* The interface of address @want (@len bytes) in the addresses of one
 * RTM_GETADDR dump answer @buf; 0 when not there. *@done at NLMSG_DONE. */
static int match_addresses(const char *buf, size_t n, const void *want, size_t len, bool *done)
{
	for (const struct nlmsghdr *h = (const void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		const struct ifaddrmsg *ifa = NLMSG_DATA(h);
		const struct rtattr *local = NULL, *address = NULL, *rta;
		size_t rest;

		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
			*done = true;
			return 0;
		}
		if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
			continue;
		rest = IFA_PAYLOAD(h);
		for (rta = IFA_RTA(ifa); RTA_OK(rta, rest); rta = RTA_NEXT(rta, rest)) {
			if (rta->rta_type == IFA_LOCAL)
				local = rta;
			else if (rta->rta_type == IFA_ADDRESS)
				address = rta;
		}
		/* IFA_LOCAL is the local end of a point-to-point link, whose
		 * IFA_ADDRESS is the peer's (getifaddrs() reads them so too). */
		rta = local ? local : address;
		if (rta && RTA_PAYLOAD(rta) == len && memcmp(RTA_DATA(rta), want, len) == 0)
			return (int)ifa->ifa_index;
	}
	return 0;
}

int bypass_interface_of(const struct sockaddr_storage *src)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
	};
	/* One dump of one family's addresses: cheaper than getifaddrs(),
	 * which also dumps every link with its statistics. */
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	const void *want;
	size_t len;
	bool done = false;
	int index = 0;

	if (src->ss_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)src)->sin6_addr;
		want = a6;
		len = 16;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			want = &a6->s6_addr[12];
			len = 4;
		}
	} else {
		want = &((const struct sockaddr_in *)src)->sin_addr;
		len = 4;
	}
	req.ifa.ifa_family = len == 4 ? AF_INET : AF_INET6;
	if (fd < 0 || send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return 0;
	while (!done && !index) {
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n <= 0 || (mh.msg_flags & MSG_TRUNC))
			return 0;
		index = match_addresses(buf, (size_t)n, want, len, &done);
	}
	return index;
}

/* Bind @fd to the source address and interface of the route to @peer, on a
 * port we choose (see the top of this file). */
static int pin_to_route(int fd, int family, const struct sockaddr *peer,
			const struct bypass_defaults *d, bool loopback_ok)
{
	_cleanup_close_ int probe = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage src;
	socklen_t len = sizeof(src);
	int index, one = 1;

	if (probe < 0)
		return -errno;
	/* A connected UDP socket asks the routing table without sending anything. */
	if (connect(probe, peer, addr_len(family)) < 0 ||
	    getsockname(probe, (struct sockaddr *)&src, &len) < 0)
		return -errno;
	index = bypass_interface_of(&src);
	if (index <= 0)
		return -ENODEV;
	/* Pinned to lo, a socket whose connect fails could next reach the
	 * host's loopback: only the gateway with --allow-host-loopback may.
	 * (Also a peer out there whose route's source address lives on lo.) */
	if (index == d->lo_index && !loopback_ok)
		return -EPERM;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof(index)) < 0)
		return -errno;
	/* TIME_WAIT leftovers of earlier connections may sit on the port. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (int tries = 0; tries < 16; tries++) {
		uint32_t rnd = 0;
		uint16_t port;

		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (uint32_t)rand();
		port = (uint16_t)(d->port_lo + rnd % (uint32_t)(d->port_hi - d->port_lo + 1));
		if (family == AF_INET6)
			((struct sockaddr_in6 *)&src)->sin6_port = htons(port);
		else
			((struct sockaddr_in *)&src)->sin_port = htons(port);
		if (bind(fd, (struct sockaddr *)&src, addr_len(family)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

int bypass_sock_twin(int src, const struct bypass_sock *info, const struct bypass_defaults *d,
		     const struct sockaddr *peer, bool loopback_ok)
{
	_cleanup_close_ int fd = socket(info->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
					IPPROTO_TCP);
	int r;

	if (fd < 0)
		return -errno;
	copy_options(src, fd, info->family, d);
	r = pin_to_route(fd, info->family, peer, d, loopback_ok);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}
