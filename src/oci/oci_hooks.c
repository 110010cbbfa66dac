/* oci_hooks.c - running config.json's hooks: the state on stdin, a time-out */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci_hooks.h"
#include "util.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before @deadline (-1: none), for poll(). */
static int left_ms(long long deadline)
{
	long long left = deadline - now_ms();

	if (deadline < 0)
		return -1;
	return left > 0 ? (int)left : 0;
}

/* The state goes in as far as the hook takes it before it ends or its
 * time-out: a hook need not read its stdin, and a state larger than the
 * pipe must not block us past the time-out. The EPIPE of a hook that exited
 * first is no error, and its SIGPIPE is held back and dropped, not ignored
 * (an ignored SIGPIPE would be inherited by what sbx-oci starts later).
 * Return: false when the time-out passed. */
static bool write_state(int fd, int pidfd, const char *state, long long deadline)
{
	const struct timespec zero = { 0, 0 };
	size_t off = 0, len = strlen(state);
	sigset_t pipe_set, old;
	bool in_time = true;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (off < len) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLOUT }, { .fd = pidfd, .events = POLLIN } };
		int n = poll(p, pidfd >= 0 ? 2 : 1, left_ms(deadline));
		ssize_t w;

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			in_time = false;
		if (n <= 0 || p[1].revents)
			break;
		w = write(fd, state + off, len - off);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (w > 0)
			off += (size_t)w;
	}
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return in_time;
}

static int run_one(const struct oci_hook *h, const char *state, const char *what,
		   struct sbx_error *e)
{
	_cleanup_close_ int pidfd = -1;
	int pipefd[2], status = 0;
	char *const no_args[] = { h->path, NULL };
	char *const no_env[] = { NULL };
	long long deadline = h->timeout > 0 ? now_ms() + h->timeout * 1000LL : -1;
	bool in_time;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return sbx_error_set(e, errno, "hooks.%s: pipe", what);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return sbx_error_set(e, errno, "hooks.%s: fork", what);
	}
	if (pid == 0) {
		sigset_t none;

		/* Not what sbx-oci holds back while it waits (create, run). */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(pipefd[0], STDIN_FILENO) < 0)
			_exit(127);
		execve(h->path, h->args ? h->args : no_args, h->env ? h->env : no_env);
		_exit(127);
	}
	close(pipefd[0]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	in_time = write_state(pipefd[1], pidfd, state, deadline);
	close(pipefd[1]);
	if (in_time && deadline >= 0 && pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int n;

		while ((n = poll(&p, 1, left_ms(deadline))) < 0 && errno == EINTR)
			;
		in_time = n != 0;
	}
	if (!in_time)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sbx_error_set(e, errno, "hooks.%s %s: wait", what, h->path);
	if (WIFSIGNALED(status))
		return sbx_error_set(e, EINTR, "hooks.%s %s: killed by signal %d%s", what, h->path,
				     WTERMSIG(status), h->timeout ? " (time-out?)" : "");
	if (WEXITSTATUS(status))
		return sbx_error_set(e, 0, "hooks.%s %s: exit status %d", what, h->path,
				     WEXITSTATUS(status));
	return 0;
}

int oci_hooks_run(const struct oci_hook *hooks, size_t n, const char *state, const char *what,
		  struct sbx_error *e)
{
	for (size_t i = 0; i < n; i++) {
		int r = run_one(&hooks[i], state, what, e);

		if (r < 0)
			return r;
	}
	return 0;
}
