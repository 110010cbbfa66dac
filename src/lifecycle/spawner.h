/* spawner.h - inside the sandbox: the process that starts `sbx enter`'s commands */
#pragma once

#include "child_plan.h"

/**
 * spawner_start() - fork the spawner from the command, its confinement
 *		     complete, just before the command's execvp()
 *
 * The spawner inherits exactly what the command runs with: the seccomp
 * filters (the TCP bypass's listener too: the same filter, not a copy),
 * the Landlock domain, ids, groups, capabilities, no_new_privs, the
 * environment and the start directory. It leaves the command's process
 * tree (double fork: pid 1 becomes its parent, the command never sees it
 * as a child) and session, and sends sbx its end of a channel over which
 * sbx hands it each `sbx enter` client's connection. Does nothing unless
 * @plan->spawner; a failure only means the sandbox cannot be entered.
 */
void spawner_start(const struct child_plan *plan);
