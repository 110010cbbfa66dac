/* spawner.c - inside the sandbox: start `sbx enter`'s commands
 *
 * setns() from outside gives a process the sandbox's namespaces, not its
 * seccomp filter (and never the TCP bypass's listener, which belongs to the
 * filter the command loaded) nor its Landlock domain: those are only
 * inherited. So the command, its confinement complete and just before its
 * execvp(), forks the spawner (spawner_start()), which keeps all of it and
 * forks each entered process on request:
 *
 *   pid 1 ── command (execs)
 *        └─ spawner ── waiter ── entered process (execs)
 *
 * The spawner is re-parented to pid 1 by a double fork (the command never
 * has an unknown child to wait for) and dies with the sandbox like any of
 * its processes. sbx hands it each client's connection with the request
 * still unread; a waiter per request reads it (fds 0-2 with it), forks the
 * process in a new session (a terminal given becomes its controlling one:
 * job control), says its pid, forwards the client's signals and sends its
 * exit status.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "spawner.h"
#include "sync.h"
#include "util.h"

/* A request with its fds, as the waiter took it off the connection. */
struct enter_req {
	struct ctl_request req;
	int fds[3];
	const char *term;
	const char *dir;
	char *argv[CTL_ARGS_MAX + 1];
};

static void send_reply(int conn, enum ctl_type type, int32_t value, const struct sbx_error *e)
{
	struct ctl_reply r = { .type = type, .value = value };

	if (e)
		r.error = *e;
	send(conn, &r, sizeof(r), MSG_NOSIGNAL);
}

static __attribute__((format(printf, 4, 5))) int fail(int conn, int exit_code, int err,
							const char *fmt, ...)
{
	struct sbx_error e = { .err = err, .exit_code = exit_code };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	send_reply(conn, CTL_ERROR, 0, &e);
	return -1;
}

/* Split @r->req.data into TERM, the directory and the arguments. */
static int parse_request(struct enter_req *r)
{
	const char *p = r->req.data, *end = r->req.data + r->req.len;
	const char *words[2 + CTL_ARGS_MAX];
	uint32_t n = r->req.argc + 2;

	if (r->req.len > CTL_DATA_MAX || r->req.argc == 0 || r->req.argc > CTL_ARGS_MAX)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return -1;
		words[i] = p;
		p = nul + 1;
	}
	r->term = words[0];
	r->dir = words[1];
	for (uint32_t i = 0; i < r->req.argc; i++)
		r->argv[i] = (char *)words[i + 2];
	r->argv[r->req.argc] = NULL;
	return 0;
}

/* The request is queued whole on @conn (sbx only peeked at it). */
static int read_request(int conn, struct enter_req *r)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = &r->req, .iov_len = sizeof(r->req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(conn, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	size_t nfds = 0;

	r->fds[0] = r->fds[1] = r->fds[2] = -1;
	if (n < (ssize_t)CTL_REQUEST_HEAD)
		return fail(conn, SBX_EXIT_SETUP, EPROTO, "%s", "enter: no request");
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(r->fds, CMSG_DATA(cm), (nfds > 3 ? 3 : nfds) * sizeof(int));
		}
	if (nfds != 3 || (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) || r->req.type != CTL_ENTER ||
	    (size_t)n != CTL_REQUEST_HEAD + r->req.len || parse_request(r) < 0)
		return fail(conn, SBX_EXIT_SETUP, EPROTO, "%s", "enter: malformed request");
	return 0;
}

static _Noreturn void run_entered(int conn, struct enter_req *r)
{
	int err;

	/* A session of its own: a shell's job control, and the sandbox's
	 * first command's terminal signals never reach it. */
	setsid();
	if ((r->req.flags & CTL_ENTER_TTY) && ioctl(r->fds[0], TIOCSCTTY, 0) < 0) {
		fail(conn, SBX_EXIT_SETUP, errno, "%s", "enter: the terminal (TIOCSCTTY)");
		_exit(SBX_EXIT_SETUP);
	}
	for (int i = 0; i < 3; i++)
		if (dup2(r->fds[i], i) < 0)
			_exit(SBX_EXIT_SETUP);
	if (r->term[0])
		setenv("TERM", r->term, 1);
	if (r->dir[0] && chdir(r->dir) < 0) {
		fail(conn, SBX_EXIT_SETUP, errno, "--chdir %s", r->dir);
		_exit(SBX_EXIT_SETUP);
	}
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	execvp(r->argv[0], r->argv);
	err = errno;
	fail(conn, err == ENOENT || err == ENOTDIR ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC, err,
	     "cannot run '%s'", r->argv[0]);
	_exit(err == ENOENT || err == ENOTDIR ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC);
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : SBX_EXIT_SETUP;
}

/* Until the process ends: the client's signals go to its session. */
static void relay_until_exit(int conn, pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status;

	while (pidfd >= 0) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = conn, .events = POLLIN } };
		struct ctl_request req;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (!p[1].revents)
			continue;
		if (recv(conn, &req, sizeof(req), MSG_DONTWAIT) < (ssize_t)CTL_REQUEST_HEAD) {
			/* The client left: the process runs on, as after nohup. */
			close(pidfd);
			pidfd = -1;
			break;
		}
		/* Before its setsid() the process has no group of its own. */
		if (req.magic == CTL_MAGIC && req.type == CTL_KILL && kill(-pid, req.value) < 0)
			kill(pid, req.value);
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(0);
	send_reply(conn, CTL_EXITED, exit_code_of(status), NULL);
}

static _Noreturn void waiter(int conn)
{
	struct enter_req *r = calloc(1, sizeof(*r));
	pid_t pid;

	signal(SIGCHLD, SIG_DFL);
	if (!r || read_request(conn, r) < 0)
		_exit(0);
	pid = fork();
	if (pid < 0) {
		fail(conn, SBX_EXIT_SETUP, errno, "%s", "enter: fork");
		_exit(0);
	}
	if (pid == 0)
		run_entered(conn, r);
	for (int i = 0; i < 3; i++)
		close(r->fds[i]);
	send_reply(conn, CTL_STARTED, pid, NULL);
	relay_until_exit(conn, pid);
	_exit(0);
}

static _Noreturn void spawner_main(int chan)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* Out of the command's session and process group: its terminal's
	 * ^C is not for us. Nothing of the command's fds stays open here
	 * (sbx's lock, a pipe someone waits on to end). */
	setsid();
	close_all_except((int[2]){ chan, null }, 2);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	prctl(PR_SET_NAME, "sbx-spawner", 0, 0, 0);
	signal(SIGCHLD, SIG_IGN); /* the waiters reap themselves */
	for (;;) {
		struct sync_msg m;
		int conn = -1, r = sync_recv(chan, &m, &conn, 0);

		if (r < 0 && r != -EBADMSG && r != -EINTR)
			_exit(0);
		if (conn < 0)
			continue;
		if (m.type == SYNC_SPAWNER && fork() == 0) {
			close(chan);
			waiter(conn);
		}
		close(conn);
	}
}

void spawner_start(const struct child_plan *plan)
{
	struct sync_msg m = { .type = SYNC_SPAWNER };
	int sv[2] = { -1, -1 };
	pid_t mid = -1;

	if (!plan->spawner)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
		mid = fork();
		if (mid == 0) {
			close(sv[0]);
			if (fork() == 0)
				spawner_main(sv[1]);
			_exit(0);
		}
		close(sv[1]);
		while (mid > 0 && waitpid(mid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	/* Without a spawner too: sbx stops holding enter requests for one. */
	sync_send(plan->sync_fd, &m, mid > 0 ? sv[0] : -1);
	if (sv[0] >= 0)
		close(sv[0]);
}
