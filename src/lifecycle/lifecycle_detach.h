/* lifecycle_detach.h - --detach: sbx goes to the background */
#pragma once

#include "error.h"

struct lifecycle;

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
