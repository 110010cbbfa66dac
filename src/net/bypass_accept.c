/* bypass_accept.c - the TCP bypass's accept() side: published connections
 *		     handed to the server as host sockets
 *
 * A published TCP port is relayed (publish.c): the network helper accepts
 * the host connection and connects a socket of the sandbox's namespace to the
 * server, and every byte then crosses a second TCP connection and the relay.
 * When the server's accept() comes through sbx, sbx can do better: it takes
 * the accepted inside connection, recognises the relay's end of it by its
 * port, and gives the server the host connection itself
 * (SECCOMP_IOCTL_NOTIF_ADDFD with SEND: the new fd is accept()'s result),
 * while the relay, which held that connection's bytes back for the moment,
 * lets go of it. The server then talks to the host client directly.
 *
 * The host socket in the server's hands could be disconnected
 * (connect(AF_UNSPEC)) and connected elsewhere, by calls sbx cannot all see.
 * It keeps the published port (bound explicitly, so the kernel keeps it), and
 * sbx binds it to the interface the connection came in on (SO_BINDTOIFINDEX,
 * which an unprivileged process cannot undo). So one that came from the
 * network can only reach the network, which the sandbox reaches anyway; the
 * relay only offers one that came in on the host's loopback with
 * --allow-host-loopback (see may_hand_over() in publish.c).
 *
 * Anything else (another listening socket, an inside client, a connection the
 * relay is already carrying) gets the accepted inside connection, exactly as
 * the kernel would have given it.
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
#include "nethelper.h"
#include "util.h"

/* A blocking accept() on a published port with nothing queued yet. */
struct bypass_accept_wait {
	uint64_t id;
	pid_t pid;
	int sock; /* our duplicate of the listening socket */
	int flags;
	uint64_t addr, addrlen; /* the caller's result pointers; 0: none */
	size_t poll_idx;
};

/* A TCP listener of the sandbox's own on a published port (few calls: each
 * accept() in the sandbox pays for them). */
static bool is_published_listener(const struct tcp_bypass *b, int fd)
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

/* The relay's host socket for inside connection @conn, pinned to the
 * interface it came in on; -1 when the relay does not hold one. */
static int take_host_connection(struct tcp_bypass *b, int conn)
{
	struct sockaddr_storage peer, local;
	socklen_t len = sizeof(peer);
	uint16_t port;
	int host, index;

	if (getpeername(conn, (struct sockaddr *)&peer, &len) < 0 || !bypass_sockaddr_is_loopback(&peer, &port))
		return -1;
	host = nethelper_handover(b->net, port);
	if (host < 0)
		return -1;
	len = sizeof(local);
	index = 0;
	if (getsockname(host, (struct sockaddr *)&local, &len) == 0)
		index = bypass_sockaddr_is_loopback(&local, NULL) ? b->defaults.lo_index
								 : bypass_interface_of(&local);
	/* An address that lives on lo (an anycast address, say) would pin it
	 * to lo, from where it could reach the host's loopback services. */
	if (index <= 0 || (index == b->defaults.lo_index && !b->policy.host_loopback) ||
	    setsockopt(host, SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof(index)) < 0) {
		/* Unpinned it must not go in; the relay has let go of it. */
		close(host);
		return -2;
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

	if (!w->addr)
		return 0;
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		return -errno;
	local = (struct iovec){ .iov_base = &room, .iov_len = sizeof(room) };
	remote = (struct iovec){ .iov_base = (void *)(uintptr_t)w->addrlen, .iov_len = sizeof(room) };
	if (!w->addrlen || process_vm_readv(w->pid, &local, 1, &remote, 1, 0) != sizeof(room))
		return -EFAULT;
	local = (struct iovec){ .iov_base = &peer, .iov_len = MIN((size_t)room, (size_t)len) };
	remote = (struct iovec){ .iov_base = (void *)(uintptr_t)w->addr, .iov_len = local.iov_len };
	if (local.iov_len && process_vm_writev(w->pid, &local, 1, &remote, 1, 0) != (ssize_t)local.iov_len)
		return -EFAULT;
	room = len;
	local = (struct iovec){ .iov_base = &room, .iov_len = sizeof(room) };
	remote = (struct iovec){ .iov_base = (void *)(uintptr_t)w->addrlen, .iov_len = sizeof(room) };
	if (process_vm_writev(w->pid, &local, 1, &remote, 1, 0) != sizeof(room))
		return -EFAULT;
	return 0;
}

/* Give accept() its connection: the host one when the relay hands it over. */
static void deliver(struct tcp_bypass *b, const struct bypass_accept_wait *w, int conn)
{
	int give = take_host_connection(b, conn), r;
	struct seccomp_notif_addfd addfd = { .id = w->id, .flags = SECCOMP_ADDFD_FLAG_SEND };

	if (give >= 0) {
		close(conn);
		b->n_handed++;
	} else {
		give = conn;
	}
	if (!(w->flags & SOCK_NONBLOCK))
		fcntl(give, F_SETFL, fcntl(give, F_GETFL) & ~O_NONBLOCK);
	r = write_peer(w, give);
	if (r < 0) {
		bypass_reply(b, w->id, r, false);
		close(give);
		return;
	}
	addfd.srcfd = (uint32_t)give;
	addfd.newfd_flags = (w->flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	/* With SEND the ioctl also answers: accept() returns the new fd. If it
	 * cannot (EMFILE...), answer with the error, or the call would hang. */
	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 && errno != ENOENT)
		bypass_reply(b, w->id, -errno, false);
	close(give);
}

/* Return: true when @w was answered, false when it must wait for a connection. */
static bool try_accept(struct tcp_bypass *b, const struct bypass_accept_wait *w, bool nonblock)
{
	struct pollfd p = { .fd = w->sock, .events = POLLIN };
	int fl, conn, err;

	/* Nothing queued: don't even try (see below for why not). */
	if (poll(&p, 1, 0) == 0) {
		if (!nonblock)
			return false;
		bypass_reply(b, w->id, -EAGAIN, false);
		return true;
	}
	fl = fcntl(w->sock, F_GETFL);
	/* Our duplicate shares the server's open file: a blocking listener
	 * would block sbx. Non-blocking for the one call; the server cannot
	 * notice, since every native accept() on this socket waits for us.
	 * (Only a thread that clears O_NONBLOCK in between while a 32-bit one
	 * takes the queued connection could still make this call wait, for
	 * the next connection: the program can stall its own sbx, no more.) */
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(w->sock, F_SETFL, fl | O_NONBLOCK);
	conn = accept4(w->sock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	err = errno;
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(w->sock, F_SETFL, fl);
	errno = err;

	if (conn >= 0) {
		deliver(b, w, conn);
		return true;
	}
	if ((errno == EAGAIN || errno == EWOULDBLOCK) && !nonblock)
		return false;
	bypass_reply(b, w->id, -errno, false);
	return true;
}

void bypass_accept_request(struct tcp_bypass *b, const struct seccomp_notif *n)
{
	struct bypass_accept_wait w = {
		.id = n->id,
		.pid = (pid_t)n->pid,
		.sock = -1,
		.addr = n->data.args[1],
		.addrlen = n->data.args[2],
		.flags = n->data.nr == __NR_accept4 ? (int)n->data.args[3] : 0,
	};
	int pidfd = -1, fl;

	if (w.flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		goto pass;
	pidfd = bypass_pidfd(w.pid);
	if (pidfd < 0 || ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &w.id) < 0)
		goto pass;
	/* The kernel reads the fd as an int. */
	w.sock = (int)syscall(SYS_pidfd_getfd, pidfd, (int)(uint32_t)n->data.args[0], 0);
	close(TAKE_FD(pidfd));
	if (w.sock < 0 || !is_published_listener(b, w.sock))
		goto pass;
	fl = fcntl(w.sock, F_GETFL);
	if (try_accept(b, &w, (fl >= 0 && (fl & O_NONBLOCK)) || b->n_waits >= BYPASS_MAX_WAITS)) {
		close(w.sock);
		return;
	}
	if (b->n_waits == b->cap_waits) {
		b->cap_waits = b->cap_waits ? 2 * b->cap_waits : 8;
		b->waits = xreallocarray(b->waits, b->cap_waits, sizeof(*b->waits));
	}
	b->waits[b->n_waits++] = w;
	return;
pass:
	if (pidfd >= 0)
		close(pidfd);
	if (w.sock >= 0)
		close(w.sock);
	bypass_reply(b, n->id, 0, true);
}

void bypass_accept_fill(struct tcp_bypass *b, struct pollset *ps, int *timeout_ms)
{
	for (size_t i = 0; i < b->n_waits; i++)
		b->waits[i].poll_idx = pollset_add(ps, b->waits[i].sock, POLLIN);
	/* A signal can cancel a waiting call without telling us: look each second. */
	if (b->n_waits && (*timeout_ms < 0 || *timeout_ms > 1000))
		*timeout_ms = 1000;
}

static void drop_wait(struct tcp_bypass *b, size_t i)
{
	close(b->waits[i].sock);
	b->waits[i] = b->waits[--b->n_waits];
}

void bypass_accept_handle(struct tcp_bypass *b, const struct pollset *ps)
{
	for (size_t i = b->n_waits; i-- > 0;) {
		struct bypass_accept_wait *w = &b->waits[i];

		if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &w->id) < 0)
			drop_wait(b, i);
		else if ((pollset_revents(ps, w->poll_idx) & (POLLIN | POLLERR | POLLHUP)) &&
			 try_accept(b, w, false))
			drop_wait(b, i);
	}
}

void bypass_accept_free(struct tcp_bypass *b)
{
	while (b->n_waits)
		drop_wait(b, 0);
	free(b->waits);
	b->waits = NULL;
	b->cap_waits = 0;
}
