/* userns_holder.c - sbx's side of the per-user parent user namespace: find
 * its holder, verify it, join the namespace, start a holder when needed
 * (theory of operation in userns_holder.h) */
#include "autoconf.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "userns_holder.h"
#include "userns_spare.h"
#include "util.h"

#define SUN_LEN_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* Our connection to the holder, kept open until we exit: the forked child
 * uses its copy once (userns_holder_hand_over()), the holder sees it close
 * when sbx ends. Module state, as the child has no plan of its own. */
static int holder_conn = -1;
/* The spare's request on holder_conn: 0 sent, or -errno (holder_join()). */
static int holder_asked = -ENOTCONN;

struct holder_ref {
	char dir[SUN_LEN_MAX];
	char sock[SUN_LEN_MAX];
};

static void note(struct userns_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct userns_plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->holder_note, sizeof(p->holder_note), fmt, ap);
	va_end(ap);
}

/* A directory of ours that nobody else can write: $XDG_RUNTIME_DIR/sbx, else
 * /tmp/sbx-UID (created 0700; one planted by another user is refused). */
static int holder_dir(struct holder_ref *h)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(h->dir, sizeof(h->dir), "%s/sbx", xdg);
	else
		n = snprintf(h->dir, sizeof(h->dir), "/tmp/sbx-%lu", (unsigned long)getuid());
	/* room for "/userns-<16 hex>.sock" */
	if (n < 0 || (size_t)n + 30 >= sizeof(h->dir))
		return -ENAMETOOLONG;
	if (mkdir(h->dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(h->dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

/* FNV-1a over both parent maps: the socket's name changes with /etc/subuid. */
static uint64_t maps_hash(const struct userns_plan *p)
{
	char text[2 * IDMAP_MAX_TEXT + 2];
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n = idmap_format(&p->uid_parent, text, IDMAP_MAX_TEXT);

	if (n >= IDMAP_MAX_TEXT) /* cannot be: the parent map is cut to fit a page */
		n = IDMAP_MAX_TEXT - 1;
	text[n++] = '|';
	idmap_format(&p->gid_parent, text + n, sizeof(text) - n);
	for (const char *s = text; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Connect to the holder and learn its pid. Neither needs the holder to run:
 * the connection waits in its backlog, and SO_PEERCRED is what it had at
 * listen(). So a start never waits for the holder to be scheduled. */
static int holder_connect(const char *path, pid_t *ret_pid, int *ret_sock)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (sock < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	/* Non-blocking: a backlog full of other starts gives EAGAIN at once. */
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (cred.uid != getuid() || cred.pid <= 0)
		return -EPERM; /* planted by another user (root): not ours */
	*ret_pid = cred.pid;
	*ret_sock = TAKE_FD(sock);
	return 0;
}

static bool same_inode(int fd_a, int fd_b)
{
	struct stat a, b;

	return fstat(fd_a, &a) == 0 && fstat(fd_b, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int read_at(int dirfd, const char *name, char *buf, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	size_t used = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (used + 1 < len && (n = read(fd, buf + used, len - used - 1)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	return used + 1 < len ? 0 : -EFBIG;
}

static bool map_matches(int procfd, const char *name, const struct idmap *want)
{
	char text[IDMAP_MAX_LINES * 40];
	struct idmap got;

	return read_at(procfd, name, text, sizeof(text)) == 0 && idmap_parse(text, &got) == 0 &&
	       idmap_equal(&got, want);
}

int userns_holder_check(int procfd, int nsfd, const struct idmap *uid_want,
			const struct idmap *gid_want, bool *ret_setgroups)
{
	_cleanup_close_ int parent = -1, self = -1, again = -1;
	char setgroups[16];
	uid_t owner;

	if (ioctl(nsfd, NS_GET_OWNER_UID, &owner) < 0 || owner != getuid())
		return -EPERM;
	parent = ioctl(nsfd, NS_GET_PARENT);
	self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (parent < 0 || self < 0 || !same_inode(parent, self))
		return -EPERM;
	if (!map_matches(procfd, "uid_map", uid_want) || !map_matches(procfd, "gid_map", gid_want))
		return -ESTALE;
	*ret_setgroups = read_at(procfd, "setgroups", setgroups, sizeof(setgroups)) == 0 &&
			 strncmp(setgroups, "allow", 5) == 0;
	/* The maps above are those of the namespace the process is in *now*:
	 * one that unshared a child namespace since @nsfd was opened (one it
	 * can map to read exactly like ours) would have shown that child's.
	 * A process cannot return to a namespace it left (setns() needs
	 * CAP_SYS_ADMIN there), so the same namespace now means the same
	 * namespace all along. */
	again = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	if (again < 0 || !same_inode(again, nsfd))
		return -EPERM;
	return 0;
}

/* The user namespace of process @pid, if it is one our holder should hold:
 * owned by us, a child of our own, mapped exactly as /etc/subuid and
 * /etc/subgid say now. Which process holds it does not matter (a pid reused
 * since the listen() only changes which namespace is checked). */
static int holder_verify(pid_t pid, struct userns_plan *p, int *ret_nsfd)
{
	_cleanup_close_ int procfd = -1, nsfd = -1;
	char path[32];
	int r;

	/* The directory pins the process: everything below is read from it. */
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	nsfd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	r = userns_holder_check(procfd, nsfd, &p->uid_parent, &p->gid_parent,
				&p->holder_setgroups);
	if (r < 0)
		return r;
	*ret_nsfd = TAKE_FD(nsfd);
	return 0;
}

/* Connect, verify, join. Only a successful setns() leaves us in the namespace. */
static int holder_join(const struct holder_ref *h, struct userns_plan *p, pid_t *ret_pid)
{
	_cleanup_close_ int nsfd = -1, sock = -1;
	int r = holder_connect(h->sock, ret_pid, &sock), asked = -ENOTCONN;

	/* Ask for the spare at once: the holder answers while we verify it
	 * and join (a round trip less on the start's path). The request holds
	 * only the maps, from /etc/subuid, nothing secret; the answer is read
	 * (take_spare()) only once this holder has passed every check, and a
	 * connection that fails them is closed unread. */
	if (r == 0)
		asked = userns_spare_request(sock, &p->uid_map, &p->gid_map);
	if (r == 0)
		r = holder_verify(*ret_pid, p, &nsfd);
	if (r == 0 && setns(nsfd, CLONE_NEWUSER) < 0)
		r = -errno;
	if (r == 0) {
		holder_conn = TAKE_FD(sock);
		holder_asked = asked;
	}
	return r;
}

/* Fork the holder (twice, so it is nobody's child of ours), map its
 * namespace with newuidmap/newgidmap, wait until it listens. */
static int holder_start(const struct holder_ref *h, struct userns_plan *p, pid_t *ret_pid)
{
	_cleanup_close_ int up_r = -1, up_w = -1, down_r = -1, down_w = -1;
	int fds[2], status, got = 0;
	bool uid_ok, gid_ok;
	char go;
	pid_t mid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	up_r = fds[0];
	up_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	down_r = fds[0];
	down_w = fds[1];
	mid = fork();
	if (mid < 0)
		return -errno;
	if (mid == 0) {
		pid_t holder;

		setsid();
		holder = fork();
		if (holder == 0)
			userns_holder_main(h->sock, up_w, down_r);
		_exit(holder < 0);
	}
	close(TAKE_FD(up_w));
	close(TAKE_FD(down_r));
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (read(up_r, &got, sizeof(got)) != sizeof(got) || got == 0)
		return -ECHILD;
	if (got < 0)
		return got; /* the holder could not unshare */
	*ret_pid = got;
	userns_run_helpers(got, &p->uid_parent, &p->gid_parent, &uid_ok, &gid_ok);
	go = uid_ok && gid_ok;
	/* Without the go the holder exits; its pipe then reads EOF. */
	if (write_all(down_w, &go, 1) < 0 || !go)
		return -EPERM;
	if (read(up_r, &got, sizeof(got)) != sizeof(got))
		return -ECHILD;
	return got;
}

/* How long a start waits for another one to finish replacing the holder.
 * That takes milliseconds; a lock held longer is held by a start that was
 * stopped, or by something else that can open the file (a sandbox given the
 * directory): then this start does without the holder rather than hang. */
#define HOLDER_LOCK_WAIT_S 2 /* seconds; see userns_holder.h */

static void lock_wait_over(int sig)
{
	(void)sig; /* only interrupts flock() */
}

/* flock(LOCK_EX) that gives up with -EINTR once HOLDER_LOCK_WAIT_S have
 * passed: a repeating timer, so that a tick landing just before flock()
 * blocks is followed by another. */
static int lock_bounded(int fd)
{
	struct sigaction sa = { .sa_handler = lock_wait_over }, old_sa;
	struct itimerval tick = { { HOLDER_LOCK_WAIT_S, 0 }, { HOLDER_LOCK_WAIT_S, 0 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	sigset_t alrm, old_mask;
	int r = 0;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: flock() returns EINTR */
	sigaction(SIGALRM, &sa, &old_sa);
	sigprocmask(SIG_UNBLOCK, &alrm, &old_mask);
	setitimer(ITIMER_REAL, &tick, NULL);
	if (flock(fd, LOCK_EX) < 0)
		r = -errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	return r;
}

static int lock_dir(const struct holder_ref *h)
{
	char path[SUN_LEN_MAX + 8];
	int fd, r;

	snprintf(path, sizeof(path), "%s/lock", h->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = lock_bounded(fd);
	if (r < 0) {
		close(fd);
		return r == -EINTR ? -ETIMEDOUT : r;
	}
	return fd;
}

static bool holder_wanted(struct userns_plan *p, bool enabled)
{
	const char *env = getenv("SBX_USERNS_HOLDER");

	if (!p->use_helpers)
		return false; /* root, --userns single, or no ranges: nothing to save */
	if (!enabled || (env && strcmp(env, "0") == 0)) {
		note(p, "newuidmap/newgidmap (holder off)");
		return false;
	}
	if (!idmap_outside_within(&p->uid_map, &p->uid_parent) ||
	    !idmap_outside_within(&p->gid_map, &p->gid_parent)) {
		note(p, "newuidmap/newgidmap (the ranges do not fit one parent map)");
		return false;
	}
	return true;
}

/* Joined: take the spare namespaces asked for in holder_join() (userns_spare.h). Without
 * one, or with one that fails the checks, the sandbox unshares its own.
 * Return: what happened, for -v */
static const char *take_spare(struct userns_plan *p)
{
	_cleanup_close_ int self = -1;
	int r = holder_asked; /* sent by holder_join() */

	if (r == 0)
		r = userns_spare_recv(holder_conn, &p->spare);
	if (r < 0)
		return r == -ETIMEDOUT ? "no answer" : "request failed";
	if (p->spare.user < 0)
		return "none ready";
	self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (self < 0 || userns_spare_check(&p->spare, self) < 0) {
		userns_spare_release(&p->spare);
		return "refused";
	}
	return "taken";
}

void userns_holder_enter(struct userns_plan *p, bool enabled)
{
	struct holder_ref h;
	_cleanup_close_ int lock = -1;
	const char *how = "joined", *spare;
	struct timespec t0, t1, t2;
	pid_t pid = 0;
	int r, n;

	if (!holder_wanted(p, enabled))
		return;
	r = holder_dir(&h);
	if (r < 0) {
		note(p, "newuidmap/newgidmap (holder: %s: %s)", h.dir, strerror(-r));
		return;
	}
	/* HOLDER_PROTOCOL in the name: a holder of an older sbx, which would
	 * not answer a request for its spare, is not found (it idles out). */
	n = snprintf(h.sock, sizeof(h.sock), "%s/userns-%s-%016llx.sock", h.dir, HOLDER_PROTOCOL,
		     (unsigned long long)maps_hash(p));
	if (n < 0 || (size_t)n >= sizeof(h.sock))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = holder_join(&h, p, &pid);
	/* EINVAL: we are threaded (setns refuses); EAGAIN: a backlog full of
	 * starts. Neither is the holder's fault: do not replace it. */
	if (r < 0 && r != -EINVAL && r != -EAGAIN) {
		/* None, a stale socket, or one not to trust: under the lock (a
		 * concurrent start may have just made one), replace it. */
		lock = lock_dir(&h);
		r = lock < 0 ? lock : holder_join(&h, p, &pid);
		if (r < 0 && r != -EINVAL && r != -EAGAIN && lock >= 0) {
			how = "started";
			unlink(h.sock);
			r = holder_start(&h, p, &pid);
			if (r == 0)
				r = holder_join(&h, p, &pid);
		}
	}
	if (r < 0) {
		note(p, "newuidmap/newgidmap (holder %s: %s)", h.sock, strerror(-r));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->via_holder = true;
	p->use_helpers = false;
	spare = take_spare(p);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	note(p, "/proc from the parent namespace of holder %s pid %d (%s in %.3f ms); spare %s in %.3f ms",
	     h.sock, (int)pid, how,
	     (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, spare,
	     (double)(t2.tv_sec - t1.tv_sec) * 1e3 + (double)(t2.tv_nsec - t1.tv_nsec) / 1e6);
}

void userns_holder_started(void)
{
	char byte = 'G';

	if (holder_conn >= 0)
		(void)send(holder_conn, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void userns_holder_hand_over(void)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	char byte = 'M';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	_cleanup_close_ int mnt = -1, conn = holder_conn;

	holder_conn = -1; /* the child's copy goes now: sbx's own is the one that counts */
	if (conn < 0)
		return;
	mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (mnt < 0)
		return;
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &mnt, sizeof(int));
	(void)sendmsg(conn, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}
