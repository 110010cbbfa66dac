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
 * out there, and if so connects a host socket itself. The program keeps its
 * own socket: the worker connects it to a relay listener on the sandbox's
 * loopback and splices the bytes between the two (bypass_link.c). The bytes
 * cross the sandbox's loopback and a splice() relay instead of the tap
 * device and libslirp's TCP stack.
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
 *  - no host socket ever enters the sandbox. Earlier versions put the host
 *    socket in place of the program's (SECCOMP_IOCTL_NOTIF_ADDFD); the
 *    program could disconnect it and connect it again by calls the worker
 *    never sees (an address length the filter lets pass, io_uring, a 32-bit
 *    socketcall, a dup2() race against a "continue") and reach the host's
 *    own addresses through it. Now whatever the program does with its
 *    socket happens in the sandbox's namespace, where slirp and its filters
 *    stand; the host socket stays in the worker, connected once, to the
 *    address the policy allowed;
 *  - the address is read once, and both connections are made by the worker
 *    with its own copy of it: a racing thread cannot change it after the
 *    check;
 *  - the host's own addresses and --allow-net are checked here
 *    (egress_allows(): the policy the network helper's tap filter asks,
 *    with the names it learned from sbx's DNS, in a table they share): a
 *    refused connect() is answered ECONNREFUSED, as the filter's reset
 *    would be; one answered "continue" meets that filter in libslirp;
 *  - --allow-connect (Landlock) ports are checked here, because the kernel
 *    checks them against the process that calls connect(), which is now
 *    the worker;
 *  - anything unusual (bound sockets, UDP, MPTCP, compat ABIs, an address
 *    inside the slirp network) is answered with "continue": the sandbox's own
 *    socket does what it would have done without the bypass;
 *  - the worker never blocks on the program's behalf: connects are finished
 *    in its poll loop, at most BYPASS_MAX_WAITS at a time.
 *
 * What a program can notice: getpeername() shows the relay listener's
 * loopback address (127.0.0.1 or ::1, a port of the kernel's choosing), not
 * the peer it asked for; the connection is listed in the sandbox's
 * /proc/net/tcp as one on its loopback. A non-blocking connect() is held up
 * to BYPASS_NONBLOCK_HOLD_MS for the host's answer, so a refused or
 * unreachable peer is still reported by connect(); one that takes longer is
 * answered EINPROGRESS, and a failure after that reaches the program as a
 * reset connection (ECONNRESET), not as ECONNREFUSED or ETIMEDOUT.
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

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#include <unistd.h>

#include "bypass.h"
#include "bypass_filter.h"
#include "bypass_guard.h"
#include "bypass_int.h"
#include "util.h"

/* A connect() whose host connection the worker finishes before it answers. */
struct bypass_pending {
	uint64_t id;
	int host_fd;
	int sock_fd; /* our duplicate of the program's socket */
	struct bypass_sock info;
	int64_t deadline_ms; /* SO_SNDTIMEO, or the non-blocking hold; 0: none */
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

int bypass_engine_init(struct bypass_engine *b, const struct sbx_config *c, char *why_not,
		       size_t why_not_size)
{
	struct seccomp_notif_sizes sizes;
	int r;

	b->notify_fd = -1;
	b->relay_fd[0] = b->relay_fd[1] = -1;
	if (!bypass_supported()) {
		snprintf(why_not, why_not_size, "not built for this architecture");
		return -EOPNOTSUPP;
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
	return 0;
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
	/* EMFILE here and below: slirp carries it. */
	rq->sock_fd = (int)syscall(SYS_pidfd_getfd, rq->pidfd, call->fd, 0);
	if (rq->sock_fd < 0)
		return false;
	return bypass_sock_inspect(rq->sock_fd, &rq->info) == 0 && rq->info.family;
}

/* Relay the program's socket @sock to @host_fd and answer @id once the
 * relay has it (bypass_link.c). Takes @sock and @host_fd. */
static void start_link(struct bypass_engine *b, uint64_t id, int sock,
		       const struct bypass_sock *info, int host_fd, bool host_connecting)
{
	int r = bypass_link_start(b, id, sock, info, host_fd, host_connecting);

	if (r == 0)
		return;
	bypass_guard_close(sock);
	close(host_fd);
	/* The program's socket is as it was: slirp makes the connection. */
	pass_to_slirp(b, id);
}

static void add_pending(struct bypass_engine *b, struct request *rq, int host_fd)
{
	struct bypass_pending *p;
	int64_t now = monotonic_ms();
	/* Taken here, not inside the compound literal: cppcheck's parser
	 * cannot follow TAKE_FD() there (internalAstError in make lint). */
	int sock_fd = TAKE_FD(rq->sock_fd);

	if (b->n_pending == b->cap_pending) {
		b->cap_pending = b->cap_pending ? 2 * b->cap_pending : 8;
		b->pending = xreallocarray(b->pending, b->cap_pending, sizeof(*b->pending));
	}
	p = &b->pending[b->n_pending++];
	*p = (struct bypass_pending){
		.id = rq->call.id,
		.host_fd = host_fd,
		.sock_fd = sock_fd,
		.info = rq->info,
		.deadline_ms = rq->info.nonblock     ? now + BYPASS_NONBLOCK_HOLD_MS
			       : rq->info.sndtimeo_ms ? now + rq->info.sndtimeo_ms
						      : 0,
	};
}

/* Connect a host twin of the request's socket to @to, and relay it. */
static void connect_host(struct bypass_engine *b, struct request *rq, const struct sockaddr *to,
			 socklen_t to_len)
{
	int host_fd, err = 0;

	if (!bypass_link_room(b, &rq->info) || b->n_pending >= BYPASS_MAX_WAITS) {
		/* No relay listener, no room (descriptors), or a socket of
		 * another network namespace: the kernel and slirp have it. */
		pass_to_slirp(b, rq->call.id);
		return;
	}
	host_fd = bypass_sock_twin(rq->sock_fd, &rq->info, &b->defaults, to,
				   b->policy.host_loopback);
	if (host_fd < 0) {
		/* No twin (no route, no free port): slirp carries it. */
		pass_to_slirp(b, rq->call.id);
		return;
	}
	if (connect(host_fd, to, to_len) < 0)
		err = errno;
	if (err == EINPROGRESS) {
		/* A host on this machine has usually answered by now: a poll()
		 * round less for the caller. */
		struct pollfd p = { .fd = host_fd, .events = POLLOUT };
		socklen_t len = sizeof(err);

		if (poll(&p, 1, 0) == 1 && getsockopt(host_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	}
	if (err == EINPROGRESS) {
		/* The caller waits until we have the answer (or, non-blocking,
		 * a moment for it). */
		add_pending(b, rq, host_fd);
		return;
	}
	if (err) {
		close(host_fd);
		bypass_reply(b, rq->call.id, -err, false);
		return;
	}
	start_link(b, rq->call.id, TAKE_FD(rq->sock_fd), &rq->info, host_fd, false);
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

/* Whether the kernel, not the bypass, should run the request's connect():
 * bound sockets, disconnects (AF_UNSPEC), sockets already connected or
 * connecting (to the relay, say). */
static bool for_the_kernel(const struct request *rq)
{
	return rq->info.bound || rq->info.tcp_state != TCP_CLOSE ||
	       rq->dst.ss_family == AF_UNSPEC;
}

static void handle_request(struct bypass_engine *b)
{
	struct seccomp_notif *n = b->req;
	struct request rq = { .pidfd = -1, .sock_fd = -1 };
	struct sockaddr_storage to;
	socklen_t to_len = 0;
	int v;

	memset(n, 0, b->req_size);
	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, n) < 0)
		return; /* ENOENT: the call was interrupted, or the process is gone */
	bypass_call_parse(n, &rq.call);
	if (rq.call.kind != BYPASS_CALL_CONNECT || !fetch(b, &rq) || for_the_kernel(&rq)) {
		pass_to_slirp(b, rq.call.id);
		goto out;
	}
	if (rq.info.netns_cookie == b->defaults.host_netns_cookie) {
		/* Never from the worker; "continue" would connect it from the host. */
		bypass_reply(b, rq.call.id, -EACCES, false);
		goto out;
	}
	v = bypass_classify(&b->policy, rq.info.family, (struct sockaddr *)&rq.dst, rq.dst_len, &to,
			    &to_len);
	if (v == BYPASS_HOST && !egress_allows(b, &to))
		bypass_reply(b, rq.call.id, -ECONNREFUSED, false);
	else if (v < 0)
		bypass_reply(b, rq.call.id, v, false);
	else if (v == BYPASS_SLIRP)
		pass_to_slirp(b, rq.call.id);
	else
		connect_host(b, &rq, (struct sockaddr *)&to, to_len);
out:
	bypass_guard_close(rq.sock_fd);
	if (rq.pidfd >= 0)
		close(rq.pidfd);
}

static void drop_pending(struct bypass_engine *b, size_t i)
{
	if (b->pending[i].host_fd >= 0)
		close(b->pending[i].host_fd);
	bypass_guard_close(b->pending[i].sock_fd);
	b->pending[i] = b->pending[--b->n_pending];
}

/* Finish pending connect() @i if it is done. */
static void finish_pending(struct bypass_engine *b, size_t i, short revents, int64_t now)
{
	struct bypass_pending *p = &b->pending[i];
	int err = 0;
	socklen_t len = sizeof(err);

	if (ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &p->id) < 0) {
		drop_pending(b, i); /* interrupted by a signal; it will be retried */
		return;
	}
	if (revents) {
		if (getsockopt(p->host_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
	} else if (p->deadline_ms && now >= p->deadline_ms) {
		err = EINPROGRESS; /* what connect() says at SO_SNDTIMEO, or non-blocking */
	} else {
		return;
	}
	if (err == 0 || err == EINPROGRESS)
		start_link(b, p->id, TAKE_FD(p->sock_fd), &p->info, TAKE_FD(p->host_fd),
			   err == EINPROGRESS);
	else
		bypass_reply(b, p->id, -err, false);
	drop_pending(b, i);
}

void bypass_engine_fill(struct bypass_engine *b, struct pollset *ps, int *timeout_ms)
{
	int64_t now = b->n_pending ? monotonic_ms() : 0;

	b->notify_idx = SIZE_MAX;
	bypass_link_fill(b, ps, timeout_ms);
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
}

static void drop_everything(struct bypass_engine *b)
{
	while (b->n_pending)
		drop_pending(b, 0);
	if (b->notify_fd >= 0)
		close(b->notify_fd);
	b->notify_fd = -1;
}

bool bypass_engine_handle(struct bypass_engine *b, const struct pollset *ps)
{
	short ev = pollset_revents(ps, b->notify_idx);
	int64_t now = b->n_pending ? monotonic_ms() : 0;

	/* The relays outlive the last filtered process: programs it started
	 * earlier (a daemon...) may still hold their sockets. */
	bypass_link_handle(b, ps);
	if (b->notify_fd < 0)
		return false;
	for (size_t i = b->n_pending; i-- > 0;)
		finish_pending(b, i, pollset_revents(ps, b->pending[i].poll_idx), now);
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
	bypass_link_free(b);
	free(b->pending);
	free(b->req);
	free(b->resp);
	free(b->ports);
	if (b->egress && b->egress->host.fd >= 0)
		close(b->egress->host.fd);
	free(b->egress);
	b->egress = NULL;
	b->req = b->resp = NULL;
	b->ports = NULL;
	b->pending = NULL;
}
