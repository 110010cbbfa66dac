/* test-proctree.c - pid 1's kills under --share-pid: by pidfd, and only the process meant */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proctree.h"
#include "tap.h"

/* A child that waits to be killed. */
static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static bool alive(pid_t child)
{
	return waitpid(child, NULL, WNOHANG) == 0;
}

static void test_read(void)
{
	struct proctree_entry self, again;

	ok(proctree_read(getpid(), &self) == 0 && self.pid == getpid() && self.ppid == getppid() &&
		   self.start > 0,
	   "proctree_read: our own pid, parent and a start time");
	ok(proctree_read(getpid(), &again) == 0 && again.start == self.start,
	   "the start time does not change");
	ok(proctree_read(0x7ffffffe, &again) == -ENOENT, "no such process: -ENOENT");
}

static void test_kill_checks_identity(void)
{
	struct proctree_entry e, wrong;
	pid_t child = start_sleeper();
	int status = 0, fd;

	ok(child > 0 && proctree_read(child, &e) == 0 && e.ppid == getpid(), "a child, read");
	wrong = e;
	wrong.start++;
	ok(proctree_kill(&wrong) == -ESTALE && alive(child),
	   "another start time (a reused pid): -ESTALE, nothing signalled");
	wrong = e;
	wrong.ppid = getppid();
	ok(proctree_kill(&wrong) == -ESTALE && alive(child),
	   "another parent: -ESTALE, nothing signalled");
	fd = proctree_kill(&e);
	ok(fd >= 0, "the process meant: killed, its pidfd returned");
	ok(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "it died of SIGKILL");
	if (fd >= 0)
		close(fd);
	ok(proctree_kill(&e) == -ESRCH, "once reaped: -ESRCH");
}

/* In a subreaper: a child and a grandchild are killed, a process outside
 * (our parent's other child) is not. Exit status 0 if all held. */
static int run_subreaper(pid_t outsider)
{
	int ready[2];
	pid_t a;
	char b;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || pipe(ready) < 0)
		return 10;
	a = fork();
	if (a == 0) {
		if (fork() == 0) {
			/* The grandchild, in a session of its own like a daemon. */
			setsid();
			if (write(ready[1], "g", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		for (;;)
			pause();
	}
	if (a < 0 || read(ready[0], &b, 1) != 1)
		return 11;
	proctree_kill_descendants(getpid());
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 12; /* someone below us is left, or not reaped */
	if (kill(outsider, 0) < 0)
		return 13;
	return 0;
}

static void test_kill_descendants(void)
{
	pid_t outsider = start_sleeper(), sub;
	int status = -1;

	sub = fork();
	if (sub == 0)
		_exit(run_subreaper(outsider));
	waitpid(sub, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "proctree_kill_descendants: child and grandchild killed and reaped, an outsider left (status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(alive(outsider), "the outsider still runs");
	kill(outsider, SIGKILL);
	waitpid(outsider, NULL, 0);
}

int main(void)
{
	if (proctree_supported() < 0) {
		printf("1..0 # SKIP no pidfd_open here\n");
		return 77;
	}
	test_read();
	test_kill_checks_identity();
	test_kill_descendants();
	return tap_done();
}
