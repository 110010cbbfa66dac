/* proc.c - sbx's own child processes: pidfds, signals, reaping, exit statuses
 *
 * sbx has few children (the sandbox's first process, the network helper,
 * newuidmap/newgidmap) and reaps each by its own pid or pidfd, never with
 * waitpid(-1): one part of sbx must not collect another part's child.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

void proc_adopt(struct proc *p, pid_t pid)
{
	p->pid = pid;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0)
		p->pidfd = -1;
}

int proc_signal(const struct proc *p, int sig)
{
	if (p->pid <= 0)
		return -ESRCH;
	/* A pidfd cannot hit a recycled pid. */
	if (p->pidfd >= 0 && syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) == 0)
		return 0;
	if (p->pidfd >= 0 && errno != ENOSYS)
		return -errno;
	return kill(p->pid, sig) < 0 ? -errno : 0;
}

static int status_from_siginfo(const siginfo_t *si)
{
	/* Back into waitpid()'s encoding, so WIFEXITED() and friends work. */
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	default:
		return si->si_status & 0x7f;
	}
}

static void proc_forget(struct proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	*p = PROC_NONE;
}

/* waitid() on @p's pidfd, or on its pid before Linux 5.4 (no P_PIDFD). */
static int proc_wait(struct proc *p, int flags, siginfo_t *si)
{
	int r = -1;

	memset(si, 0, sizeof(*si));
	if (p->pidfd >= 0) {
		do
			r = waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, si, WEXITED | flags);
		while (r < 0 && errno == EINTR);
		if (r == 0 || errno != EINVAL)
			return r < 0 ? -errno : 0;
	}
	do
		r = waitid(P_PID, (id_t)p->pid, si, WEXITED | flags);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int proc_try_reap(struct proc *p, int *ret_status)
{
	siginfo_t si;
	int r;

	if (p->pid <= 0)
		return -ECHILD;
	r = proc_wait(p, WNOHANG, &si);
	if (r < 0)
		return r;
	if (si.si_pid == 0)
		return 0;
	*ret_status = status_from_siginfo(&si);
	proc_forget(p);
	return 1;
}

int proc_end(struct proc *p, int *ret_status)
{
	siginfo_t si;
	int r;

	if (p->pid <= 0)
		return -ECHILD;
	proc_signal(p, SIGKILL);
	r = proc_wait(p, 0, &si);
	if (r == 0 && ret_status)
		*ret_status = status_from_siginfo(&si);
	proc_forget(p);
	return r;
}

void proc_kill_and_reap(struct proc *p)
{
	proc_end(p, NULL);
}

int proc_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

void proc_describe(int status, char *buf, size_t len)
{
	const char *name;

	if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
		return;
	}
	name = sigabbrev_np(WTERMSIG(status));
	if (name)
		snprintf(buf, len, "killed by SIG%s", name);
	else
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
}

void proc_helper_detach(pid_t parent, int *keep, size_t n_keep)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
	sigset_t none;
	int null;

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* sbx died between fork() and the line above: nobody would kill us. */
	if (getppid() != parent)
		_exit(0);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	close_all_except(keep, n_keep);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	stderr_write_only(null);
	if (null > STDERR_FILENO)
		close(null);
}
