/* bypass_accept.c - the TCP bypass's accept() side: published connections
 *		     handed to the server as host sockets
 *
 * A published TCP port is relayed (publish.c): the network helper accepts
 * the host connection and connects a socket of the sandbox's namespace to the
 * server, and every byte then crosses a second TCP connection and the relay.
 * When the server's accept() comes through the bypass worker, it can do
 * better: it takes the accepted inside connection, recognises the relay's end
 * of it by its port, asks the network helper for the host connection, and
 * gives the server that
 * (SECCOMP_IOCTL_NOTIF_ADDFD with SEND: the new fd is accept()'s result),
 * while the relay, which held that connection's bytes back for the moment,
 * lets go of it. The server then talks to the host client directly.
 *
 * The host socket in the server's hands could be disconnected
 * (connect(AF_UNSPEC)) and connected elsewhere, by calls the worker cannot all
 * see. It keeps the published port (bound explicitly, so the kernel keeps it),
 * and the worker binds it to the interface the connection came in on
 * (SO_BINDTOIFINDEX, which an unprivileged process cannot undo). So one that
 * came from the network can only reach the network, which the sandbox reaches
 * anyway; the relay only offers one that came in on the host's loopback with
 * --allow-host-loopback (see may_hand_over() in publish.c).
 *
 * Anything else (another listening socket, an inside client, a connection the
 * relay is already carrying) gets the accepted inside connection, exactly as
 * the kernel would have given it.
 *
 * The question to the helper never blocks the worker: the accept() waits
 * (state "asked") until the helper's answer, which comes at once, or
 * BYPASS_HANDOVER_WAIT_MS, after which the relay carries the connection and
 * the server gets the inside one.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#include "bypass.h"
#include "bypass_int.h"
#include "sync.h"
#include "util.h"

/* An accept() on a published port that waits: for a connection (conn < 0),
 * or for the helper's answer about the one it took (conn >= 0). */
struct bypass_accept_wait {
	struct bypass_call call;
	int sock; /* our duplicate of the listening socket */
	int conn; /* the accepted inside connection, once there is one */
	uint16_t asked_port; /* its port, as the helper was asked about it */
	int64_t deadline_ms; /* for the answer */
	size_t poll_idx;
};

/* A TCP listener of the sandbox's own on a published port (few calls: each
 * accept() in the sandbox pays for them). */
static bool is_published_listener(const struct bypass_engine *b, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	uint64_t cookie = 0;
	int listening = 0, proto = 0;
	uint16_t port;

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
		return false;
	len = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0 || proto != IPPROTO_TCP)
		return false;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return false;
	len = sizeof(cookie);
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0 ||
	    cookie == b->defaults.host_netns_cookie)
		return false;
	port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
	for (size_t i = 0; i < b->n_published; i++)
		if (b->published[i] == port)
			return true;
	return false;
}

/* The port by which the helper knows inside connection @conn: the relay's
 * end is on the sandbox's loopback. 0: not a relay connection. */
static uint16_t relay_port_of(int conn)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	uint16_t port = 0;

	if (getpeername(conn, (struct sockaddr *)&peer, &len) < 0 ||
	    !bypass_sockaddr_is_loopback(&peer, &port))
		return 0;
	return port;
}

/* Pin the relay's host socket @host to the interface it came in on.
 * Return: @host, or -1 (closed) when it cannot be pinned. */
static int pin_host_connection(struct bypass_engine *b, int host)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	int index = 0;

	if (getsockname(host, (struct sockaddr *)&local, &len) == 0)
		index = bypass_sockaddr_is_loopback(&local, NULL) ? b->defaults.lo_index
								 : bypass_interface_of(&local);
	/* An address that lives on lo (an anycast address, say) would pin it
	 * to lo, from where it could reach the host's loopback services. */
	if (index <= 0 || (index == b->defaults.lo_index && !b->policy.host_loopback) ||
	    setsockopt(host, SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof(index)) < 0) {
		/* Unpinned it must not go in; the relay has let go of it. */
		close(host);
		return -1;
	}
	return host;
}

/* accept()'s address result, as the kernel fills it: truncated to the
 * caller's *addrlen, which then says the full length. */
static int write_peer(const struct bypass_accept_wait *w, int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	uint32_t room;
	struct iovec local, remote;

	if (!w->call.addr)
		return 0;
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		return -errno;
	local = (struct iovec){ .iov_base = &room, .iov_len = sizeof(room) };
	remote = (struct iovec){ .iov_base = (void *)(uintptr_t)w->call.len, .iov_len = sizeof(room) };
	if (!w->call.len || process_vm_readv(w->call.pid, &local, 1, &remote, 1, 0) != sizeof(room))
		return -EFAULT;
	local = (struct iovec){ .iov_base = &peer, .iov_len = MIN((size_t)room, (size_t)len) };
	remote = (struct iovec){ .iov_base = (void *)(uintptr_t)w->call.addr, .iov_len = local.iov_len };
	if (local.iov_len &&
	    process_vm_writev(w->call.pid, &local, 1, &remote, 1, 0) != (ssize_t)local.iov_len)
		return -EFAULT;
	room = len;
	local = (struct iovec){ .iov_base = &room, .iov_len = sizeof(room) };
	remote = (struct iovec){ .iov_base = (void *)(uintptr_t)w->call.len, .iov_len = sizeof(room) };
	if (process_vm_writev(w->call.pid, &local, 1, &remote, 1, 0) != sizeof(room))
		return -EFAULT;
	return 0;
}

/* Give accept() its connection: @host (the relay's host socket) when the
 * helper handed it over, else @conn. Closes both. */
static void deliver(struct bypass_engine *b, const struct bypass_accept_wait *w, int conn, int host)
{
	struct seccomp_notif_addfd addfd = { .id = w->call.id, .flags = SECCOMP_ADDFD_FLAG_SEND };
	int give = conn, r;

	if (host >= 0)
		host = pin_host_connection(b, host);
	if (host >= 0) {
		close(conn);
		give = host;
		b->stats->n_handed++;
	}
	if (!(w->call.flags & SOCK_NONBLOCK))
		fcntl(give, F_SETFL, fcntl(give, F_GETFL) & ~O_NONBLOCK);
	/* write_peer() names the caller by pid, and the answer may come up to
	 * BYPASS_HANDOVER_WAIT_MS after the last look: a call given up on (a
	 * signal, the thread gone) must not have its memory written, nor a
	 * process that got its pid since (pid_max may be 32768). */
	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &w->call.id) < 0) {
		close(give);
		return;
	}
	r = write_peer(w, give);
	if (r < 0) {
		bypass_reply(b, w->call.id, r, false);
		close(give);
		return;
	}
	addfd.srcfd = (uint32_t)give;
	addfd.newfd_flags = (w->call.flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	/* With SEND the ioctl also answers: accept() returns the new fd. If it
	 * cannot (EMFILE...), answer with the error, or the call would hang. */
	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 && errno != ENOENT)
		bypass_reply(b, w->call.id, -errno, false);
	close(give);
}

/* A connection @conn for @w: ask the helper for its host side if the relay
 * carries it. Return: true when @w was answered, false when it now waits
 * for the answer (owning @conn). */
static bool got_connection(struct bypass_engine *b, struct bypass_accept_wait *w, int conn,
			   bool may_wait)
{
	struct sync_msg m = { .type = SYNC_NET_HANDOVER };
	uint16_t port = b->helper_fd >= 0 && may_wait ? relay_port_of(conn) : 0;

	if (port) {
		m.value = port;
		/* helper_fd is non-blocking: a helper that does not read costs
		 * the handover only. */
		if (sync_send(b->helper_fd, &m, -1) == 0) {
			w->conn = conn;
			w->asked_port = port;
			w->deadline_ms = monotonic_ms() + BYPASS_HANDOVER_WAIT_MS;
			return false;
		}
	}
	deliver(b, w, conn, -1);
	return true;
}

/* Return: true when @w was answered, false when it must wait for a connection. */
static bool try_accept(struct bypass_engine *b, struct bypass_accept_wait *w, bool nonblock,
		       bool may_wait)
{
	struct pollfd p = { .fd = w->sock, .events = POLLIN };
	int fl, conn, err;

	/* Nothing queued: don't even try (see below for why not). */
	if (poll(&p, 1, 0) == 0) {
		if (!nonblock)
			return false;
		bypass_reply(b, w->call.id, -EAGAIN, false);
		return true;
	}
	fl = fcntl(w->sock, F_GETFL);
	/* Our duplicate shares the server's open file: a blocking listener
	 * would block the worker. Non-blocking for the one call; the server cannot
	 * notice, since every native accept() on this socket waits for us.
	 * (Only a thread that clears O_NONBLOCK in between while a 32-bit one
	 * takes the queued connection could still make this call wait, for
	 * the next connection: the program can stall its own worker, no more.) */
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(w->sock, F_SETFL, fl | O_NONBLOCK);
	conn = accept4(w->sock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	err = errno;
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(w->sock, F_SETFL, fl);
	errno = err;

	if (conn >= 0)
		return got_connection(b, w, conn, may_wait);
	if ((errno == EAGAIN || errno == EWOULDBLOCK) && !nonblock)
		return false;
	bypass_reply(b, w->call.id, -errno, false);
	return true;
}

static void add_wait(struct bypass_engine *b, const struct bypass_accept_wait *w)
{
	if (b->n_waits == b->cap_waits) {
		b->cap_waits = b->cap_waits ? 2 * b->cap_waits : 8;
		b->waits = xreallocarray(b->waits, b->cap_waits, sizeof(*b->waits));
	}
	b->waits[b->n_waits++] = *w;
}

void bypass_accept_request(struct bypass_engine *b, const struct bypass_call *call)
{
	struct bypass_accept_wait w = { .call = *call, .sock = -1, .conn = -1 };
	bool full = b->n_waits >= BYPASS_MAX_WAITS;
	int pidfd = -1, fl;

	pidfd = bypass_pidfd(call->pid);
	if (pidfd < 0 || ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &call->id) < 0)
		goto pass;
	w.sock = (int)syscall(SYS_pidfd_getfd, pidfd, call->fd, 0);
	close(TAKE_FD(pidfd));
	if (w.sock < 0 || !is_published_listener(b, w.sock))
		goto pass;
	fl = fcntl(w.sock, F_GETFL);
	if (try_accept(b, &w, (fl >= 0 && (fl & O_NONBLOCK)) || full, !full)) {
		close(w.sock);
		return;
	}
	add_wait(b, &w);
	return;
pass:
	if (pidfd >= 0)
		close(pidfd);
	if (w.sock >= 0)
		close(w.sock);
	bypass_reply(b, call->id, 0, true);
}

void bypass_accept_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms)
{
	int64_t now = b->n_waits ? monotonic_ms() : 0;

	b->helper_idx = pollset_add(ps, b->helper_fd, POLLIN);
	for (size_t i = 0; i < b->n_waits; i++) {
		struct bypass_accept_wait *w = &b->waits[i];
		/* A signal can cancel a waiting call without telling us: look each second. */
		int64_t wait = 1000;

		w->poll_idx = pollset_add(ps, w->conn < 0 ? w->sock : -1, POLLIN);
		if (w->conn >= 0)
			wait = MIN(wait, MAX(w->deadline_ms - now, 0));
		if (*timeout_ms < 0 || wait < *timeout_ms)
			*timeout_ms = (int)wait;
	}
}

static void drop_wait(struct bypass_engine *b, size_t i)
{
	close(b->waits[i].sock);
	if (b->waits[i].conn >= 0)
		close(b->waits[i].conn);
	b->waits[i] = b->waits[--b->n_waits];
}

/* The helper's answers: each names the port it was asked about, with the
 * host socket attached when the relay let go of it. */
static void read_answers(struct bypass_engine *b)
{
	struct sync_msg m;
	int fd;

	for (;;) {
		int r = sync_recv(b->helper_fd, &m, &fd, MSG_DONTWAIT);
		size_t i;

		if (r == -EAGAIN)
			return;
		if (r < 0) {
			/* The helper is gone: no more handovers (the waits time out). */
			close(b->helper_fd);
			b->helper_fd = -1;
			return;
		}
		for (i = 0; i < b->n_waits; i++)
			if (b->waits[i].conn >= 0 && m.type == SYNC_NET_HANDOVER &&
			    b->waits[i].asked_port == m.value)
				break;
		if (i == b->n_waits) {
			/* An answer to a question given up on: the relay let go of it. */
			if (fd >= 0)
				close(fd);
			continue;
		}
		deliver(b, &b->waits[i], TAKE_FD(b->waits[i].conn), fd);
		drop_wait(b, i);
	}
}

void bypass_accept_handle(struct bypass_engine *b, const struct pollset *ps)
{
	int64_t now = b->n_waits ? monotonic_ms() : 0;

	if (b->helper_fd >= 0 && pollset_revents(ps, b->helper_idx))
		read_answers(b);
	for (size_t i = b->n_waits; i-- > 0;) {
		struct bypass_accept_wait *w = &b->waits[i];

		if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &w->call.id) < 0) {
			drop_wait(b, i);
		} else if (w->conn >= 0) {
			if (now >= w->deadline_ms) {
				/* No answer: the relay carries it after all. */
				deliver(b, w, TAKE_FD(w->conn), -1);
				drop_wait(b, i);
			}
		} else if ((pollset_revents(ps, w->poll_idx) & (POLLIN | POLLERR | POLLHUP)) &&
			   try_accept(b, w, false, true)) {
			drop_wait(b, i);
		}
	}
}

void bypass_accept_free(struct bypass_engine *b)
{
	while (b->n_waits)
		drop_wait(b, 0);
	free(b->waits);
	b->waits = NULL;
	b->cap_waits = 0;
}
