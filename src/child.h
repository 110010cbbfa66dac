/* child.h - what runs inside the new namespaces, up to pid 1 */
#pragma once

#include "child_plan.h"
#include "config.h"

/**
 * child_main() - set up the sandbox from inside and become its pid 1
 *
 * Order matters: host sources are cloned before the id maps exist (in
 * parallel with newuidmap), the root is built after them (tmpfs inodes need
 * mapped ids), the time namespace is unshared last so only the command is
 * in it. A failure is sent to the parent and ends the child with 125.
 * The chain runs one way: child_main() -> pid1_run() -> exec_command().
 */
_Noreturn void child_main(const struct sbx_config *c, const struct child_plan *plan);
