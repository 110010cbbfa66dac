/* pid1.h - the sandbox's init: start the command, reap, forward, exit with its status */
#pragma once

#include <signal.h>

#include "child_plan.h"
#include "config.h"

/**
 * pid1_run() - start the command and supervise it from inside the sandbox
 *
 * Gives up its capabilities before the command may run: before starting it
 * in its own memory (exec_start.c), or, with features that need the
 * forked start, before opening the gate exec_command() waits at. A failure
 * is reported and ends the sandbox with 125. The caller's fds go before the
 * gate opens, or once the shared command has exec'd (pid 1, non-dumpable,
 * is out of its reach). Reaps every child (as init, or as subreaper with
 * --share-pid, killing what is left through pidfds), forwards
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to the
 * command, hands a stopped command's terminal back and forth for job control,
 * and exits with the command's status (128+N for signal N).
 */
_Noreturn void pid1_run(const struct sbx_config *c, const struct child_plan *plan);

/**
 * pid1_forwarded_signals() - the signal set sbx blocks and forwards
 */
void pid1_forwarded_signals(sigset_t *set);
