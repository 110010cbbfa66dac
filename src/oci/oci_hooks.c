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

/* A hook need not read its stdin: the EPIPE of one that exited first is no
 * error, and its SIGPIPE is held back and dropped, not ignored (an ignored
 * SIGPIPE would be inherited by what sbx-oci starts later). */
static void write_state(int fd, const char *state)
{
	const struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	write_all(fd, state, strlen(state));
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static int run_one(const struct oci_hook *h, const char *state, const char *what,
		   struct sbx_error *e)
{
	_cleanup_close_ int pidfd = -1;
	int pipefd[2], status = 0;
	char *const no_args[] = { h->path, NULL };
	char *const no_env[] = { NULL };
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
		if (dup2(pipefd[0], STDIN_FILENO) < 0)
			_exit(127);
		execve(h->path, h->args ? h->args : no_args, h->env ? h->env : no_env);
		_exit(127);
	}
	close(pipefd[0]);
	write_state(pipefd[1], state);
	close(pipefd[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (h->timeout > 0 && pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int n;

		while ((n = poll(&p, 1, h->timeout * 1000)) < 0 && errno == EINTR)
			;
		if (n == 0)
			kill(pid, SIGKILL);
	}
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
