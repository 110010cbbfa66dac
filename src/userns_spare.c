/* userns_spare.c - the holder's spare namespaces: made in the holder, asked
 * for, handed over and checked by sbx (theory of operation in userns_spare.h) */
#include "autoconf.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns.h"
#include "userns_spare.h"
#include "util.h"

/* What the keeper makes, beside its user namespace: everything a sandbox
 * would otherwise unshare that does not depend on the sandbox's own view.
 * Not the mount namespace (a copy of the holder's, whose mounts may have
 * changed since), not the cgroup namespace (rooted at the holder's cgroup),
 * not the time namespace (its offsets are the sandbox's), not the pid
 * namespace (userns.h: struct userns_spare). The IPC namespace is most of
 * their cost (its mqueue mount and sysctl tables, ~50 us). */
#define KEEPER_NS_FLAGS (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* The keeper: made by clone(CLONE_NEWUSER) in the holder; once the holder
 * has written its maps (@go's first byte), it makes the other namespaces
 * (KEEPER_NS_FLAGS), brings lo up, reports, and stays until the holder has
 * opened them all (@go closed). Nothing else runs in it. */
static _Noreturn void keeper_main(int go, int ready)
{
	struct sbx_error e = { 0 };
	char byte;
	int r = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* A copy of the holder's fd table came with the clone: its listener,
	 * the other starts' connections and the mount namespaces it holds for
	 * them. We live in the namespaces the next sandbox gets, and may
	 * outlive the handover by a moment: keep only our pipes. */
	close_all_except((int[]){ go, ready }, 2);
	if (read(go, &byte, 1) != 1)
		_exit(1); /* the holder gave up: no maps */
	if (unshare(KEEPER_NS_FLAGS) < 0)
		r = errno;
	else if (ns_loopback_up(&e) < 0)
		r = e.err ? e.err : EIO;
	if (write_all(ready, &r, sizeof(r)) < 0)
		_exit(1);
	while (read(go, &byte, 1) > 0)
		;
	_exit(0);
}

static int open_ns(pid_t pid, const char *name)
{
	char path[48];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Is the process of @pidfd still running (not exited, not reaped)? */
static bool keeper_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	/* A pidfd is readable once its process has exited. */
	return pidfd >= 0 && poll(&p, 1, 0) == 0;
}

/* Once the keeper exists: its maps, then the go for the rest. */
static int keeper_map(pid_t pid, int go, const struct idmap *uid, const struct idmap *gid)
{
	int r = userns_write_map_file(pid, "uid_map", uid);

	/* The gid map is written with CAP_SETGID in our own namespace, so
	 * setgroups stays as ours is: the same as sbx writing it from here. */
	if (r == 0)
		r = userns_write_map_file(pid, "gid_map", gid);
	if (r == 0)
		r = write_all(go, "\1", 1);
	return r;
}

void userns_spare_abort(struct userns_spare_maker *m)
{
	int status;

	/* The keeper ends on EOF (or before its maps, on an error); not
	 * waited for: the holder ignores SIGCHLD, so the kernel reaps it. */
	if (m->go >= 0)
		close(m->go);
	if (m->ready >= 0)
		close(m->ready);
	if (m->pidfd >= 0)
		close(m->pidfd);
	if (m->pid > 0)
		(void)waitpid(m->pid, &status, WNOHANG);
	*m = USERNS_SPARE_MAKER_NONE;
}

int userns_spare_start(const struct idmap *uid, const struct idmap *gid,
		       struct userns_spare_maker *m)
{
	int go[2], ready[2], pidfd = -1, r;
	pid_t pid;

	*m = USERNS_SPARE_MAKER_NONE;
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		return r;
	}
	pid = ns_clone(CLONE_NEWUSER, &pidfd);
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		keeper_main(go[0], ready[1]);
	}
	close(go[0]);
	close(ready[1]);
	*m = (struct userns_spare_maker){
		.pid = pid > 0 ? pid : 0, .pidfd = pidfd, .go = go[1], .ready = ready[0]
	};
	r = pid < 0 ? pid : keeper_map(pid, m->go, uid, gid);
	if (r < 0)
		userns_spare_abort(m);
	return r;
}

int userns_spare_finish(struct userns_spare_maker *m, struct userns_spare *ret)
{
	static const char *const names[USERNS_SPARE_FDS] = { "user", "net", "ipc", "uts" };
	int fds[USERNS_SPARE_FDS] = { -1, -1, -1, -1 };
	int err = 0, r;

	r = read(m->ready, &err, sizeof(err)) == sizeof(err) ? -err : -ECHILD;
	for (size_t i = 0; i < USERNS_SPARE_FDS && r == 0; i++)
		if ((fds[i] = open_ns(m->pid, names[i])) < 0) {
			r = fds[i];
			fds[i] = -1;
		}
	/* The namespaces were opened by pid: those of the keeper only if it
	 * still runs now (so its pid was not reused meanwhile). A keeper
	 * killed after its report is reaped at once (SIGCHLD ignored), and
	 * its pid may already be another process's, a sandbox's say, whose
	 * namespaces would pass every check sbx makes. */
	if (r == 0 && !keeper_alive(m->pidfd))
		r = -ESRCH;
	userns_spare_abort(m);
	*ret = (struct userns_spare){ fds[0], fds[1], fds[2], fds[3] };
	if (r < 0)
		userns_spare_release(ret);
	return r;
}

int userns_spare_make(const struct idmap *uid, const struct idmap *gid, struct userns_spare *ret)
{
	struct userns_spare_maker m;
	int r = userns_spare_start(uid, gid, &m);

	*ret = USERNS_SPARE_NONE;
	return r < 0 ? r : userns_spare_finish(&m, ret);
}

int userns_spare_request(int conn, const struct idmap *uid, const struct idmap *gid)
{
	char msg[SPARE_REQUEST_MAX + 2];
	size_t n = 0;

	msg[n++] = 'S';
	n += idmap_format(uid, msg + n, IDMAP_MAX_TEXT);
	msg[n++] = '\0';
	n += idmap_format(gid, msg + n, IDMAP_MAX_TEXT);
	msg[n++] = '\0';
	if (n > sizeof(msg))
		return -E2BIG;
	if (send(conn, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

int userns_spare_parse_request(const char *msg, size_t len, struct idmap *ret_uid,
			       struct idmap *ret_gid)
{
	const char *uid_text = msg + 1, *gid_text, *end = msg + len;

	if (len < 3 || msg[0] != 'S' || msg[len - 1] != '\0')
		return -EINVAL;
	gid_text = memchr(uid_text, '\0', (size_t)(end - uid_text));
	if (!gid_text || ++gid_text >= end || memchr(gid_text, '\0', (size_t)(end - gid_text)) !=
							end - 1)
		return -EINVAL;
	if (idmap_parse(uid_text, ret_uid) < 0 || idmap_parse(gid_text, ret_gid) < 0 ||
	    ret_uid->n == 0 || ret_gid->n == 0)
		return -EINVAL;
	return 0;
}

int userns_spare_send(int conn, const struct userns_spare *s)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(USERNS_SPARE_FDS * sizeof(int))];
	} u;
	char byte = s->user >= 0 ? 'S' : 'N';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int fds[USERNS_SPARE_FDS] = { s->user, s->net, s->ipc, s->uts };

	if (s->user >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
	}
	if (sendmsg(conn, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/* Close every fd an SCM_RIGHTS message brought, whatever its shape. */
static void drop_rights(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

int userns_spare_recv(int conn, struct userns_spare *ret)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(USERNS_SPARE_FDS * sizeof(int))];
	} u;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct pollfd pfd = { .fd = conn, .events = POLLIN };
	struct cmsghdr *c;
	int fds[USERNS_SPARE_FDS], r;
	ssize_t n;

	*ret = USERNS_SPARE_NONE;
	do
		r = poll(&pfd, 1, SPARE_WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&msg);
	if (n == 1 && byte == 'N' && !c)
		return 0;
	if (n != 1 || byte != 'S' || (msg.msg_flags & MSG_CTRUNC) || !c ||
	    c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(fds)) || CMSG_NXTHDR(&msg, c)) {
		drop_rights(&msg);
		return -EPROTO;
	}
	memcpy(fds, CMSG_DATA(c), sizeof(fds));
	*ret = (struct userns_spare){ fds[0], fds[1], fds[2], fds[3] };
	return 0;
}

static bool same_ns(int a, int b)
{
	struct stat x, y;

	return a >= 0 && b >= 0 && fstat(a, &x) == 0 && fstat(b, &y) == 0 &&
	       x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Is @nsfd a namespace of type @type owned by the user namespace @user? */
static bool owned_by(int nsfd, int type, int user)
{
	_cleanup_close_ int owner_ns = -1;

	if (ioctl(nsfd, NS_GET_NSTYPE) != type)
		return false;
	owner_ns = ioctl(nsfd, NS_GET_USERNS);
	return same_ns(owner_ns, user);
}

/* A namespace file, before any namespace ioctl on it: the same request
 * numbers may mean something else to another file's driver. */
static bool is_nsfs(int fd)
{
	struct statfs sf;

	return fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == NSFS_MAGIC;
}

int userns_spare_check(const struct userns_spare *s, int parent_nsfd)
{
	_cleanup_close_ int parent = -1;
	uid_t owner;

	if (!is_nsfs(s->user) || !is_nsfs(s->net) || !is_nsfs(s->ipc) || !is_nsfs(s->uts))
		return -EPERM;
	if (ioctl(s->user, NS_GET_NSTYPE) != CLONE_NEWUSER)
		return -EPERM;
	if (ioctl(s->user, NS_GET_OWNER_UID, &owner) < 0 || owner != getuid())
		return -EPERM;
	parent = ioctl(s->user, NS_GET_PARENT);
	if (!same_ns(parent, parent_nsfd))
		return -EPERM;
	/* Owned by the spare's user namespace, so that the sandbox holds
	 * every capability over them, as over those it had unshared itself. */
	if (!owned_by(s->net, CLONE_NEWNET, s->user) || !owned_by(s->ipc, CLONE_NEWIPC, s->user) ||
	    !owned_by(s->uts, CLONE_NEWUTS, s->user))
		return -EPERM;
	return 0;
}
