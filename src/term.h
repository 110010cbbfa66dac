/* term.h - the caller's terminal: its modes saved at the start and put back at the end */
#pragma once

#include <stdbool.h>
#include <termios.h>

/**
 * struct term_state - the terminal sbx was started on, as it found it
 * @fd:		the first of stdin, stdout, stderr on a terminal whose
 *		foreground job sbx was, or -1
 * @modes:	its modes then
 */
struct term_state {
	int fd;
	struct termios modes;
};

#define TERM_STATE_NONE ((struct term_state){ .fd = -1 })

/**
 * term_save() - remember the modes of the terminal sbx runs in the
 *		 foreground of, if any (@t->fd stays -1 otherwise)
 */
void term_save(struct term_state *t);

/**
 * term_restore() - put those modes back, if sbx is (again) the terminal's
 *		    foreground job: a command that turned off echo or ^C, or
 *		    died before it could undo that, must not leave the caller's
 *		    shell so. Safe to call twice; a cleanup for every exit path.
 */
void term_restore(struct term_state *t);

/**
 * term_take_foreground() - make sbx's process group the foreground job of
 *			    the terminal on stdin again (after the command had it)
 */
void term_take_foreground(void);

/**
 * term_reclaim_foreground() - term_take_foreground(), but only from a
 *			       process group that no longer exists (the
 *			       command's, once the sandbox has ended)
 *
 * A live group in the foreground is one the user's shell put there after
 * sbx was stopped and continued in the background (bg): taking the
 * terminal from it would make the shell's next read fail, and an
 * interactive shell exits on that.
 */
void term_reclaim_foreground(void);
