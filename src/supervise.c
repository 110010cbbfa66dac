/* supervise.c - signal forwarding and job-control relay outside the sandbox */
#include "autoconf.h"

#include <poll.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "bypass.h"
#include "log.h"
#include "pid1.h"
#include "pollset.h"
#include "supervise.h"
#include "sync.h"
#include "util.h"

void kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void send_to_sandbox(const struct supervise_target *t, int sig)
{
	/* A pidfd cannot hit a recycled pid. */
	if (t->pidfd >= 0 && syscall(SYS_pidfd_send_signal, t->pidfd, sig, NULL, 0) == 0)
		return;
	kill(t->pid, sig);
}

static void reclaim_terminal(const struct supervise_target *t)
{
	sigset_t ttou, old;

	if (!t->own_tty)
		return;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(STDIN_FILENO, getpgrp());
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Handle one message. Return: 0, -EAGAIN when none is queued, -EPIPE at the end. */
static int handle_message(const struct supervise_target *t, int flags)
{
	struct sync_msg m;
	int fd = -1, r = sync_recv(t->sync_fd, &m, &fd, flags);

	if (r < 0)
		return r;
	if (fd >= 0) {
		if (m.type == SYNC_NET_BYPASS && t->bypass)
			bypass_take_listener(t->bypass, TAKE_FD(fd));
		else
			close(fd);
	}
	switch (m.type) {
	case SYNC_EXEC_ERROR:
	case SYNC_SETUP_ERROR:
		log_error(&m.error);
		break;
	case SYNC_LOG:
		log_verbose(1, "%s", m.error.msg);
		break;
	case SYNC_CMD_STOPPED:
		/* The command stopped at the terminal (^Z): stop ourselves too,
		 * so the user's shell sees a stopped job. Its `fg` sends us
		 * SIGCONT, which pid 1 turns into the command's resumption. */
		reclaim_terminal(t);
		kill(getpid(), SIGSTOP);
		break;
	default:
		break;
	}
	return 0;
}

static int collect_status(const struct supervise_target *t)
{
	int status;
	pid_t r;

	do
		r = waitpid(t->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	/* Whatever the sandbox said before it ended is already queued. */
	while (handle_message(t, MSG_DONTWAIT) == 0)
		;
	reclaim_terminal(t);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

static void cleanup_pollset(struct pollset *ps)
{
	free(ps->fds);
}

int supervise(const struct supervise_target *t)
{
	_cleanup_close_ int sfd = -1;
	__attribute__((cleanup(cleanup_pollset))) struct pollset ps = { 0 };
	bool sync_open = true, failed = false;
	struct sbx_error e = { 0 };
	sigset_t set;

	pid1_forwarded_signals(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		log_warn("signalfd: %s", strerror(errno));
		return 125;
	}
	for (;;) {
		int status, n, timeout = -1;
		size_t sig_idx, sync_idx, bypass_idx;

		ps.n = 0;
		sig_idx = pollset_add(&ps, sfd, POLLIN);
		sync_idx = pollset_add(&ps, sync_open ? t->sync_fd : -1, POLLIN);
		bypass_idx = pollset_add(&ps, t->bypass ? bypass_watch_fd(t->bypass) : -1, POLLIN);
		n = poll(ps.fds, ps.n, timeout);
		if (n < 0 && errno != EINTR)
			return 125;
		if (n < 0)
			continue;
		if (pollset_revents(&ps, bypass_idx) && bypass_event(t->bypass, &e) < 0) {
			/* Its connect() calls would fail (ENOSYS): end the sandbox. */
			log_error(&e);
			send_to_sandbox(t, SIGKILL);
			failed = true;
		}
		if (pollset_revents(&ps, sync_idx)) {
			int r = handle_message(t, MSG_DONTWAIT);
			sync_open = r == 0 || r == -EAGAIN;
		}
		if (pollset_revents(&ps, sig_idx) & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGCHLD) {
				status = collect_status(t);
				if (status >= 0)
					return failed ? SBX_EXIT_SETUP : status;
				continue;
			}
			send_to_sandbox(t, (int)si.ssi_signo);
		}
	}
}
