/* publish_relay.c - -p/--publish in the network helper: the TCP splice relay,
 * its pool of sockets from the sandbox, and the UDP ports (publish_udp.c)
 *
 * (The specs and the host sockets are sbx's: publish_spec.c; the socket
 * factory runs inside the sandbox: netfactory.c.)
 *
 * A published TCP port does not go through libslirp's TCP stack. sbx binds
 * the host socket itself; the network helper accepts on it and, for each
 * connection, connects a socket that belongs to the sandbox's network
 * namespace to 127.0.0.1:SANDBOXPORT there (::1 when nothing listens on
 * 127.0.0.1), then moves the bytes between the two with splice() through a
 * pair of pipes (splice_relay.c, which the TCP bypass shares): no copy
 * through user space, no TCP re-segmentation. The
 * sandboxed server therefore sees its clients as 127.0.0.1 (or ::1).
 *
 * The helper cannot enter that namespace, so a small "socket factory"
 * process the child leaves inside it (no capabilities, seccomp-filtered)
 * creates the sockets and passes them out over a SOCK_SEQPACKET socket. The
 * helper keeps a few in stock, so a connection does not wait for a round
 * trip to the factory.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netfactory.h"
#include "publish_relay.h"
#include "splice_relay.h"
#include "sync.h"
#include "util.h"

#define POOL_LOW 4

struct publish_relay_conn {
	/* fd[0]: the host connection; fd[1]: the sandbox's socket, -1 while
	 * it waits for one from the factory */
	struct splice_relay io;
	uint16_t port;
	int family; /* of the sandbox's socket: AF_INET first, AF_INET6 as the fallback */
	bool connecting;
};

/* The pool's slots, one per kind of socket the factory makes. */
static const int pool_kinds[3] = { NETFACTORY_TCP4, NETFACTORY_TCP6, NETFACTORY_UDP4 };

static int pool_slot(int kind)
{
	return kind == NETFACTORY_TCP6 ? 1 : kind == NETFACTORY_UDP4 ? 2 : 0;
}

void publish_relay_init(struct publish_relay *r, const struct sbx_publish *specs, const int *fds,
			size_t n)
{
	memset(r, 0, sizeof(*r));
	r->factory_fd = -1;
	r->tcp_ports = xreallocarray(NULL, n ? n : 1, sizeof(*r->tcp_ports));
	r->listen_fds = xreallocarray(NULL, n ? n : 1, sizeof(int));
	r->udp = xreallocarray(NULL, n ? n : 1, sizeof(*r->udp));
	for (size_t i = 0; i < n; i++) {
		if (specs[i].udp) {
			publish_udp_init(&r->udp[r->n_udp++], fds[i], specs[i].sandbox_port);
		} else {
			r->tcp_ports[r->n_listen] = specs[i].sandbox_port;
			r->listen_fds[r->n_listen++] = fds[i];
		}
	}
	r->datagram = xreallocarray(NULL, 65536, 1);
	r->listen_idx = xreallocarray(NULL, n ? n : 1, sizeof(size_t));
	/* Six fds per connection (two sockets, two pipes); stay well inside
	 * the fd limit the helper raised for itself. */
	r->max_conns = 1024;
	r->conns = xreallocarray(NULL, r->max_conns, sizeof(*r->conns));
}

static void conn_free(struct publish_relay *r, size_t i, bool reset)
{
	struct publish_relay_conn *c = r->conns[i];

	/* On an error, the peer should see a reset rather than a clean end. */
	splice_relay_close(&r->pipes, &c->io, reset);
	free(c);
	r->conns[i] = r->conns[--r->n_conns];
}

static void request_sockets(struct publish_relay *r)
{
	if (r->factory_fd < 0)
		return;
	for (int f = 0; f < 3; f++) {
		/* Only the kinds this sandbox publishes. */
		if ((f == 2 && !r->n_udp) || (f < 2 && !r->n_listen))
			continue;
		if (r->n_pool[f] + r->requested[f] >= POOL_LOW)
			continue;
		while (r->n_pool[f] + r->requested[f] < ARRAY_SIZE(r->pool[f])) {
			if (sync_send_simple(r->factory_fd, SYNC_NET_SOCKET, pool_kinds[f]) < 0)
				return;
			r->requested[f]++;
		}
	}
}

static void receive_sockets(struct publish_relay *r)
{
	for (;;) {
		struct sync_msg m;
		int fd, f;

		if (sync_recv(r->factory_fd, &m, &fd, MSG_DONTWAIT) < 0)
			return;
		if (m.type != SYNC_NET_SOCKET) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		f = pool_slot(m.value);
		if (r->requested[f])
			r->requested[f]--;
		if (fd < 0)
			continue;
		if (r->n_pool[f] < ARRAY_SIZE(r->pool[f]))
			r->pool[f][r->n_pool[f]++] = fd;
		else
			close(fd);
	}
}

static int take_socket(struct publish_relay *r, int kind)
{
	int f = pool_slot(kind);

	if (r->n_pool[f] == 0)
		return -1;
	return r->pool[f][--r->n_pool[f]];
}

static int take_udp_socket(void *ctx)
{
	return take_socket(ctx, NETFACTORY_UDP4);
}

/* Start connecting @c to the sandbox's loopback. Return: false on failure. */
static bool conn_connect(struct publish_relay_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (c->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(c->port);
		sin6->sin6_addr = in6addr_loopback;
		sl = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(c->port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*sin);
	}
	if (connect(c->io.fd[1], (struct sockaddr *)&ss, sl) == 0) {
		c->connecting = false;
		return true;
	}
	c->connecting = errno == EINPROGRESS;
	return c->connecting;
}

/* Give waiting connections a socket; Return: false if @c must be dropped. */
static bool conn_attach(struct publish_relay *r, struct publish_relay_conn *c)
{
	if (c->io.fd[1] >= 0)
		return true;
	c->io.fd[1] = take_socket(r, c->family);
	if (c->io.fd[1] < 0)
		return true; /* it waits for the factory's next socket */
	if (conn_connect(c))
		return true;
	close(c->io.fd[1]);
	c->io.fd[1] = -1;
	/* Nothing on 127.0.0.1: try ::1 once. */
	if (c->family == AF_INET) {
		c->family = AF_INET6;
		return conn_attach(r, c);
	}
	return false;
}

static int conn_step(struct publish_relay *r, struct publish_relay_conn *c, short host_ev,
		     short sbx_ev);

/* A connect() to the sandbox's loopback is usually complete when it returns,
 * and the client's request often already waits: move it now rather than a
 * poll() round later (that round is most of a short connection's cost). */
static void step_at_once(struct publish_relay *r, size_t i)
{
	struct publish_relay_conn *c = r->conns[i];
	struct pollfd p = { .fd = c->io.fd[1], .events = POLLOUT };
	int s;

	if (c->io.fd[1] < 0 || poll(&p, 1, 0) != 1)
		return;
	s = conn_step(r, c, POLLIN, p.revents);
	if (s != 0)
		conn_free(r, i, s < 0);
}

static void accept_new(struct publish_relay *r, size_t l)
{
	for (int n = 0; n < 64 && r->n_conns < r->max_conns; n++) {
		struct publish_relay_conn *c;
		int fd = accept4(r->listen_fds[l], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		c = xreallocarray(NULL, 1, sizeof(*c));
		*c = (struct publish_relay_conn){ .port = r->tcp_ports[l], .family = AF_INET };
		splice_relay_init(&c->io, fd, -1);
		r->conns[r->n_conns++] = c;
		if (!conn_attach(r, c))
			conn_free(r, r->n_conns - 1, true);
		else
			step_at_once(r, r->n_conns - 1);
	}
}

/* Return: 1 when the connection is over, -1 on an error (reset), else 0. */
static int conn_step(struct publish_relay *r, struct publish_relay_conn *c, short host_ev,
		     short sbx_ev)
{
	if (c->io.fd[1] < 0)
		return conn_attach(r, c) ? 0 : -1;
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(sbx_ev & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		getsockopt(c->io.fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			close(c->io.fd[1]);
			c->io.fd[1] = -1;
			if (err != ECONNREFUSED || c->family == AF_INET6)
				return -1;
			c->family = AF_INET6;
			return conn_attach(r, c) ? 0 : -1;
		}
		c->connecting = false;
		host_ev |= POLLIN; /* the client's first bytes may be waiting */
	}
	return splice_relay_step(&r->pipes, &c->io, host_ev, sbx_ev);
}

void publish_relay_fill(struct publish_relay *r, struct pollset *ps, int *timeout_ms)
{
	bool room = r->n_conns < r->max_conns;
	int64_t now = r->n_udp ? monotonic_ms() : 0;

	for (size_t u = 0; u < r->n_udp; u++)
		publish_udp_fill(&r->udp[u], ps, now, timeout_ms);
	for (size_t l = 0; l < r->n_listen; l++)
		r->listen_idx[l] = room ? pollset_add(ps, r->listen_fds[l], POLLIN) : SIZE_MAX;
	r->factory_idx = r->factory_fd >= 0 ? pollset_add(ps, r->factory_fd, POLLIN) : SIZE_MAX;
	for (size_t i = 0; i < r->n_conns; i++) {
		struct publish_relay_conn *c = r->conns[i];

		c->io.idx[0] = c->io.idx[1] = SIZE_MAX;
		if (c->io.fd[1] < 0)
			continue;
		if (c->connecting)
			c->io.idx[1] = pollset_add(ps, c->io.fd[1], POLLOUT);
		else
			splice_relay_fill(&c->io, ps);
	}
}

void publish_relay_handle(struct publish_relay *r, const struct pollset *ps)
{
	short fev = pollset_revents(ps, r->factory_idx);

	if (fev & POLLIN)
		receive_sockets(r);
	if (fev & (POLLHUP | POLLERR)) {
		/* The sandbox is gone; its sockets with it. */
		close(r->factory_fd);
		r->factory_fd = -1;
	}
	for (size_t i = r->n_conns; i-- > 0;) {
		struct publish_relay_conn *c = r->conns[i];
		int s = conn_step(r, c, pollset_revents(ps, c->io.idx[0]),
				  pollset_revents(ps, c->io.idx[1]));
		if (s != 0)
			conn_free(r, i, s < 0);
	}
	for (size_t l = 0; l < r->n_listen; l++)
		if (pollset_revents(ps, r->listen_idx[l]) & POLLIN)
			accept_new(r, l);
	if (r->n_udp) {
		int64_t now = monotonic_ms();
		for (size_t u = 0; u < r->n_udp; u++)
			publish_udp_handle(&r->udp[u], ps, now, take_udp_socket, r, r->datagram,
					   65536);
	}
	request_sockets(r);
}
