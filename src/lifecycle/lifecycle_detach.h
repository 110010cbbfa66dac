/* lifecycle_detach.h - --detach: sbx goes to the background */
#pragma once

#include "error.h"

struct lifecycle;

/**
 * lifecycle_detach_hold_stdio() - put /dev/null on each of fds 0-2 the caller
 *				   closed, before sbx opens anything
 *
 * --detach replaces 0-2 (dup2): an fd of sbx's own that took one of those
 * numbers (the state directory, its lock, the log) would be lost to it, and
 * the command would start with that one closed.
 * Return: 0 or -errno with @e filled
 */
int lifecycle_detach_hold_stdio(struct sbx_error *e);

/**
 * lifecycle_detach() - fork: the parent waits for the child's word, the
 *			child goes on as the sandbox's supervisor
 * @ret_status:	the parent's exit status when this returns 1
 *
 * The parent prints the name once the child said the sandbox started, or the
 * child's log when it ended first. The child gets a session of its own,
 * /dev/null for stdin, the state directory's log for stdout and stderr.
 * Return: 0 (the child), 1 (the parent: stop here) or -errno with @e filled
 */
int lifecycle_detach(struct lifecycle *l, int *ret_status, struct sbx_error *e);

/**
 * lifecycle_detach_ready() - the sandbox can be entered (or never will be):
 *			      a detached parent may return now; a no-op
 *			      without --detach or once told
 */
void lifecycle_detach_ready(struct lifecycle *l);
