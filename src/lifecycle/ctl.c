/* ctl.c - the control socket, served by the supervisor's loop
 *
 * A SOCK_SEQPACKET socket in the state directory. Each client sends one
 * request (ctl_proto.h). The supervisor only looks at it (MSG_PEEK, no fds)
 * and never waits for a client: stop and kill are signals to pid 1 and a
 * timer; an enter request, fds and all, is handed as it is, with the client's
 * connection, to the spawner inside the sandbox, which reads it and answers
 * the client itself. The directory is private, and each client's uid is
 * checked again (SO_PEERCRED): root or another user that reaches the socket
 * gets an error and changes nothing.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "ctl_proto.h"
#include "lifecycle.h"
#include "lifecycle_detach.h"
#include "lifecycle_int.h"
#include "lifecycle_state.h"
#include "sync.h"
#include "util.h"

int ctl_listen(struct lifecycle *l, struct sbx_error *e)
{
	_cleanup_free_ char *path = registry_path(&l->reg, REGISTRY_CTL);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return sbx_error_set(e, ENAMETOOLONG, "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return sbx_error_set(e, errno, "control socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int err = errno;
		close(fd);
		return sbx_error_set(e, err, "%s", path);
	}
	l->listen_fd = fd;
	return 0;
}

static void reply(int fd, enum ctl_type type, int32_t value, const struct sbx_error *err)
{
	struct ctl_reply r = { .type = type, .value = value };

	if (err)
		r.error = *err;
	/* A client that does not read is its own loss: never wait for it. */
	send(fd, &r, sizeof(r), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void reply_error(int fd, int err, const char *what)
{
	struct sbx_error e = { 0 };

	sbx_error_set(&e, err, "%s", what);
	reply(fd, CTL_ERROR, 0, &e);
}

static void conn_close(struct ctl_conn *cn)
{
	loop_remove(&cn->src);
	close(cn->src.fd);
	cn->src.fd = -1;
}

/* Take the peeked request off the socket (its fds, if any, are closed). */
static void consume(int fd)
{
	char b;

	recv(fd, &b, 1, MSG_DONTWAIT);
}

static void stop(struct lifecycle *l, int32_t grace)
{
	struct itimerspec its = { .it_value = { .tv_sec = grace > 0 ? grace : 0 } };

	if (grace <= 0) {
		proc_signal(l->pid1, SIGKILL);
		return;
	}
	proc_signal(l->pid1, SIGTERM);
	/* Another stop only shortens the grace time. */
	if (l->timer_fd >= 0) {
		struct itimerspec cur;
		if (timerfd_gettime(l->timer_fd, &cur) == 0 && cur.it_value.tv_sec < grace &&
		    (cur.it_value.tv_sec || cur.it_value.tv_nsec))
			return;
		timerfd_settime(l->timer_fd, 0, &its, NULL);
	}
}

static bool signal_allowed(int sig)
{
	static const int ok[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
				  SIGWINCH };

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (ok[i] == sig)
			return true;
	return false;
}

/* Hand the client to the spawner; it answers from inside. */
static void enter(struct ctl_conn *cn)
{
	struct lifecycle *l = cn->l;
	struct sync_msg m = { .type = SYNC_SPAWNER };
	int r;

	if (!l->spawner_known) {
		/* Its command is about to start: wait for the spawner. */
		cn->parked = true;
		loop_modify(&cn->src, 0);
		return;
	}
	if (l->spawner_fd < 0) {
		consume(cn->src.fd);
		reply_error(cn->src.fd, ENOTCONN,
			    "cannot enter: the sandbox's command has not started, or its spawner ended");
		conn_close(cn);
		return;
	}
	r = sync_send(l->spawner_fd, &m, cn->src.fd);
	if (r < 0) {
		consume(cn->src.fd);
		reply_error(cn->src.fd, -r, "cannot enter: the sandbox's spawner");
	}
	conn_close(cn);
}

static void handle(struct ctl_conn *cn, const struct ctl_request *req)
{
	struct lifecycle *l = cn->l;

	switch (req->type) {
	case CTL_ENTER:
		enter(cn);
		return;
	case CTL_STOP:
		consume(cn->src.fd);
		/* The client waits for EOF: our end closes when sbx exits. */
		stop(l, req->value);
		return;
	case CTL_WATCH:
		consume(cn->src.fd);
		return;
	case CTL_KILL:
		consume(cn->src.fd);
		if (!signal_allowed(req->value)) {
			reply_error(cn->src.fd, EINVAL, "signal not passed on");
		} else {
			proc_signal(l->pid1, req->value);
			reply(cn->src.fd, CTL_OK, 0, NULL);
		}
		conn_close(cn);
		return;
	default:
		consume(cn->src.fd);
		reply_error(cn->src.fd, EPROTO, "unknown request");
		conn_close(cn);
		return;
	}
}

static void on_conn(struct loop_source *src, uint32_t events)
{
	struct ctl_conn *cn = src->data;
	struct ctl_request req;
	ssize_t n;

	if (cn->parked && (events & (EPOLLHUP | EPOLLERR))) {
		conn_close(cn); /* the client gave up waiting */
		return;
	}
	n = recv(src->fd, &req, CTL_REQUEST_HEAD, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(cn);
		return;
	}
	if ((size_t)n < CTL_REQUEST_HEAD || req.magic != CTL_MAGIC) {
		consume(src->fd);
		reply_error(src->fd, EPROTO, "not an sbx control request");
		conn_close(cn);
		return;
	}
	handle(cn, &req);
}

/* Only the user who started the sandbox may control it, from outside. */
static bool peer_allowed(int fd, struct sbx_error *e)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		sbx_error_set(e, errno, "SO_PEERCRED");
		return false;
	}
	if (cr.uid != getuid()) {
		sbx_error_set(e, 0, "permission denied: it belongs to uid %u, not to uid %u",
			      (unsigned)getuid(), (unsigned)cr.uid);
		return false;
	}
	/* Every sandbox's processes run as the user too: one given the
	 * registry's directory (a --bind of $XDG_RUNTIME_DIR, for a Wayland
	 * socket) could enter, stop or kill any named sandbox, a more loosely
	 * confined one included. */
	if (!client_peer_outside_sandboxes(fd)) {
		sbx_error_set(e, 0, "permission denied: not from sbx's pid namespace (inside a sandbox?)");
		return false;
	}
	return true;
}

static void on_listen(struct loop_source *src, uint32_t events)
{
	struct lifecycle *l = src->data;

	(void)events;
	for (;;) {
		struct sbx_error e = { 0 };
		struct ctl_conn *cn = NULL;
		int fd = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return; /* EAGAIN, or a client that left: nothing to do */
		if (!peer_allowed(fd, &e)) {
			/* Its request unread at close() would reset the
			 * connection, and the client never see why. */
			consume(fd);
			reply(fd, CTL_ERROR, 0, &e);
			close(fd);
			continue;
		}
		for (size_t i = 0; i < CTL_CONNS_MAX && !cn; i++)
			if (l->conns[i].src.fd < 0)
				cn = &l->conns[i];
		if (!cn) {
			reply_error(fd, EBUSY, "too many clients at once");
			close(fd);
			continue;
		}
		cn->src = (struct loop_source){ .fd = fd, .events = EPOLLIN, .handler = on_conn,
						.data = cn };
		cn->parked = false;
		if (loop_add(l->loop, &cn->src) < 0) {
			close(fd);
			cn->src.fd = -1;
		}
	}
}

static void on_timer(struct loop_source *src, uint32_t events)
{
	struct lifecycle *l = src->data;
	uint64_t n;

	(void)events;
	if (read(l->timer_fd, &n, sizeof(n)) == sizeof(n))
		proc_signal(l->pid1, SIGKILL);
}

static void on_spawner(struct loop_source *src, uint32_t events)
{
	struct lifecycle *l = src->data;
	char b;

	(void)events;
	/* It never writes: readable means EOF, it is gone. */
	if (recv(l->spawner_fd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN)
		return;
	loop_remove(src);
	close(l->spawner_fd);
	l->spawner_fd = -1;
}

/* The spawner's fate is known: serve the held enter requests. */
static void spawner_known(struct lifecycle *l)
{
	l->spawner_known = true;
	for (size_t i = 0; i < CTL_CONNS_MAX; i++) {
		struct ctl_conn *cn = &l->conns[i];
		if (cn->src.fd >= 0 && cn->parked) {
			cn->parked = false;
			loop_modify(&cn->src, EPOLLIN);
		}
	}
	lifecycle_detach_ready(l);
}

void lifecycle_take_spawner(struct lifecycle *l, int fd)
{
	if (!l)
		return;
	if (l->spawner_fd >= 0 || !l->loop || fd < 0) {
		if (fd >= 0)
			close(fd);
		spawner_known(l);
		return;
	}
	/* A spawner that does not keep up makes enter fail, never us wait. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	l->spawner_fd = fd;
	l->spawner_src = (struct loop_source){ .fd = fd, .events = EPOLLIN, .handler = on_spawner,
					       .data = l };
	if (loop_add(l->loop, &l->spawner_src) < 0) {
		close(fd);
		l->spawner_fd = -1;
	} else {
		/* The command made the pair: its namespaces are the sandbox's. */
		struct ucred cr;
		socklen_t len = sizeof(cr);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid > 0) {
			l->ns_pid = cr.pid;
			lifecycle_state_write(l, true);
		}
	}
	spawner_known(l);
}

int ctl_watch(struct lifecycle *l)
{
	int r;

	l->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->timer_fd < 0)
		return -errno;
	l->timer_src = (struct loop_source){ .fd = l->timer_fd, .events = EPOLLIN,
					     .handler = on_timer, .data = l };
	l->listen_src = (struct loop_source){ .fd = l->listen_fd, .events = EPOLLIN,
					      .handler = on_listen, .data = l };
	r = loop_add(l->loop, &l->timer_src);
	if (r == 0)
		r = loop_add(l->loop, &l->listen_src);
	return r;
}

/* After the loop: its epoll set is gone with it, nothing to remove from. */
void ctl_close(struct lifecycle *l)
{
	for (size_t i = 0; i < CTL_CONNS_MAX; i++)
		if (l->conns[i].src.fd >= 0) {
			close(l->conns[i].src.fd);
			l->conns[i].src.fd = -1;
		}
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	l->listen_fd = -1;
}
