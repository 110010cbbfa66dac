/* status_fd.h - --info-fd and --json-status-fd: the sandbox's pid, namespaces, exit code */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

/**
 * struct status_fd - what the supervisor reports, in bubblewrap's formats
 * @info_fd:	--info-fd: one JSON object once the command starts, then closed
 * @json_fd:	--json-status-fd: one JSON object a line, {child-pid...} at
 *		the start and {exit-code} at the end
 * @report:	per namespace: new, so its id is reported
 * @failed:	the command never ran (exec or its last setup step failed):
 *		no exit-code line, as bwrap
 * @limits:	the mechanism enforcing --memory/--pids/--cpus, reported as an
 *		extra "sbx-limits" member (bwrap's readers ignore unknown
 *		ones); NULL without limits and always in bwrap mode
 */
struct status_fd {
	int info_fd;
	int json_fd;
	bool report[SBX_NS_COUNT];
	bool started;
	bool failed;
	const char *limits;
};

/**
 * status_fd_init() - take @c's fds (-1: none); nothing is written yet
 */
void status_fd_init(struct status_fd *s, const struct sbx_config *c);

/**
 * status_fd_set_limits() - report @mechanism ("cgroup v2", "rlimit"...) as
 *			    "sbx-limits"; NULL or "none" for no member. Ignored
 *			    in bwrap mode, whose output stays exactly bwrap's.
 */
void status_fd_set_limits(struct status_fd *s, const struct sbx_config *c, const char *mechanism);

/**
 * status_fd_started() - the command is starting in process @pid (pid 1 of
 *			 the sandbox, seen from outside): write the child-pid
 *			 and namespace ids to both fds, close --info-fd
 */
void status_fd_started(struct status_fd *s, pid_t pid);

/**
 * status_fd_failed() - the command could not be run (nothing to report at the end)
 */
void status_fd_failed(struct status_fd *s);

/**
 * status_fd_exited() - the sandbox ended with sbx's exit status @status:
 *			write {"exit-code": N} if the command ran, close all
 */
void status_fd_exited(struct status_fd *s, int status);

/**
 * status_fd_close() - close what is still open (on an error path)
 */
void status_fd_close(struct status_fd *s);
