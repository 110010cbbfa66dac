/* userns_holder_proc.c - the holder: a process that keeps the per-user parent
 * user namespace alive and hands its fd to the user's own starts
 * (theory of operation in userns_holder.h) */
#include "autoconf.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "userns_holder.h"
#include "userns_spare.h"
#include "util.h"

/* fds the holder keeps while it starts: 0-2 are /dev/null, the rest closed */
enum { FD_UP = 3, FD_DOWN, FD_LOCK, FD_FIRST_FREE };

/* One start of ours: its connection, and the sandbox's mount namespace it
 * handed over (-1 until then). */
struct client {
	int conn;
	int held;
};

/* Most starts served at once; more are answered but hand nothing over. */
#define HOLDER_MAX_CLIENTS 1024

/* The one spare (userns_spare.h): its namespaces, made with @uid and @gid;
 * ns.user < 0 while there is none. @due: a start asked for one; the next is
 * made once that start's command starts (its sbx says 'G') or the start has
 * gone (spare_due_now()). @wanted: the
 * next one is to be made (with @uid and @gid); @maker: the one being made,
 * whose keeper works while we answer starts (a start never waits for a
 * spare's making). */
static struct {
	struct userns_spare ns;
	struct idmap uid;
	struct idmap gid;
	bool due;
	bool wanted;
	struct userns_spare_maker maker;
} spare = { .ns = { -1, -1, -1, -1 }, .maker = { .pid = 0, .pidfd = -1, .go = -1, .ready = -1 } };

/* A start asked for a spare with these maps: hand over the one we have if
 * its maps are those, else say none; either way the next one will have
 * them (the newest request wins: other maps are another kind of start,
 * --uid or --userns isolated). Handed-over fds are closed here at once, so
 * that no namespace reaches a second sandbox. */
static void spare_serve(int conn, const char *msg, size_t len)
{
	static struct idmap uid, gid;
	struct userns_spare none = USERNS_SPARE_NONE;
	bool match;

	if (userns_spare_parse_request(msg, len, &uid, &gid) < 0) {
		(void)userns_spare_send(conn, &none);
		return;
	}
	match = spare.ns.user >= 0 && idmap_equal(&uid, &spare.uid) && idmap_equal(&gid, &spare.gid);
	(void)userns_spare_send(conn, match ? &spare.ns : &none);
	userns_spare_release(&spare.ns);
	/* One being made with other maps is of no use any more. */
	if (spare.maker.ready >= 0 && !(idmap_equal(&uid, &spare.uid) && idmap_equal(&gid, &spare.gid)))
		userns_spare_abort(&spare.maker);
	spare.uid = uid;
	spare.gid = gid;
	spare.due = true;
}

/* The start that asked has started its command, or is gone: make the next
 * spare now. Not at the request: then the making (our clone, the maps, the
 * keeper's network namespace, about 0.45 ms of CPU) ran beside that start's
 * own go-between, pid 1 and view, on a machine with few CPUs on the CPU they
 * wanted. Measured with bench/startup.sh's sbx -- true. */
static void spare_due_now(void)
{
	if (!spare.due)
		return;
	spare.due = false;
	/* One made meanwhile (by a maker that was running at the request)
	 * has the maps asked for last: others were aborted at the request. */
	spare.wanted = spare.maker.ready < 0 && spare.ns.user < 0;
}

static void client_drop(struct client *c)
{
	/* The last reference to a sandbox's mount namespace: its teardown
	 * happens here, after that sbx has exited. */
	if (c->held >= 0)
		close(c->held);
	close(c->conn);
	c->conn = c->held = -1;
	spare_due_now();
}

/* Start making the spare asked for, once no start waits for an answer. */
static void spare_start(void)
{
	spare.wanted = false;
	(void)userns_spare_start(&spare.uid, &spare.gid, &spare.maker);
}

/* Its keeper has reported: the spare is ready (or failed: none). */
static void spare_finish(void)
{
	/* Never two: an older one would be held for nothing. */
	userns_spare_release(&spare.ns);
	if (userns_spare_finish(&spare.maker, &spare.ns) < 0)
		spare.ns = USERNS_SPARE_NONE;
}

/* A message from a client: a request for a spare, the mount namespace fd
 * to hold, or the end. */
static void client_read(struct client *c)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	static char buf[SPARE_REQUEST_MAX];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c->conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			client_drop(c);
		return;
	}
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
		if (c->held >= 0)
			close(c->held);
		memcpy(&c->held, CMSG_DATA(cm), sizeof(int));
		return;
	}
	if (buf[0] == 'S' && !(msg.msg_flags & MSG_TRUNC))
		spare_serve(c->conn, buf, (size_t)n);
	else if (buf[0] == 'G' && n == 1)
		spare_due_now(); /* its command starts (userns_holder_started()) */
}

/* A start of ours (our uid), whose connection we keep until it closes. The
 * namespace itself is not sent: sbx opens it from /proc/PID/ns/user.
 * Return: false when out of file descriptors (or memory), so that the
 * caller stops polling the listener, which stays readable meanwhile. */
static bool client_accept(int lsock, struct client *clients, size_t *n_clients)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0)
		return errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid() ||
	    *n_clients == HOLDER_MAX_CLIENTS) {
		close(conn);
		return true;
	}
	clients[(*n_clients)++] = (struct client){ .conn = conn, .held = -1 };
	return true;
}

/* Serve until HOLDER_IDLE_MS pass with no start and no connection open. */
static void serve(int lsock)
{
	static struct client clients[HOLDER_MAX_CLIENTS];
	static struct pollfd pfds[HOLDER_MAX_CLIENTS + 2];
	size_t n_clients = 0, before;
	bool accepting = true;

	for (;;) {
		int n, timeout;

		/* Out of fds, the listener would wake us at once, forever: leave
		 * it alone until a client has gone (the starts waiting in its
		 * backlog do not need us meanwhile). */
		pfds[0] = (struct pollfd){ .fd = accepting ? lsock : -1, .events = POLLIN };
		pfds[1] = (struct pollfd){ .fd = spare.maker.ready, .events = POLLIN };
		for (size_t i = 0; i < n_clients; i++)
			pfds[i + 2] = (struct pollfd){ .fd = clients[i].conn, .events = POLLIN };
		/* A spare to start: once no start waits (timeout 0). Idle (no
		 * client, no spare being made): exit after HOLDER_IDLE_MS. */
		timeout = spare.wanted ? 0 : n_clients || spare.maker.ready >= 0 ? -1 : HOLDER_IDLE_MS;
		n = poll(pfds, n_clients + 2, timeout);
		if (n == 0 && spare.wanted) {
			spare_start();
			continue;
		}
		if (n == 0)
			return;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfds[1].revents && spare.maker.ready == pfds[1].fd)
			spare_finish();
		for (size_t i = 0; i < n_clients; i++)
			if (pfds[i + 2].revents)
				client_read(&clients[i]);
		/* Compact: dropped clients leave no hole. */
		before = n_clients;
		for (size_t i = 0; i < n_clients;)
			if (clients[i].conn < 0)
				clients[i] = clients[--n_clients];
			else
				i++;
		if (n_clients < before)
			accepting = true;
		if (pfds[0].revents & POLLIN)
			accepting = client_accept(lsock, clients, &n_clients);
	}
}

/* Two fds per client (its connection, the namespace it hands over), and the
 * spare's: room for all of them if the hard limit allows, whatever soft
 * limit sbx had. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = 2 * HOLDER_MAX_CLIENTS + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Nothing of sbx's stays open in a process that may live for a minute: the
 * caller's pipes, terminal and files would not see EOF otherwise. */
static int isolate_fds(int up, int down, const char *sock_path)
{
	char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), lock;
	char *slash;

	snprintf(lock_path, sizeof(lock_path), "%s", sock_path);
	slash = strrchr(lock_path, '/');
	if (null < 0 || !slash)
		return -1;
	strcpy(slash + 1, "lock");
	lock = open(lock_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (lock < 0)
		return -1;
	/* Out of the way first: one of them may sit where another goes. */
	up = fcntl(up, F_DUPFD_CLOEXEC, 16);
	down = fcntl(down, F_DUPFD_CLOEXEC, 16);
	lock = fcntl(lock, F_DUPFD_CLOEXEC, 16);
	null = fcntl(null, F_DUPFD_CLOEXEC, 16);
	if (up < 0 || down < 0 || lock < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup2(up, FD_UP) < 0 || dup2(down, FD_DOWN) < 0 ||
	    dup2(lock, FD_LOCK) < 0)
		return -1;
	close_all_except((int[]){ FD_UP, FD_DOWN, FD_LOCK }, 3);
	return 0;
}

static int listen_at(const char *sock_path, ino_t *ret_ino)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 4096) < 0 ||
	    lstat(sock_path, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	*ret_ino = st.st_ino;
	return fd;
}

void userns_holder_main(const char *sock_path, int up, int down)
{
	sigset_t none;
	struct stat st;
	ino_t ino = 0;
	int r = 0, lsock;
	pid_t me;
	char go = 0;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Spare keepers are reaped by the kernel: never waited for. */
	signal(SIGCHLD, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, 0);
	prctl(PR_SET_NAME, "sbx-userns-hold");
	raise_fd_limit();
	if (chdir("/") < 0 || isolate_fds(up, down, sock_path) < 0)
		_exit(1);
	if (unshare(CLONE_NEWUSER) < 0) {
		r = -errno;
		(void)write_all(FD_UP, &r, sizeof(r));
		_exit(1);
	}
	me = getpid();
	if (write_all(FD_UP, &me, sizeof(me)) < 0 || read(FD_DOWN, &go, 1) != 1 || go != 1)
		_exit(0);
	/* Mapped now: we are the caller's uid again, inside the namespace. */
	lsock = listen_at(sock_path, &ino);
	r = lsock < 0 ? lsock : 0;
	(void)write_all(FD_UP, &r, sizeof(r));
	close(FD_UP);
	close(FD_DOWN);
	if (r < 0)
		_exit(1);
	serve(lsock);
	/* Idle: remove our socket unless a newer holder took the name, under
	 * the lock starters hold while they replace one. */
	if (flock(FD_LOCK, LOCK_EX) == 0 && lstat(sock_path, &st) == 0 && st.st_ino == ino)
		unlink(sock_path);
	_exit(0);
}
