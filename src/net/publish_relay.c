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
 * pair of pipes: no copy through user space, no TCP re-segmentation. The
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

#include "bypass_policy.h"
#include "netfactory.h"
#include "publish_relay.h"
#include "sync.h"
#include "util.h"

#define POOL_LOW 4
#define RELAY_PIPE_SIZE (1 << 20)
#define MAX_SPARE_PIPES 32
#define SPLICE_ROUNDS 16
/* How long a connection that may be handed over waits for the server's
 * accept() before it is relayed after all (a server sbx does not see
 * accepting: io_uring, a 32-bit one). */
#define HANDOVER_HOLD_MS 200

struct publish_relay_pipe {
	int fd[2];
	size_t cap;
};

/* One direction of a connection: bytes from one socket to the other. */
struct relay_dir {
	struct publish_relay_pipe *pipe;
	size_t queued; /* bytes sitting in the pipe */
	bool eof;      /* the source said EOF */
	bool shut;     /* ...and we passed it on with shutdown(SHUT_WR) */
};

struct publish_relay_conn {
	int host_fd;
	int sbx_fd; /* -1 while waiting for a socket from the factory */
	uint16_t port;
	int family; /* of sbx_fd: AF_INET first, AF_INET6 as the fallback */
	bool connecting;
	uint16_t inside_port; /* sbx_fd's own port: how sbx names it in a handover */
	int64_t hold_until;   /* for a handover: bytes wait until then (0: none) */
	struct relay_dir dir[2]; /* [0] host -> sandbox, [1] sandbox -> host */
	size_t host_idx, sbx_idx;
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
	r->spare_pipes = xreallocarray(NULL, MAX_SPARE_PIPES, sizeof(*r->spare_pipes));
}

static struct publish_relay_pipe *pipe_get(struct publish_relay *r)
{
	struct publish_relay_pipe *p;

	if (r->n_spare_pipes)
		return r->spare_pipes[--r->n_spare_pipes];
	p = xreallocarray(NULL, 1, sizeof(*p));
	if (pipe2(p->fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(p);
		return NULL;
	}
	/* A bigger pipe means fewer round trips through poll() per megabyte;
	 * the default 64 KiB is what we get when the limit says no. */
	fcntl(p->fd[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	int sz = fcntl(p->fd[1], F_GETPIPE_SZ);
	p->cap = sz > 0 ? (size_t)sz : 65536;
	return p;
}

/* An empty pipe can serve the next connection; one with bytes in it cannot. */
static void pipe_put(struct publish_relay *r, struct publish_relay_pipe *p, bool empty)
{
	if (!p)
		return;
	if (empty && r->n_spare_pipes < MAX_SPARE_PIPES) {
		r->spare_pipes[r->n_spare_pipes++] = p;
		return;
	}
	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

static void conn_free(struct publish_relay *r, size_t i, bool reset)
{
	struct publish_relay_conn *c = r->conns[i];
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	/* On an error, the peer should see a reset rather than a clean end. */
	if (reset) {
		setsockopt(c->host_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (c->sbx_fd >= 0)
			setsockopt(c->sbx_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->host_fd);
	if (c->sbx_fd >= 0)
		close(c->sbx_fd);
	for (int d = 0; d < 2; d++)
		pipe_put(r, c->dir[d].pipe, c->dir[d].queued == 0);
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
	if (connect(c->sbx_fd, (struct sockaddr *)&ss, sl) == 0) {
		c->connecting = false;
	} else {
		c->connecting = errno == EINPROGRESS;
		if (!c->connecting)
			return false;
	}
	sl = sizeof(ss);
	if (getsockname(c->sbx_fd, (struct sockaddr *)&ss, &sl) == 0)
		c->inside_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	return true;
}

/* Give waiting connections a socket; Return: false if @c must be dropped. */
static bool conn_attach(struct publish_relay *r, struct publish_relay_conn *c)
{
	if (c->sbx_fd >= 0)
		return true;
	c->sbx_fd = take_socket(r, c->family);
	if (c->sbx_fd < 0)
		return true; /* it waits for the factory's next socket */
	if (conn_connect(c))
		return true;
	close(c->sbx_fd);
	c->sbx_fd = -1;
	/* Nothing on 127.0.0.1: try ::1 once. */
	if (c->family == AF_INET) {
		c->family = AF_INET6;
		return conn_attach(r, c);
	}
	return false;
}

static int conn_step(struct publish_relay *r, struct publish_relay_conn *c, short host_ev,
		     short sbx_ev);

/* Whether sbx may give the server this host connection itself (see
 * publish_relay_handover()): it must not be able to reach more than the sandbox may,
 * should the server disconnect it and connect it elsewhere. Pinned to the
 * interface it came in on, one that arrived on the host's loopback could
 * then reach the host's loopback services: only with --allow-host-loopback. */
static bool may_hand_over(const struct publish_relay *r, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!r->handover || getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return false;
	return r->host_loopback_ok || !bypass_sockaddr_is_loopback(&ss, NULL);
}

/* A connect() to the sandbox's loopback is usually complete when it returns,
 * and the client's request often already waits: move it now rather than a
 * poll() round later (that round is most of a short connection's cost). */
static void step_at_once(struct publish_relay *r, size_t i)
{
	struct publish_relay_conn *c = r->conns[i];
	struct pollfd p = { .fd = c->sbx_fd, .events = POLLOUT };
	int s;

	if (c->sbx_fd < 0 || poll(&p, 1, 0) != 1)
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
		*c = (struct publish_relay_conn){
			.host_fd = fd,
			.sbx_fd = -1,
			.port = r->tcp_ports[l],
			.family = AF_INET,
			.host_idx = SIZE_MAX,
			.sbx_idx = SIZE_MAX,
			.hold_until = may_hand_over(r, fd) ? monotonic_ms() + HANDOVER_HOLD_MS : 0,
		};
		r->conns[r->n_conns++] = c;
		if (!conn_attach(r, c))
			conn_free(r, r->n_conns - 1, true);
		else
			step_at_once(r, r->n_conns - 1);
	}
}

/* Move what can be moved in one direction. Return: -1 on a hard error. */
static int pump(struct publish_relay *r, struct relay_dir *d, int from, int to)
{
	for (int round = 0; round < SPLICE_ROUNDS; round++) {
		bool moved = false;
		ssize_t n;

		if (!d->pipe && !(d->pipe = pipe_get(r)))
			return -1;
		if (!d->eof && d->queued < d->pipe->cap) {
			n = splice(from, NULL, d->pipe->fd[1], NULL, d->pipe->cap - d->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->queued += (size_t)n;
				moved = true;
			} else if (n == 0) {
				d->eof = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				return -1;
			}
		}
		if (d->queued) {
			n = splice(d->pipe->fd[0], NULL, to, NULL, d->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->queued -= (size_t)n;
				moved = true;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				return -1;
			}
		}
		if (!moved)
			break;
	}
	if (d->eof && !d->queued && !d->shut) {
		shutdown(to, SHUT_WR);
		d->shut = true;
	}
	return 0;
}

/* Return: 1 when the connection is over, -1 on an error (reset), else 0. */
static int conn_step(struct publish_relay *r, struct publish_relay_conn *c, short host_ev,
		     short sbx_ev)
{
	if (c->sbx_fd < 0)
		return conn_attach(r, c) ? 0 : -1;
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(sbx_ev & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		getsockopt(c->sbx_fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			close(c->sbx_fd);
			c->sbx_fd = -1;
			if (err != ECONNREFUSED || c->family == AF_INET6)
				return -1;
			c->family = AF_INET6;
			return conn_attach(r, c) ? 0 : -1;
		}
		c->connecting = false;
	}
	if (c->hold_until) {
		if (monotonic_ms() < c->hold_until)
			return 0;
		c->hold_until = 0; /* nobody took it: relay it after all */
		host_ev = POLLIN;
	}
	if (!host_ev && !sbx_ev)
		return 0;
	if (pump(r, &c->dir[0], c->host_fd, c->sbx_fd) < 0 ||
	    pump(r, &c->dir[1], c->sbx_fd, c->host_fd) < 0)
		return -1;
	return c->dir[0].shut && c->dir[1].shut ? 1 : 0;
}

static short dir_events(const struct relay_dir *in, const struct relay_dir *out)
{
	short ev = 0;

	if (!in->eof && (!in->pipe || in->queued < in->pipe->cap))
		ev |= POLLIN;
	if (out->queued)
		ev |= POLLOUT;
	return ev;
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

		c->host_idx = c->sbx_idx = SIZE_MAX;
		if (c->sbx_fd < 0)
			continue;
		if (c->connecting) {
			c->sbx_idx = pollset_add(ps, c->sbx_fd, POLLOUT);
			continue;
		}
		if (c->hold_until) {
			int64_t left = c->hold_until - monotonic_ms();
			int wait = left > 0 ? (int)left : 0;

			if (*timeout_ms < 0 || wait < *timeout_ms)
				*timeout_ms = wait;
			continue;
		}
		c->host_idx = pollset_add(ps, c->host_fd, dir_events(&c->dir[0], &c->dir[1]));
		c->sbx_idx = pollset_add(ps, c->sbx_fd, dir_events(&c->dir[1], &c->dir[0]));
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
		int s = conn_step(r, c, pollset_revents(ps, c->host_idx),
				  pollset_revents(ps, c->sbx_idx));
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

int publish_relay_handover(struct publish_relay *r, uint16_t inside_port)
{
	for (size_t i = 0; i < r->n_conns; i++) {
		struct publish_relay_conn *c = r->conns[i];
		int fd;

		if (!c->hold_until || c->sbx_fd < 0 || c->inside_port != inside_port)
			continue;
		fd = c->host_fd;
		c->host_fd = -1;
		close(c->sbx_fd);
		c->sbx_fd = -1;
		for (int d = 0; d < 2; d++)
			pipe_put(r, c->dir[d].pipe, c->dir[d].queued == 0);
		free(c);
		r->conns[i] = r->conns[--r->n_conns];
		return fd;
	}
	return -1;
}
