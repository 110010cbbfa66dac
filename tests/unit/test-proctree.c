/* test-proctree.c - pid 1's kills under --share-pid: by pidfd, and only the process meant */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proctree.h"
#include "tap.h"

static int procfd = -1;

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

	ok(proctree_read(procfd, getpid(), &self) == 0 && self.pid == getpid() && self.ppid == getppid() &&
		   self.start > 0,
	   "proctree_read: our own pid, parent and a start time");
	ok(proctree_read(procfd, getpid(), &again) == 0 && again.start == self.start,
	   "the start time does not change");
	ok(proctree_read(procfd, 0x7ffffffe, &again) == -ENOENT, "no such process: -ENOENT");
}

static void test_kill_checks_identity(void)
{
	struct proctree_entry e, wrong;
	pid_t child = start_sleeper();
	int status = 0, fd;

	ok(child > 0 && proctree_read(procfd, child, &e) == 0 && e.ppid == getpid(), "a child, read");
	wrong = e;
	wrong.start++;
	ok(proctree_kill(procfd, getpid(), &wrong, NULL) == -ESTALE && alive(child),
	   "another start time (a reused pid): -ESTALE, nothing signalled");
	ok(proctree_kill(procfd, getppid(), &e, NULL) == -ESTALE && alive(child),
	   "not a child of the root, no parent to vouch for it: -ESTALE, nothing signalled");
	fd = proctree_kill(procfd, getpid(), &e, NULL);
	ok(fd >= 0, "the process meant: killed, its pidfd returned");
	ok(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "it died of SIGKILL");
	if (fd >= 0)
		close(fd);
	ok(proctree_kill(procfd, getpid(), &e, NULL) == -ESRCH, "once reaped: -ESRCH");
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
	proctree_kill_descendants(procfd, getpid());
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 12; /* someone below us is left, or not reaped */
	if (kill(outsider, 0) < 0)
		return 13;
	return 0;
}

/* Alive, not a zombie (kill(pid, 0) succeeds on one whose parent has not reaped it). */
static bool running(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* A chain of @depth processes below us, each the child of the one before. */
static pid_t start_chain(int depth, int ready_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (int i = 1; i < depth; i++)
		if (fork() != 0)
			for (;;)
				pause();
	if (write(ready_fd, "c", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * In a subreaper: P, our child, and C, its child. A scan that saw another
 * process at P's pid (a start time that is not P's: the pid was reused)
 * vouches for nothing below it: C must live. Exit status 0 if it held.
 */
static int run_vouch(void)
{
	struct proctree_entry list[2];
	int ready[2];
	pid_t p, c;
	char b;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || pipe(ready) < 0)
		return 10;
	p = start_chain(2, ready[1]);
	if (p < 0 || read(ready[0], &b, 1) != 1)
		return 11;
	if (proctree_read(procfd, p, &list[0]) < 0)
		return 12;
	/* C is the only other process below us: find it through P's children. */
	c = 0;
	for (pid_t q = p + 1; q < p + 4096 && !c; q++) {
		struct proctree_entry e;
		if (proctree_read(procfd, q, &e) == 0 && e.ppid == p)
			c = q;
	}
	if (!c || proctree_read(procfd, c, &list[1]) < 0)
		return 13;
	list[0].start++; /* the scan saw someone else at P's pid */
	if (proctree_kill_list(procfd, getpid(), list, 2) != 2)
		return 14;
	if (!running(c))
		return 15; /* C was killed on the word of a stranger */
	if (!running(p))
		return 16;
	proctree_kill_descendants(procfd, getpid());
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 17;
	return 0;
}

/* In a subreaper: a chain deeper than the rounds allowed ends in one call. */
static int run_deep(void)
{
	int ready[2];
	char b;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 || pipe(ready) < 0)
		return 10;
	if (start_chain(200, ready[1]) < 0 || read(ready[0], &b, 1) != 1)
		return 11;
	proctree_kill_descendants(procfd, getpid());
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		return 12;
	return 0;
}

static int in_child(int (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int r = fn();
		/* Nothing left behind, even when a check failed early. */
		proctree_kill_descendants(procfd, getpid());
		_exit(r);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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

static void test_open_proc(void)
{
	struct sbx_error e = { 0 };
	char dir[] = "/tmp/test-proctree-XXXXXX";
	int fd = -1;


	ok(mkdtemp(dir) != NULL, "a scratch directory");
	ok(proctree_open_proc(dir, &fd, &e) == -EMEDIUMTYPE && fd == -1,
	   "a directory that is not procfs is refused (%s)", e.msg);
	rmdir(dir);
	ok(proctree_open_proc("/nonexistent-proc", &fd, &e) == -ENOENT, "no such directory: -ENOENT");
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? write(fd, s, strlen(s)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * In a user and mount namespace of our own (as a command given CAP_SYS_ADMIN
 * could): a stat file of our making is mounted over /proc/VICTIM, naming it
 * our child. A scan of our procfd must not read it, nor kill VICTIM.
 * Exit status 0 if all held, 77 if no namespace could be made.
 */
static int run_covered(pid_t victim)
{
	char path[128], map[64], text[256];
	struct proctree_entry ent;
	struct sbx_error e = { 0 };
	uid_t uid = getuid();
	gid_t gid = getgid();
	int fd;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 77;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_str("/proc/self/uid_map", map) < 0 || write_str("/proc/self/setgroups", "deny") < 0)
		return 77;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_str("/proc/self/gid_map", map) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	/* Opened first, as pid 1 does before the command runs. */
	close(procfd);
	if (proctree_open_proc("/proc", &procfd, &e) < 0)
		return 19;
	snprintf(path, sizeof(path), "/proc/%d", (int)victim);
	if (mount("none", path, "tmpfs", 0, NULL) < 0)
		return 20;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)victim);
	snprintf(text, sizeof(text), "%d (victim) S %d 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n",
		 (int)victim, (int)getpid());
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return 21;
	close(fd);
	/* A plain open() of /proc/VICTIM/stat now reads the forgery (the old
	 * scan did); through the procfd, the mount is not crossed. */
	if (proctree_read(procfd, victim, &ent) != -EXDEV)
		return 23;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return 24;
	proctree_kill_descendants(procfd, getpid());
	if (kill(victim, 0) < 0)
		return 25;
	return 0;
}

static void test_covered_proc(void)
{
	pid_t victim = start_sleeper(), sub;
	int status = -1;

	sub = fork();
	if (sub == 0)
		_exit(run_covered(victim));
	waitpid(sub, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77 && !getenv("SBX_MUST_WORK")) {
		printf("ok %d - # SKIP no user namespace here\n", ++tap_n);
		printf("ok %d - # SKIP no user namespace here\n", ++tap_n);
	} else {
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "a stat file mounted over /proc/PID is refused (-EXDEV), not believed (status %d)",
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		ok(alive(victim), "the process it named still runs");
	}
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
}

int main(void)
{
	struct sbx_error e = { 0 };

	if (proctree_supported() < 0) {
		printf("1..0 # SKIP no pidfd_open here\n");
		return 77;
	}
	if (proctree_open_proc("/proc", &procfd, &e) < 0) {
		printf("Bail out! /proc: %s\n", e.msg);
		return 1;
	}
	test_open_proc();
	test_covered_proc();
	test_read();
	test_kill_checks_identity();
	test_kill_descendants();
	{
		int r = in_child(run_vouch);
		ok(r == 0, "a parent whose pid was reused since the scan vouches for no child (status %d)", r);
		r = in_child(run_deep);
		ok(r == 0, "a chain 200 deep ends in one call, nothing left (status %d)", r);
	}
	return tap_done();
}
