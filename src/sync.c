/* sync.c - SOCK_SEQPACKET messages with optional SCM_RIGHTS fds */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"

int sync_socketpair(int ret_fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
		return -errno;
	return 0;
}

int sync_send(int fd, const struct sync_msg *m, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (pass_fd >= 0) {
		struct cmsghdr *cm;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n >= 0)
			return n == (ssize_t)sizeof(*m) ? 0 : -EIO;
		if (errno != EINTR)
			return -errno;
	}
}

int sync_send_simple(int fd, enum sync_type type, int32_t value)
{
	struct sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.value = value;
	return sync_send(fd, &m, -1);
}

int sync_send_error(int fd, enum sync_type type, const struct sbx_error *e)
{
	struct sync_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.error = *e;
	return sync_send(fd, &m, -1);
}

int sync_recv(int fd, struct sync_msg *m, int *ret_fd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	if (ret_fd)
		*ret_fd = -1;
	/* A peer that closed with our message unread leaves ECONNRESET, which
	 * the kernel reports once, before the messages it had sent us (such
	 * as its error report): read on to get them, then EOF. */
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | flags);
	while (n < 0 && (errno == EINTR || errno == ECONNRESET));
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -EPIPE;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(cm), sizeof(int));
			if (ret_fd)
				*ret_fd = got;
			else
				close(got);
		}
	}
	if (n != (ssize_t)sizeof(*m))
		return -EBADMSG;
	m->error.msg[sizeof(m->error.msg) - 1] = '\0';
	return 0;
}
