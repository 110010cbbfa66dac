/* pid1.c - init inside the sandbox */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "bwrap_inside.h"
#include "caps.h"
#include "exec.h"
#include "exec_start.h"
#include "pid1.h"
#include "proctree.h"
#include "sync.h"
#include "util.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void pid1_forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGCONT);
}

static int status_to_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return SBX_EXIT_SETUP;
}

/* With --share-pid there is no pid namespace whose end kills everything, so
 * pid 1 hears of sbx's death through this signal instead of dying at once. */
#define PARENT_DIED_SIGNAL (SIGRTMIN + 2)

struct pid1_state {
	const struct child_plan *plan;
	pid_t command;
	bool command_stopped;
	int procfd; /* --share-pid: the /proc checked before the command ran */
};

/* Reap every zombie; return the command's exit code once it is gone, else -1. */
static int reap(struct pid1_state *s)
{
	int status, result = -1;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG | WUNTRACED)) > 0) {
		if (pid != s->command)
			continue;
		if (WIFSTOPPED(status)) {
			/* Only a terminal-driven stop is passed out, so the
			 * user's shell can put sbx itself in the background. */
			int sig = WSTOPSIG(status);
			if (s->plan->take_tty &&
			    (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)) {
				s->command_stopped = true;
				sync_send_simple(s->plan->sync_fd, SYNC_CMD_STOPPED, sig);
			}
			continue;
		}
		result = status_to_exit_code(status);
	}
	return result;
}

/* Only there to interrupt tcsetpgrp() (see resume_command()). */
static void interrupt_only(int sig)
{
	(void)sig;
}

static void resume_command(struct pid1_state *s)
{
	struct sigaction interrupt = { .sa_handler = interrupt_only }, old; /* no SA_RESTART */
	sigset_t ttou, old_mask;

	if (!s->command_stopped)
		return;
	s->command_stopped = false;
	/* sbx was continued. By fg, in the foreground: give the terminal to
	 * the command's group again. By bg, in the background: there
	 * tcsetpgrp() makes the kernel send SIGTTOU to our group and restart
	 * the call, for ever for an init process, which never gets that
	 * signal's default action. A handler without SA_RESTART turns it
	 * into EINTR, and the job goes on in the background, as a job of the
	 * shell should. (sbx ignores SIGTTOU while it supervises.) */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigaction(SIGTTOU, &interrupt, &old);
	sigprocmask(SIG_UNBLOCK, &ttou, &old_mask);
	tcsetpgrp(STDIN_FILENO, s->command);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGTTOU, &old, NULL);
	kill(-s->command, SIGCONT);
}

static _Noreturn void fail(const struct child_plan *plan, const struct sbx_error *e)
{
	sync_send_error(plan->sync_fd, SYNC_SETUP_ERROR, e);
	_exit(SBX_EXIT_SETUP);
}

/* --share-pid: orphans of the command are ours to reap, and ours to kill
 * when it ends or sbx dies, through pidfds (proctree.c): refuse to start
 * without them rather than kill by pid numbers the host may have reused,
 * and without a /proc that shows them (opened now, before the command could
 * cover it with one of its own making). */
static int become_subreaper(const struct sbx_config *c, struct pid1_state *s, sigset_t *set,
			    struct sbx_error *e)
{
	const struct child_plan *plan = s->plan;
	char why[SBX_ERROR_MSG_MAX];
	int r = proctree_supported();

	if (r < 0)
		return sbx_error_set(e, r, "--share-pid needs pidfds (Linux 5.3): pidfd_open");
	r = proctree_open_proc("/proc", &s->procfd, e);
	if (r < 0) {
		sbx_error_format(e, why, sizeof(why));
		return sbx_error_set(e, 0, "--share-pid: %s: pid 1 could not end what the command leaves behind",
				     why);
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "--share-pid: cannot become a subreaper");
	if (c->die_with_parent) {
		sigaddset(set, PARENT_DIED_SIGNAL);
		sigprocmask(SIG_BLOCK, set, NULL);
		prctl(PR_SET_PDEATHSIG, PARENT_DIED_SIGNAL, 0, 0, 0);
		/* sbx may have died before the line above. */
		if (getppid() != plan->parent_pid)
			kill(getpid(), PARENT_DIED_SIGNAL);
	}
	return 0;
}

/* pid 1 keeps 0, 1, 2 (the terminal, for job control) and @keep (its sync
 * socket, the gate, /proc; -1 for none). Whatever else the caller left open,
 * e.g. a pipe whose reader waits for EOF, or --pass-fd (the command has its
 * own copy), is closed here too, not just in the command. So is one of 0-2
 * that is close-on-exec: not the caller's (its exec of sbx kept those), but
 * sbx's own, opened there because the caller closed that one (a control
 * socket, a lock, an X connection); the command's exec closes it too. */
static void close_inherited_fds(int keep[3])
{
	close_all_except(keep, 3);
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && (fl & FD_CLOEXEC) && fd != keep[0] && fd != keep[1] &&
		    fd != keep[2])
			close(fd);
	}
}

/* --net slirp: the command must not run without its network, nor before a
 * helper that cannot start has said why (and sbx has ended the sandbox for
 * it). sbx says when the helper is ready; the command waits at its gate
 * meanwhile, its own setup done. Only a failure of our own is reported: on
 * the helper's, or a signal to sbx, sbx kills us here. */
static int wait_for_network(const struct sbx_config *c, const struct child_plan *plan,
			    struct sbx_error *e)
{
	struct sync_msg m;
	int r;

	if (c->net != SBX_NET_SLIRP)
		return 0;
	r = sync_recv(plan->sync_fd, &m, NULL, 0);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: waiting for the network helper");
	if (m.type != SYNC_NET_READY)
		return sbx_error_set(e, EPROTO, "unexpected message %u from sbx", m.type);
	return 0;
}

/*
 * Fork the command, then give up what pid 1 does not need: capabilities, the
 * caller's fds, dumpability. The command waits on @gate until that is done
 * (and, with --net slirp, until the network is ready), so on a failure
 * (reported, fail closed) nothing of it has run.
 */
static int start_command_forked(const struct sbx_config *c, struct pid1_state *s, struct sbx_error *e)
{
	const struct child_plan *plan = s->plan;
	_cleanup_close_ int gate_out = -1;
	int gate[2], r;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return sbx_error_set(e, errno, "cannot start the command: pipe");
	s->command = fork();
	if (s->command == 0) {
		close(gate[1]);
		exec_command(c, plan, gate[0], 0);
	}
	close(gate[0]);
	gate_out = gate[1];
	if (s->command < 0)
		return sbx_error_set(e, errno, "cannot start the command");
	/* Both sides call setpgid so neither can race the other (not with
	 * bwrap's --new-session: a group leader cannot setsid()). */
	if (!c->bwrap.new_session)
		setpgid(s->command, s->command);
	/* The command may end before the gate opens; then it is only EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	/* pid 1 needs no privilege to reap and forward: give it all up, so the
	 * command cannot borrow it (it also makes us non-traceable by it). */
	r = caps_drop_all_now(e);
	if (r < 0)
		r = sbx_error_set(e, r, "pid 1: cannot drop its capabilities");
	/* bwrap's child-pid stays dumpable: its callers open /proc/PID/ns
	 * (flatpak enter, bwrap --userns FD) as the same user. */
	if (r == 0 && !c->bwrap.enabled && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		r = sbx_error_set(e, errno, "pid 1: cannot make itself non-dumpable");
	if (r == 0)
		r = wait_for_network(c, plan, e);
	if (r < 0) {
		/* Our unreaped child: the pid is still its. It is blocked at
		 * the gate (or already gone), so nothing of it has run. */
		kill(s->command, SIGKILL);
		waitpid(s->command, NULL, 0);
		return r;
	}
	/* bwrap's --sync-fd stays open in pid 1 (which has no procfd then). */
	close_inherited_fds((int[3]){ plan->sync_fd, gate_out,
				      s->procfd >= 0 || !c->bwrap.enabled ? s->procfd
									      : c->bwrap.sync_fd });
	if (bwrap_inside_lock_files(c, e) < 0)
		return -EINVAL;
	if (write(gate_out, "", 1) < 0 && errno != EPIPE)
		return sbx_error_set(e, errno, "cannot start the command: gate");
	sync_send_simple(plan->sync_fd, SYNC_READY, s->command);
	return 0;
}

/*
 * The start without a fork (exec_start.c): pid 1 first gives up, for itself
 * and for the command to inherit, the bounding set, ambient, its other
 * capabilities and no_new_privs (exactly what caps_drop_for_exec(0) leaves
 * the command), and becomes non-dumpable (the command, sharing its memory,
 * is too until its exec, which makes it dumpable again as a fork's exec
 * would). The command then runs in pid 1's memory while pid 1 sleeps: no
 * page tables copied, no copy-on-write faults. The caller's fds are closed
 * once it has exec'd: it has its own fd table, and pid 1, non-dumpable, is
 * out of its reach. On a failure here nothing of the command has run.
 */
static int start_command_shared(const struct sbx_config *c, struct pid1_state *s,
				struct sbx_error *e)
{
	const struct child_plan *plan = s->plan;
	int r;

	r = caps_drop_for_exec(0, e);
	if (r < 0)
		return sbx_error_set(e, r, "pid 1: cannot drop its capabilities");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "pid 1: cannot make itself non-dumpable");
	/* Said before the clone, which returns only once the command has
	 * exec'd: sbx tells the holder to make its next spare, and that work
	 * should overlap the command's set-up as with a fork, not follow it. */
	sync_send_simple(plan->sync_fd, SYNC_STARTING, 0);
	/* The command calls setpgid() and takes the terminal itself before
	 * its exec, which is when this returns. */
	r = exec_start_shared(c, plan, &s->command, e);
	if (r < 0)
		return r;
	/* Not before: until now we sleep and could pass no signal on. A
	 * command stuck on its way to exec (execve() from a hung NFS server)
	 * must still end with a signal to sbx, which ends the setup then. */
	sync_send_simple(plan->sync_fd, SYNC_READY, s->command);
	/* Not before: the command must not inherit the ignored SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	close_inherited_fds((int[3]){ plan->sync_fd, s->procfd, -1 });
	return 0;
}

/* One place chooses the start: exec_start_can_share() says why not. */
static int start_command(const struct sbx_config *c, struct pid1_state *s, struct sbx_error *e)
{
	if (exec_start_can_share(c, s->plan))
		return start_command_shared(c, s, e);
	return start_command_forked(c, s, e);
}

_Noreturn void pid1_run(const struct sbx_config *c, const struct child_plan *plan)
{
	struct pid1_state s = { .plan = plan, .procfd = -1 };
	struct sbx_error e = { 0 };
	sigset_t set;

	pid1_forwarded_signals(&set);
	/* bwrap --as-pid-1: the command is pid 1 itself. */
	if (c->bwrap.as_pid_1) {
		sync_send_simple(plan->sync_fd, SYNC_READY, getpid());
		exec_command(c, plan, -1, 0);
	}
	/* bwrap without --unshare-pid leaves what the command leaves behind
	 * running, as bwrap does: no subreaper. */
	if (getpid() != 1 && !c->bwrap.enabled && become_subreaper(c, &s, &set, &e) < 0)
		fail(plan, &e);
	/* Each start says SYNC_READY itself, when sbx is to hear it. */
	if (start_command(c, &s, &e) < 0)
		fail(plan, &e);

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		int code;

		if (sig < 0)
			continue;
		switch (sig) {
		case SIGCHLD:
			code = reap(&s);
			if (code < 0)
				break;
			/* In a pid namespace the kernel ends everything left when
			 * we exit; with --share-pid we do it ourselves (bwrap,
			 * without a pid namespace, leaves it running: no procfd). */
			if (getpid() != 1 && s.procfd >= 0)
				proctree_kill_descendants(s.procfd, getpid());
			_exit(code);
		case SIGCONT:
			resume_command(&s);
			break;
		default:
			if (sig == PARENT_DIED_SIGNAL) {
				proctree_kill_descendants(s.procfd, getpid());
				_exit(128 + SIGKILL);
			}
			kill(s.command, sig);
			break;
		}
	}
}
