/* lifecycle_detach.c - --detach: sbx goes to the background
 *
 * sbx forks once the name is claimed: the parent waits until the command
 * has started (it prints the name) or the sandbox failed (it prints the
 * child's log), the child goes on as the supervisor in a session of its own,
 * its output to the log in the state directory. The child tells the parent
 * over a pipe when the sandbox can be entered (lifecycle_detach_ready()),
 * and with it how much of the log is sbx's own lines from before the
 * sandbox started (warnings, -v): the parent prints those, so that a
 * detached start says what a foreground one would have, and nothing the
 * command wrote.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "lifecycle_detach.h"
#include "lifecycle_int.h"
#include "util.h"

/* Copy the first @len bytes of @log_fd to our stderr. */
static void print_said(int log_fd, uint64_t len)
{
	char buf[4096];
	uint64_t off = 0;
	ssize_t n;

	while (off < len) {
		n = pread(log_fd, buf, len - off < sizeof(buf) ? len - off : sizeof(buf), (off_t)off);
		if (n <= 0)
			break;
		if (write_all(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
		off += (uint64_t)n;
	}
}

/* The detached parent: wait for "started" or the child's end. */
static int wait_for_detached(struct lifecycle *l, pid_t child, int ready_fd, int log_fd)
{
	char buf[4096];
	uint64_t said;
	ssize_t n;
	int status;

	do
		n = read(ready_fd, &said, sizeof(said));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(said)) {
		print_said(log_fd, said);
		printf("%s\n", l->reg.name);
		return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
	}
	/* It failed before the command ran: what it said is in its log. */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	while ((n = read(log_fd, buf, sizeof(buf))) > 0)
		if (write_all(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
	return WIFEXITED(status) ? WEXITSTATUS(status) : SBX_EXIT_SETUP;
}

int lifecycle_detach_hold_stdio(struct sbx_error *e)
{
	/* Lowest first: open() takes the lowest free number, this one. */
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0)
			return sbx_error_set(e, errno, "--detach: /dev/null");
		if (null != fd) {
			close(null);
			return sbx_error_set(e, EBADF, "--detach: fd %d", fd);
		}
	}
	return 0;
}

/* The detached child: a session of its own, the log for output. */
static int become_detached(struct lifecycle *l, struct sbx_error *e)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int log = openat(l->reg.dirfd, REGISTRY_LOG, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);

	if (null < 0 || log < 0 || setsid() < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0) {
		int err = errno;
		if (null >= 0)
			close(null);
		if (log >= 0)
			close(log);
		return sbx_error_set(e, err, "--detach");
	}
	close(null);
	close(log);
	return 0;
}

int lifecycle_detach(struct lifecycle *l, int *ret_status, struct sbx_error *e)
{
	_cleanup_close_ int log_fd = -1;
	int ready[2];
	pid_t pid;

	log_fd = openat(l->reg.dirfd, REGISTRY_LOG,
			O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return sbx_error_set(e, errno, "%s/%s", l->reg.dir, REGISTRY_LOG);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return sbx_error_set(e, errno, "--detach: pipe");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return sbx_error_set(e, errno, "--detach: fork");
	}
	if (pid > 0) {
		close(ready[1]);
		*ret_status = wait_for_detached(l, pid, ready[0], log_fd);
		close(ready[0]);
		return 1;
	}
	close(ready[0]);
	l->detach_fd = ready[1];
	return become_detached(l, e);
}

void lifecycle_detach_mark(struct lifecycle *l)
{
	off_t end;

	if (!l || l->detach_fd < 0)
		return;
	fflush(stderr);
	end = lseek(STDERR_FILENO, 0, SEEK_END);
	l->detach_said = end > 0 ? (uint64_t)end : 0;
}

void lifecycle_detach_ready(struct lifecycle *l)
{
	if (l->detach_fd >= 0) {
		/* One write of a few bytes to a pipe: all or nothing. */
		if (write(l->detach_fd, &l->detach_said, sizeof(l->detach_said)) < 0) {
			/* The parent is gone: nobody to tell. */
		}
		close(l->detach_fd);
		l->detach_fd = -1;
	}
}
