/* bypass_link.c - the TCP bypass's relay: the program's own socket, connected
 *		   to a listener in the sandbox, spliced to the host socket
 *
 * The program never holds a host socket (one in its hands could be
 * disconnected and connected again by calls the worker never sees: an odd
 * address length, io_uring, a 32-bit socketcall, a dup2() race; and it would
 * reach whatever its interface reaches, the host's own addresses included).
 * Instead the worker connects the program's own socket, which lives in the
 * sandbox's network namespace, to a relay listener that the command made on
 * the sandbox's loopback before it ran (127.0.0.1 and ::1, port chosen by the
 * kernel; bypass_filter.c), accepts that connection, and splices its bytes
 * to and from the host socket it connected for the program (splice_relay.c).
 * Whatever the program does with its socket afterwards, it acts in the
 * sandbox's namespace, where slirp and its filters stand.
 *
 * The worker itself makes the loopback connection, with its own copy of the
 * address: nothing the program changes meanwhile matters. It recognises the
 * accepted connection by the program socket's own address (the relay
 * listener sees it as the peer); any other connection to the listener (the
 * program found it and connected itself) is closed unanswered.
 *
 * Costs: every byte crosses the sandbox's loopback and two splice() pairs;
 * six descriptors per connection (two sockets, two pipes), counted against
 * the worker's descriptor limit, which it raises to the hard limit at start:
 * when there is no room, the connect() goes through slirp.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bypass_guard.h"
#include "bypass_int.h"
#include "splice_relay.h"
#include "util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Descriptors kept aside for the loop itself (the listener, pidfds, probes). */
#define LINK_FD_RESERVE 64
/* A connection's descriptors: two sockets, two pipes. */
#define LINK_FDS 6
/* How long the relay's accept may take: on loopback it is there at once,
 * unless the program fills the listener's queue (a SYN is then retried
 * after a second). */
#define LINK_ACCEPT_MS 5000

/* A relayed connection: its host socket (io.fd[0]) and, once accepted, the
 * relay's end of the program's socket (io.fd[1]). */
struct bypass_link {
	struct splice_relay io;
	struct sockaddr_storage inside; /* the program's socket: the peer we accept */
	int sock;	/* our duplicate of it, until then */
	struct sockaddr_storage to; /* the listener, as it connected to it */
	socklen_t to_len;
	uint64_t id;	/* the connect() to answer once accepted; 0: answered */
	int answer;	/* ...with this: 0, or -EINPROGRESS (the host connect goes on) */
	bool host_connecting;
	int64_t accept_by;
};

void bypass_link_init(struct bypass_engine *b)
{
	struct rlimit rl;

	b->relay_fd[0] = b->relay_fd[1] = -1;
	b->max_links = 256;
	bypass_guard_init();
	/* The soft limit is often 1024 while the hard one is far higher. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur > LINK_FD_RESERVE + 2 * BYPASS_MAX_WAITS + LINK_FDS)
			b->max_links = MIN((rl.rlim_cur - LINK_FD_RESERVE - 2 * BYPASS_MAX_WAITS) /
						   LINK_FDS,
					   65536);
		else
			b->max_links = 0;
	}
}

void bypass_link_take_listener(struct bypass_engine *b, int family, int fd)
{
	int i = family == AF_INET6;
	uint64_t cookie = 0;
	socklen_t len;

	if (b->relay_fd[i] >= 0 || (family != AF_INET && family != AF_INET6)) {
		close(fd);
		return;
	}
	b->relay_addr_len[i] = sizeof(b->relay_addr[i]);
	len = sizeof(cookie);
	if (getsockname(fd, (struct sockaddr *)&b->relay_addr[i], &b->relay_addr_len[i]) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0 ||
	    (b->sandbox_netns && cookie != b->sandbox_netns)) {
		close(fd);
		return;
	}
	b->sandbox_netns = cookie;
	b->relay_fd[i] = fd;
}

/* Which listener a socket of @family can reach: ::1 for IPv6 (also
 * IPv6-only sockets), else 127.0.0.1, as ::ffff:127.0.0.1 for an IPv6
 * socket that takes IPv4. -1: none. */
static int listener_for(const struct bypass_engine *b, int family, bool v6only)
{
	if (family == AF_INET6 && b->relay_fd[1] >= 0)
		return 1;
	if (family == AF_INET || !v6only)
		return b->relay_fd[0] >= 0 ? 0 : -1;
	return -1;
}

/* A socket of another namespace (a nested sandbox's, say: bwrap
 * --unshare-net under --allow-userns) has no slirp behind it, and the relay
 * listener is not in its reach: the kernel, in that namespace, decides. */
bool bypass_link_room(const struct bypass_engine *b, const struct bypass_sock *info)
{
	return b->n_links + b->n_pending < b->max_links &&
	       info->netns_cookie == b->sandbox_netns &&
	       listener_for(b, info->family, info->v6only) >= 0;
}

/* @ss with an IPv4-mapped IPv6 address as plain IPv4 (what a listener on
 * 127.0.0.1 sees of an IPv6 socket). */
static void normalise(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in in = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	in.sin_port = in6->sin6_port;
	memcpy(&in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &in, sizeof(in));
}

static bool same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && IN6_ARE_ADDR_EQUAL(&x->sin6_addr, &y->sin6_addr);
}

/* The address of listener @i, as the program's socket (@family) names it. */
static socklen_t listener_addr(const struct bypass_engine *b, int i, int family,
			       struct sockaddr_storage *ss)
{
	struct sockaddr_in in;

	memcpy(ss, &b->relay_addr[i], sizeof(*ss));
	if (i == 0 && family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		memcpy(&in, ss, sizeof(in));
		memset(ss, 0, sizeof(*ss));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = in.sin_port;
		in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&in6->sin6_addr.s6_addr[12], &in.sin_addr, 4);
		return sizeof(*in6);
	}
	return b->relay_addr_len[i];
}

/* connect() on @sock, the worker's duplicate of a program's socket, without
 * blocking: the program's open file is made non-blocking for the one call
 * (its thread waits for our answer; another could notice the flag for that
 * moment, no more). Another thread may clear the flag again before our
 * connect(): the guard's timer ends the wait then (EINTR). Return: 0 or -errno. */
static int connect_nonblocking(int sock, const struct sockaddr *to, socklen_t len)
{
	int fl = fcntl(sock, F_GETFL), err = 0;

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(sock, F_SETFL, fl | O_NONBLOCK);
	bypass_guard_arm();
	if (connect(sock, to, len) < 0)
		err = -errno;
	bypass_guard_disarm();
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(sock, F_SETFL, fl);
	return err;
}

/* Connect @sock (the worker's duplicate of the program's socket) to relay
 * listener @i. Return: 0 or -errno. */
static int connect_inside(const struct bypass_engine *b, int i, const struct bypass_sock *info,
			  int sock, struct bypass_link *l)
{
	struct sockaddr_storage *to = &l->to, *ret_inside = &l->inside;
	socklen_t len = listener_addr(b, i, info->family, to);
	int err;

	if (!len)
		return -EADDRNOTAVAIL;
	l->to_len = len;
	err = connect_nonblocking(sock, (struct sockaddr *)to, len);
	if (err < 0 && err != -EINPROGRESS)
		return err;
	len = sizeof(*ret_inside);
	if (getsockname(sock, (struct sockaddr *)ret_inside, &len) < 0)
		return -errno;
	normalise(ret_inside);
	return 0;
}

static void link_free(struct bypass_engine *b, size_t i, bool reset)
{
	struct bypass_link *l = b->links[i];

	if (l->id)
		bypass_reply(b, l->id, -ECONNABORTED, false);
	bypass_guard_close(l->sock);
	splice_relay_close(&b->pipes, &l->io, reset);
	free(l);
	b->links[i] = b->links[--b->n_links];
}

/* Accepted connection @fd came from @peer: the link waiting for it gets it,
 * and its connect() its answer. Return: false when nobody waits for it. */
static bool match(struct bypass_engine *b, int fd, const struct sockaddr_storage *peer)
{
	int one = 1;

	for (size_t i = 0; i < b->n_links; i++) {
		struct bypass_link *l = b->links[i];

		if (l->io.fd[1] >= 0 || !same_peer(&l->inside, peer))
			continue;
		l->io.fd[1] = fd;
		/* Loopback: small writes to the program need not wait. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/* Our non-blocking connect() left the socket "connecting" for
		 * the kernel's books; a blocking one would have left it
		 * connected, so that a second connect() says EISCONN. Asking
		 * again, now that it is established, settles that. (Not
		 * blocking either: another thread of the program may have
		 * connected the socket elsewhere meanwhile.) */
		if (l->answer == 0)
			connect_nonblocking(l->sock, (struct sockaddr *)&l->to, l->to_len);
		bypass_guard_close(l->sock);
		l->sock = -1;
		bypass_reply(b, l->id, l->answer, false);
		l->id = 0;
		b->stats->n_host++;
		return true;
	}
	return false;
}

/* Accept what listener @i has queued, until @want (when not NULL) has its
 * connection. */
static void accept_all(struct bypass_engine *b, int i, const struct bypass_link *want)
{
	for (int n = 0; n < 64 && !(want && want->io.fd[1] >= 0); n++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(b->relay_fd[i], (struct sockaddr *)&peer, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		normalise(&peer);
		if (!match(b, fd, &peer))
			close(fd); /* the program connected to the listener itself */
	}
}

int bypass_link_start(struct bypass_engine *b, uint64_t id, int sock,
		      const struct bypass_sock *info, int host_fd, bool host_connecting)
{
	struct bypass_link *l;
	int i = listener_for(b, info->family, info->v6only), r;

	if (i < 0 || b->n_links >= b->max_links)
		return -EMFILE;
	l = xreallocarray(NULL, 1, sizeof(*l));
	*l = (struct bypass_link){
		.id = id,
		.answer = host_connecting ? -EINPROGRESS : 0,
		.host_connecting = host_connecting,
		.sock = -1,
		.accept_by = monotonic_ms() + LINK_ACCEPT_MS,
	};
	r = connect_inside(b, i, info, sock, l);
	if (r < 0) {
		free(l);
		return r;
	}
	l->sock = sock;
	if (b->n_links == b->cap_links) {
		b->cap_links = b->cap_links ? 2 * b->cap_links : 16;
		b->links = xreallocarray(b->links, b->cap_links, sizeof(*b->links));
	}
	splice_relay_init(&l->io, host_fd, -1);
	b->links[b->n_links++] = l;
	/* On loopback the connection is usually queued already. */
	accept_all(b, i, l);
	return 0;
}

void bypass_link_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms)
{
	int64_t now = 0;

	for (int i = 0; i < 2; i++)
		b->relay_idx[i] = pollset_add(ps, b->relay_fd[i], POLLIN);
	for (size_t i = 0; i < b->n_links; i++) {
		struct bypass_link *l = b->links[i];

		l->io.idx[0] = l->io.idx[1] = SIZE_MAX;
		if (l->io.fd[1] < 0) {
			/* Its accept comes on the listener, or it is given up. */
			int64_t wait;

			now = now ? now : monotonic_ms();
			wait = MAX(l->accept_by - now, 0);
			if (*timeout_ms < 0 || wait < *timeout_ms)
				*timeout_ms = (int)wait;
			continue;
		}
		if (l->host_connecting)
			l->io.idx[0] = pollset_add(ps, l->io.fd[0], POLLOUT);
		else
			splice_relay_fill(&l->io, ps);
	}
}

/* Return: as splice_relay_step(). */
static int link_step(struct bypass_engine *b, struct bypass_link *l, const struct pollset *ps)
{
	short ev0 = pollset_revents(ps, l->io.idx[0]);

	if (l->io.fd[1] < 0)
		return monotonic_ms() >= l->accept_by ? -1 : 0; /* connect() fails: ECONNABORTED */
	if (l->host_connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!ev0)
			return 0;
		/* A connect() that was answered "in progress" and then failed:
		 * the program learns it from a reset. */
		if (getsockopt(l->io.fd[0], SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err)
			return -1;
		l->host_connecting = false;
		/* The program may have written already. */
		return splice_relay_step(&b->pipes, &l->io, POLLOUT, POLLIN);
	}
	return splice_relay_step_polled(&b->pipes, &l->io, ps);
}

void bypass_link_handle(struct bypass_engine *b, const struct pollset *ps)
{
	for (size_t i = b->n_links; i-- > 0;) {
		int s = link_step(b, b->links[i], ps);

		if (s != 0)
			link_free(b, i, s < 0);
	}
	for (int i = 0; i < 2; i++) {
		short ev = pollset_revents(ps, b->relay_idx[i]);

		if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
			/* Destroyed from inside (ss -K, by a program with
			 * CAP_NET_ADMIN in the sandbox): it would wake every
			 * poll() at once (and accept() fail). Without it,
			 * connections go through slirp; the links still
			 * waiting give up. */
			close(b->relay_fd[i]);
			b->relay_fd[i] = -1;
		} else if (ev & POLLIN) {
			accept_all(b, i, NULL);
		}
	}
}

void bypass_link_free(struct bypass_engine *b)
{
	while (b->n_links)
		link_free(b, 0, true);
	free(b->links);
	b->links = NULL;
	b->cap_links = 0;
	splice_relay_pool_free(&b->pipes);
	for (int i = 0; i < 2; i++) {
		if (b->relay_fd[i] >= 0)
			close(b->relay_fd[i]);
		b->relay_fd[i] = -1;
	}
}
