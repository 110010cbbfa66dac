/* sandbox.h - the parent's orchestration: plan, clone, map, start, supervise */
#pragma once

#include "config.h"

/**
 * sandbox_run() - run @c's command in a new sandbox and wait for it
 * @ret_status:	sbx's exit status once the sandbox has ended
 *
 * Return: 0 when the sandbox ran (its status in @ret_status), or -errno with
 *	   @e filled when it could not be set up (nothing is left running)
 */
int sandbox_run(const struct sbx_config *c, int *ret_status, struct sbx_error *e);
