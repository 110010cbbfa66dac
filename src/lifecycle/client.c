/* client.c - the control socket's client side, shared by the verbs */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "util.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

bool client_peer_outside_sandboxes(int fd)
{
	_cleanup_close_ int pidfd = -1;
	socklen_t len = sizeof(struct ucred);
	struct ucred cr;
	char path[64], buf[2048];
	const char *ns;
	ssize_t n;
	int info;

	/* A peer in a pid namespace above ours has pid 0 here. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.pid <= 0)
		return false;
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
		pidfd = (int)syscall(SYS_pidfd_open, cr.pid, 0); /* before Linux 6.5 */
	if (pidfd < 0)
		return false;
	/* Our own pidfd's NSpid: its pid in our namespace, then in each
	 * below down to its own. /proc/PID/ns would need ptrace access,
	 * which a rootless supervisor (in a user namespace) lacks. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return false;
	n = read(info, buf, sizeof(buf) - 1);
	close(info);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	ns = strstr(buf, "\nNSpid:");
	if (!ns)
		return false;
	ns += strlen("\nNSpid:");
	while (*ns == '\t' || *ns == ' ')
		ns++;
	/* One number, not 0 (outside our namespace) nor -1 (gone). */
	if (*ns < '1' || *ns > '9')
		return false;
	ns += strspn(ns, "0123456789");
	return *ns == '\n' || *ns == '\0';
}

int client_connect(const char *name, struct registry_entry *reg, int *ret_fd, struct sbx_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int r = registry_open(reg, name, e);

	if (r < 0)
		return r;
	path = registry_path(reg, REGISTRY_CTL);
	if (strlen(path) >= sizeof(sa.sun_path))
		return sbx_error_set(e, ENAMETOOLONG, "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sbx_error_set(e, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return sbx_error_set(e, errno, "sandbox '%s': its control socket", name);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return sbx_error_set(e, errno, "SO_PEERCRED");
	if (cr.uid != getuid())
		return sbx_error_set(e, 0, "sandbox '%s' is served by uid %u, not by you: refusing",
				     name, (unsigned)cr.uid), -EACCES;
	/* Not a socket a sandbox given the registry's directory put there. */
	if (!client_peer_outside_sandboxes(fd))
		return sbx_error_set(e, 0,
				     "sandbox '%s' is not served from this pid namespace (inside a sandbox?): refusing",
				     name), -EACCES;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int client_send(int fd, const struct ctl_request *req, const int *fds, size_t n_fds)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)req, .iov_len = CTL_REQUEST_HEAD + req->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n_fds > 3 || req->len > CTL_DATA_MAX)
		return -EINVAL;
	if (n_fds) {
		struct cmsghdr *cm;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n_fds * sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int client_recv(int fd, struct ctl_reply *rep)
{
	for (;;) {
		ssize_t n = recv(fd, rep, sizeof(*rep), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (n == 0)
			return -EPIPE;
		if (n != (ssize_t)sizeof(*rep))
			return -EBADMSG;
		rep->error.msg[sizeof(rep->error.msg) - 1] = '\0';
		return 0;
	}
}

int client_fail(const struct sbx_error *e)
{
	log_error(e);
	return e->exit_code ? e->exit_code : SBX_EXIT_SETUP;
}
