/* pid1.c - init inside the sandbox */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "pid1.h"
#include "sync.h"

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

struct pid1_state {
	const struct child_plan *plan;
	pid_t command;
	bool command_stopped;
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

static void resume_command(struct pid1_state *s)
{
	if (!s->command_stopped)
		return;
	s->command_stopped = false;
	/* sbx was brought back to the foreground (fg): give the terminal
	 * to the command's group again and wake the whole job. */
	tcsetpgrp(STDIN_FILENO, s->command);
	kill(-s->command, SIGCONT);
}

_Noreturn void pid1_run(const struct sbx_config *c, const struct child_plan *plan)
{
	struct pid1_state s = { .plan = plan };
	struct sbx_error e = { 0 };
	sigset_t set;

	if (getpid() != 1)
		/* --share-pid: orphans of the command are ours to reap. */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	s.command = fork();
	if (s.command == 0)
		child_exec_command(c, plan);
	if (s.command < 0) {
		sbx_error_set(&e, errno, "cannot start the command");
		sync_send_error(plan->sync_fd, SYNC_SETUP_ERROR, &e);
		_exit(SBX_EXIT_SETUP);
	}
	/* Both sides call setpgid so neither can race the other. */
	setpgid(s.command, s.command);

	/* pid 1 needs no privilege to reap and forward: give it all up, so the
	 * command cannot borrow it (it also makes us non-traceable by it). */
	caps_drop_all_now(&e);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sync_send_simple(plan->sync_fd, SYNC_READY, s.command);

	pid1_forwarded_signals(&set);
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		int code;

		if (sig < 0)
			continue;
		switch (sig) {
		case SIGCHLD:
			code = reap(&s);
			if (code >= 0)
				_exit(code);
			break;
		case SIGCONT:
			resume_command(&s);
			break;
		default:
			kill(s.command, sig);
			break;
		}
	}
}
