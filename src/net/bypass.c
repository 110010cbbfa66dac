/* bypass.c - --net slirp's TCP bypass: the sandbox's outgoing connections on host sockets
 *
 * Theory of operation
 *
 * libslirp carries a TCP connection by terminating it in its own TCP stack
 * and copying the bytes to a host socket: every segment crosses the tap
 * device and two TCP implementations. For outgoing connections sbx does better
 * (the idea of rootless bypass4netns): the command's connect() goes to the
 * bypass worker through a seccomp user-notification listener; the worker
 * decides with bypass_classify() whether slirp would have connected to a host
 * out there, and if so connects a host socket itself and puts it in place of
 * the sandbox's socket, under the same fd number (SECCOMP_IOCTL_NOTIF_ADDFD
 * with SETFD). From then on the program talks to the host kernel directly, at
 * loopback speed.
 *
 * Where it runs: in the bypass worker (bypass_worker.c), a process of its
 * own, locked down before it sees a single notification; sbx only starts
 * it, passes the listener on and watches it. It needs the host's network
 * namespace (the sockets it makes are the host's) and the right to reach
 * into the command's fd table (pidfd_getfd) and memory (the sockaddr),
 * which a process in the parent user namespace has, and the network helper
 * (in a user namespace of its own) has not.
 *
 * What keeps it honest:
 *  - the address is read once, and the host socket is connected by the worker
 *    to that copy: a racing thread cannot change the address after the check;
 *  - "continue" is only ever the answer for the program's own socket. A racing
 *    thread can still dup2() a host socket over that fd before the kernel runs
 *    the call, and io_uring or 32-bit calls are not seen at all, so each host
 *    socket is pinned before it is handed over (bypass_sock.c): to the route's
 *    interface (never lo, unless the gateway with --allow-host-loopback was its
 *    route) and to its source address and an ephemeral port the worker picked.
 *    Whatever it is used for next, it reaches only what its route reached. What
 *    pinning cannot stop: a program that gets such a socket into the closed
 *    state (a failed connect, a disconnect) can make it listen, on its address
 *    and port; by retrying it can get a port of its choice within the ephemeral
 *    range (ip_local_port_range) on the host's outgoing address. (A locked
 *    packet filter per peer would stop that, but since Linux 6.12 attaching one
 *    to a TCP socket needs CAP_NET_ADMIN.)
 *  - --allow-connect (Landlock) ports are checked here, because the kernel
 *    checks them against the process that calls connect(), which is now
 *    the worker;
 *  - anything unusual (bound sockets, UDP, MPTCP, compat ABIs, an address
 *    inside the slirp network) is answered with "continue": the sandbox's own
 *    socket does what it would have done without the bypass;
 *  - the worker never blocks on the program's behalf: blocking connects
 *    are finished in its poll loop, at most BYPASS_MAX_WAITS at a time, and
 *    a failed ADDFD is answered with its error.
 *
 * What a program can notice: getsockname()/getpeername() show host-side
 * addresses (127.0.0.1 for the gateway), and the connection is not listed in
 * the sandbox's /proc/net/tcp.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#include <unistd.h>

#include "bypass.h"
#include "bypass_filter.h"
#include "bypass_int.h"
#include "util.h"

/* A blocking connect() the worker finishes before it answers. */
struct bypass_pending {
	uint64_t id;
	int host_fd;
	int target_fd;
	bool cloexec;
	int64_t deadline_ms; /* from SO_SNDTIMEO; 0: none */
	size_t poll_idx;
};

/* What one request turned into. */
struct request {
	struct bypass_call call;
	int pidfd;
	int sock_fd; /* our duplicate of the sandbox's socket */
	struct bypass_sock info;
	struct sockaddr_storage dst;
	socklen_t dst_len;
};

/* Handing published connections over costs every accept() in the sandbox a
 * trip through the worker, and pays off only for connections that may be
 * handed over (publish.c: may_hand_over()): those from the host's loopback
 * with --allow-host-loopback, and those a port published on one of the
 * host's network addresses receives. A port published on the wildcard
 * address, as -p 8080:80 is, mostly serves the host's own browser: relayed,
 * as before. */
static bool published_on_a_network_address(const struct sbx_publish *p)
{
	static const unsigned char zero[16];

	return memcmp(p->host_addr, zero, p->family == AF_INET ? 4 : 16) != 0 &&
	       !bypass_addr_is_loopback(p->family, p->host_addr);
}

int bypass_engine_init(struct bypass_engine *b, const struct sbx_config *c, char *why_not,
		       size_t why_not_size)
{
	struct seccomp_notif_sizes sizes;
	int r;

	b->notify_fd = -1;
	b->helper_fd = -1;
	if (!bypass_supported()) {
		snprintf(why_not, why_not_size, "not built for this architecture");
		return -EOPNOTSUPP;
	}
	/* A host socket in the sandbox's hands can be connected again to
	 * anywhere its interface leads, by calls the worker never sees (a
	 * connect() after connect(AF_UNSPEC) or a failed connection, with an
	 * address length the filter lets pass; io_uring): the list could not
	 * hold it. libslirp's sockets stay on the host's side of the tap
	 * filter (egress_tap.c). */
	if (c->n_allow_net) {
		snprintf(why_not, why_not_size,
			 "--allow-net: connections go through libslirp, where the list holds");
		return -EPERM;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		r = -errno;
		snprintf(why_not, why_not_size, "no seccomp user notification: %s", strerror(-r));
		return r;
	}
	r = bypass_defaults_read(&b->defaults);
	if (r < 0) {
		snprintf(why_not, why_not_size, "no SO_NETNS_COOKIE (Linux 5.14): %s", strerror(-r));
		return r;
	}
	/* The kernel may grow these structures; allocate what it says. */
	b->req_size = MAX(sizes.seccomp_notif, sizeof(struct seccomp_notif));
	b->resp_size = MAX(sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp));
	b->req = xreallocarray(NULL, 1, b->req_size);
	b->resp = xreallocarray(NULL, 1, b->resp_size);
	b->config = c;
	if (egress_needed(c)) {
		b->egress = calloc(1, sizeof(*b->egress));
		if (!b->egress)
			abort();
	}
	b->ports = xreallocarray(NULL, c->n_allow_connect + 1, sizeof(*b->ports));
	bypass_policy_init(&b->policy, c, b->ports);
	b->published = xreallocarray(NULL, c->n_publish + 1, sizeof(*b->published));
	for (size_t i = 0; i < c->n_publish; i++) {
		if (c->publish[i].udp)
			continue;
		b->published[b->n_published++] = c->publish[i].sandbox_port;
		b->accepts = b->accepts || c->allow_host_loopback ||
			     published_on_a_network_address(&c->publish[i]);
	}
	return 0;
}

void bypass_reply(struct bypass_engine *b, uint64_t id, int error, bool cont)
{
	struct seccomp_notif_resp *resp = b->resp;

	memset(resp, 0, b->resp_size);
	resp->id = id;
	resp->error = error;
	resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	/* ENOENT: the call was interrupted, or the process is gone. */
	ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* Let a connect() run as the command made it: through slirp. */
static void pass_to_slirp(struct bypass_engine *b, uint64_t id)
{
	bypass_reply(b, id, 0, true);
	b->stats->n_slirp++;
}

/* Read up to @size - 1 bytes of /proc file @path into @buf. Return: the length, or -1. */
static ssize_t read_proc(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	return n;
}

int bypass_pidfd(pid_t tid)
{
	char path[64], buf[1024];
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	ssize_t n;
	long tgid;

	if (fd >= 0 || errno != EINVAL)
		return fd;
	/* Before Linux 6.9 a pidfd names a whole process: find the thread's. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	n = read_proc(path, buf, sizeof(buf));
	tgid = n > 0 ? bypass_status_tgid(buf, (size_t)n) : -1;
	return tgid > 0 ? (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0) : -1;
}

/* Whether fd @fd of @pid closes on exec: the one flag pidfd_getfd() cannot show. */
static bool target_cloexec(pid_t pid, int fd)
{
	char path[64], buf[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	n = read_proc(path, buf, sizeof(buf));
	return n > 0 && bypass_fdinfo_cloexec(buf, (size_t)n);
}

/* Put @host_fd in place of the caller's @target_fd. On failure the call is
 * answered with the error (unless it is gone), so it never hangs. */
static bool inject(struct bypass_engine *b, uint64_t id, int host_fd, int target_fd, bool cloexec)
{
	struct seccomp_notif_addfd addfd = {
		.id = id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (uint32_t)host_fd,
		.newfd = (uint32_t)target_fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};

	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) >= 0)
		return true;
	if (errno != ENOENT)
		bypass_reply(b, id, -errno, false);
	return false;
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Read the request's sockaddr and fetch its socket. Return: false to "continue". */
static bool fetch(struct bypass_engine *b, struct request *rq)
{
	const struct bypass_call *call = &rq->call;
	struct iovec local = { .iov_base = &rq->dst, .iov_len = call->len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)call->addr, .iov_len = call->len };

	/* call->len is bounded by bypass_call_parse(). */
	if (process_vm_readv(call->pid, &local, 1, &remote, 1, 0) != (ssize_t)call->len ||
	    !bypass_sockaddr_wanted(&rq->dst, call->len))
		return false;
	rq->dst_len = (socklen_t)call->len;
	rq->pidfd = bypass_pidfd(call->pid);
	if (rq->pidfd < 0)
		return false;
	/* The pid still names the caller: the pidfd and the memory we read are its. */
	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &call->id) < 0)
		return false;
	rq->sock_fd = (int)syscall(SYS_pidfd_getfd, rq->pidfd, call->fd, 0);
	if (rq->sock_fd < 0)
		return false;
	return bypass_sock_inspect(rq->sock_fd, &rq->info) == 0 && rq->info.family;
}

static void add_pending(struct bypass_engine *b, const struct request *rq, int host_fd,
			bool cloexec)
{
	struct bypass_pending *p;

	if (b->n_pending == b->cap_pending) {
		b->cap_pending = b->cap_pending ? 2 * b->cap_pending : 8;
		b->pending = xreallocarray(b->pending, b->cap_pending, sizeof(*b->pending));
	}
	p = &b->pending[b->n_pending++];
	*p = (struct bypass_pending){
		.id = rq->call.id,
		.host_fd = host_fd,
		.target_fd = rq->call.fd,
		.cloexec = cloexec,
		.deadline_ms = rq->info.sndtimeo_ms ? monotonic_ms() + rq->info.sndtimeo_ms : 0,
	};
}

/* Connect a host twin of the request's socket to @to and hand it over. */
static void connect_twin(struct bypass_engine *b, struct request *rq, const struct sockaddr *to,
			 socklen_t to_len)
{
	int host_fd = bypass_sock_twin(rq->sock_fd, &rq->info, &b->defaults, to,
				       b->policy.host_loopback);
	bool cloexec;
	int err = 0;

	if (host_fd < 0) {
		/* No twin (no route, no free port): slirp carries it, unless the
		 * socket is already a host one, which must never be let through. */
		if (rq->info.netns_cookie == b->defaults.host_netns_cookie)
			bypass_reply(b, rq->call.id, host_fd, false);
		else
			pass_to_slirp(b, rq->call.id);
		return;
	}
	cloexec = target_cloexec(rq->call.pid, rq->call.fd);
	if (connect(host_fd, to, to_len) < 0)
		err = errno;
	if (err == EINPROGRESS && !rq->info.nonblock && b->n_pending < BYPASS_MAX_WAITS) {
		/* A blocking connect(): the caller waits until we have the answer. */
		add_pending(b, rq, host_fd, cloexec);
		return;
	}
	if (err == EINPROGRESS && !rq->info.nonblock) {
		/* Too many waiting: this one waits in slirp (or, on a host socket, retries). */
		close(host_fd);
		if (rq->info.netns_cookie == b->defaults.host_netns_cookie)
			bypass_reply(b, rq->call.id, -EAGAIN, false);
		else
			pass_to_slirp(b, rq->call.id);
		return;
	}
	if (err == 0 || err == EINPROGRESS) {
		set_nonblock(host_fd, rq->info.nonblock);
		if (!inject(b, rq->call.id, host_fd, rq->call.fd, cloexec)) {
			close(host_fd);
			return;
		}
		b->stats->n_host++;
	}
	close(host_fd);
	bypass_reply(b, rq->call.id, -err, false);
}

/* connect() on a host socket the worker handed over earlier. */
static void reconnect_host_socket(struct bypass_engine *b, struct request *rq,
				  const struct sockaddr *to, socklen_t to_len)
{
	if (rq->info.tcp_state == TCP_CLOSE) {
		/* Never connected, or failed: a fresh twin, pinned to the new peer. */
		connect_twin(b, rq, to, to_len);
		return;
	}
	/* Connecting or connected: answered from its state, never by calling
	 * connect() on the program's open file, which another of its threads
	 * could make blocking meanwhile (and stall the worker). EISCONN is what
	 * programs that poll with connect() take as "done". */
	(void)to;
	(void)to_len;
	bypass_reply(b, rq->call.id,
		     rq->info.tcp_state == TCP_SYN_SENT || rq->info.tcp_state == TCP_SYN_RECV
			     ? -EALREADY
			     : -EISCONN,
		     false);
}

/* The host's own addresses and --allow-net (egress.h); the gateway, which
 * bypass_classify() let through as the host's loopback, is its business. */
static bool egress_allows(struct bypass_engine *b, const struct sockaddr_storage *to)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)to;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)to;
	const uint8_t *addr;
	enum egress_verdict v;
	uint16_t port;

	if (!b->egress || bypass_sockaddr_is_loopback(to, &port))
		return true;
	addr = to->ss_family == AF_INET ? (const uint8_t *)&in->sin_addr
					: (const uint8_t *)&in6->sin6_addr;
	hostaddr_refresh(&b->egress->host);
	v = egress_check(b->egress, to->ss_family, addr, port, monotonic_ms());
	if (v == EGRESS_ALLOW)
		return true;
	egress_log_refusal(b->egress, v, IPPROTO_TCP, to->ss_family, addr, port);
	return false;
}

static void handle_request(struct bypass_engine *b)
{
	struct seccomp_notif *n = b->req;
	struct request rq = { .pidfd = -1, .sock_fd = -1 };
	struct sockaddr_storage to;
	socklen_t to_len = 0;
	bool host_socket;
	int v;

	memset(n, 0, b->req_size);
	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
		return; /* ENOENT: the caller went away meanwhile */
	bypass_call_parse(n, &rq.call);
	if (rq.call.kind == BYPASS_CALL_ACCEPT && b->accepts) {
		bypass_accept_request(b, &rq.call);
		return;
	}
	if (rq.call.kind != BYPASS_CALL_CONNECT || !fetch(b, &rq)) {
		pass_to_slirp(b, rq.call.id);
		goto out;
	}
	host_socket = rq.info.netns_cookie == b->defaults.host_netns_cookie;
	if (rq.dst.ss_family == AF_UNSPEC && host_socket) {
		/* Disconnect: the socket keeps its pinned address and interface. */
		bypass_reply(b, rq.call.id,
			     connect(rq.sock_fd, (struct sockaddr *)&rq.dst, rq.dst_len) < 0 ? -errno : 0,
			     false);
		goto out;
	}
	if ((rq.info.bound || rq.dst.ss_family == AF_UNSPEC) && !host_socket) {
		pass_to_slirp(b, rq.call.id);
		goto out;
	}
	v = bypass_classify(&b->policy, rq.info.family, (struct sockaddr *)&rq.dst, rq.dst_len, &to,
			    &to_len);
	if (v == BYPASS_HOST && !egress_allows(b, &to))
		bypass_reply(b, rq.call.id, -ECONNREFUSED, false);
	else if (v < 0)
		bypass_reply(b, rq.call.id, v, false);
	else if (v == BYPASS_SLIRP && host_socket)
		/* A host socket cannot reach the sandbox's network: no "continue". */
		bypass_reply(b, rq.call.id, -ENETUNREACH, false);
	else if (v == BYPASS_SLIRP)
		pass_to_slirp(b, rq.call.id);
	else if (host_socket)
		reconnect_host_socket(b, &rq, (struct sockaddr *)&to, to_len);
	else
		connect_twin(b, &rq, (struct sockaddr *)&to, to_len);
out:
	if (rq.sock_fd >= 0)
		close(rq.sock_fd);
	if (rq.pidfd >= 0)
		close(rq.pidfd);
}

static void drop_pending(struct bypass_engine *b, size_t i)
{
	close(b->pending[i].host_fd);
	b->pending[i] = b->pending[--b->n_pending];
}

/* Finish pending connect() @i if it is done. Return: whether it was removed. */
static bool finish_pending(struct bypass_engine *b, size_t i, short revents, int64_t now)
{
	struct bypass_pending *p = &b->pending[i];
	int err = 0;
	socklen_t len = sizeof(err);

	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &p->id) < 0) {
		drop_pending(b, i); /* interrupted by a signal; it will be retried */
		return true;
	}
	if (revents) {
		if (getsockopt(p->host_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	} else if (p->deadline_ms && now >= p->deadline_ms) {
		err = EINPROGRESS; /* what a blocking connect() says at SO_SNDTIMEO */
	} else {
		return false;
	}
	if (err == 0 || err == EINPROGRESS) {
		set_nonblock(p->host_fd, false);
		if (!inject(b, p->id, p->host_fd, p->target_fd, p->cloexec)) {
			drop_pending(b, i);
			return true;
		}
		b->stats->n_host++;
	}
	bypass_reply(b, p->id, -err, false);
	drop_pending(b, i);
	return true;
}

void bypass_engine_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms)
{
	int64_t now = b->n_pending ? monotonic_ms() : 0;

	b->notify_idx = SIZE_MAX;
	if (b->notify_fd < 0)
		return;
	b->notify_idx = pollset_add(ps, b->notify_fd, POLLIN);
	for (size_t i = 0; i < b->n_pending; i++) {
		struct bypass_pending *p = &b->pending[i];
		/* A signal can cancel the call without telling us: look again each second. */
		int64_t wait = 1000;

		p->poll_idx = pollset_add(ps, p->host_fd, POLLOUT);
		if (p->deadline_ms)
			wait = MIN(wait, MAX(p->deadline_ms - now, 0));
		if (*timeout_ms < 0 || wait < *timeout_ms)
			*timeout_ms = (int)wait;
	}
	bypass_accept_fill(b, ps, timeout_ms);
}

static void drop_everything(struct bypass_engine *b)
{
	while (b->n_pending)
		drop_pending(b, 0);
	bypass_accept_free(b);
	if (b->notify_fd >= 0)
		close(b->notify_fd);
	b->notify_fd = -1;
}

bool bypass_engine_handle(struct bypass_engine *b, const struct pollset *ps)
{
	short ev = pollset_revents(ps, b->notify_idx);
	int64_t now = b->n_pending ? monotonic_ms() : 0;

	if (b->notify_fd < 0)
		return false;
	for (size_t i = b->n_pending; i-- > 0;)
		finish_pending(b, i, pollset_revents(ps, b->pending[i].poll_idx), now);
	bypass_accept_handle(b, ps);
	if (ev & POLLIN) {
		handle_request(b);
	} else if (ev & (POLLHUP | POLLERR | POLLNVAL)) {
		/* Every filtered process is gone. */
		drop_everything(b);
		return false;
	}
	return true;
}

void bypass_engine_free(struct bypass_engine *b)
{
	drop_everything(b);
	free(b->pending);
	free(b->published);
	free(b->req);
	free(b->resp);
	free(b->ports);
	if (b->egress && b->egress->host.fd >= 0)
		close(b->egress->host.fd);
	free(b->egress);
	b->egress = NULL;
	b->req = b->resp = NULL;
	b->ports = b->published = NULL;
	b->pending = NULL;
	if (b->helper_fd >= 0)
		close(b->helper_fd);
	b->helper_fd = -1;
}
