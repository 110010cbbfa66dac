/* term.c - the caller's terminal: its modes saved at the start and put back at the end */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

/* Is @fd a terminal whose foreground job we are? */
static bool in_foreground(int fd)
{
	return isatty(fd) && tcgetpgrp(fd) == getpgrp();
}

void term_save(struct term_state *t)
{
	t->fd = -1;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (in_foreground(fd) && tcgetattr(fd, &t->modes) == 0) {
			t->fd = fd;
			return;
		}
	}
}

/* Run @fn on the terminal with SIGTTOU blocked: without that, a moment in
 * the background (the command's job ending, the caller's shell taking the
 * terminal) would stop sbx instead of failing the call. */
static void without_ttou(void (*fn)(int fd, const struct term_state *t), int fd,
			 const struct term_state *t)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	fn(fd, t);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void set_modes(int fd, const struct term_state *t)
{
	/* Only as the foreground job: a background sbx must not undo what the
	 * job now in the foreground set. TCSANOW: never wait for output to
	 * drain, which a stopped reader of the terminal could make forever. */
	if (in_foreground(fd))
		tcsetattr(fd, TCSANOW, &t->modes);
}

void term_restore(struct term_state *t)
{
	if (t->fd < 0)
		return;
	without_ttou(set_modes, t->fd, t);
	t->fd = -1;
}

static void take_foreground(int fd, const struct term_state *t)
{
	(void)t;
	tcsetpgrp(fd, getpgrp());
}

void term_take_foreground(void)
{
	without_ttou(take_foreground, STDIN_FILENO, NULL);
}

void term_reclaim_foreground(void)
{
	pid_t fg;

	if (!isatty(STDIN_FILENO))
		return;
	fg = tcgetpgrp(STDIN_FILENO);
	if (fg <= 0 || fg == getpgrp())
		return;
	/* EPERM: the group exists, someone else's. */
	if (kill(-fg, 0) == 0 || errno != ESRCH)
		return;
	term_take_foreground();
}
