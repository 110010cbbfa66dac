/* sandbox.h - the parent's orchestration: plan, clone, map, start, supervise */
#pragma once

#include "config.h"

/**
 * sandbox_prepare_fn - what belongs to the process that supervises the
 *			sandbox (after --detach's fork), done before the
 *			sandbox is planned: it may add to @c
 * Return: 0 or -errno with @e filled
 */
typedef int (*sandbox_prepare_fn)(struct sbx_config *c, void *arg, struct sbx_error *e);

/**
 * sandbox_run() - run @c's command in a new sandbox and wait for it
 * @prepare:	called with @arg once the name is claimed and sbx detached
 *		(e.g. the desktop's resources: processes and a cookie that
 *		must be the supervisor's, not --detach's parent's), or NULL
 * @ret_status:	sbx's exit status once the sandbox has ended
 *
 * Return: 0 when the sandbox ran (its status in @ret_status), or -errno with
 *	   @e filled when it could not be set up (nothing is left running)
 */
int sandbox_run(struct sbx_config *c, sandbox_prepare_fn prepare, void *arg, int *ret_status,
		struct sbx_error *e);
