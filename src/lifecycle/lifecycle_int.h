/* lifecycle_int.h - the supervisor's side of a named sandbox, shared by lifecycle.c, ctl.c,
 *		     lifecycle_state.c and lifecycle_detach.c */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "loop.h"
#include "proc.h"
#include "registry.h"

/* Clients served at once; more wait in the listen queue. */
#define CTL_CONNS_MAX 16

struct lifecycle;

/**
 * struct ctl_conn - one accepted client
 * @src:	its socket in the loop; @src.fd is -1 for a free slot
 * @l:		back to the owner
 * @parked:	an enter request waiting for the spawner (not watched for input)
 */
struct ctl_conn {
	struct loop_source src;
	struct lifecycle *l;
	bool parked;
};

/**
 * struct lifecycle - a named sandbox, as its supervisor holds it
 * @reg:	its state directory, locked
 * @c:		the options it was started with
 * @started:	wall-clock start time
 * @listen_fd:	the control socket
 * @spawner_fd:	the channel to the spawner inside, -1 until it arrived
 * @spawner_known: the command said whether it has a spawner (just before
 *		its execvp()): enter requests are held until then
 * @timer_fd:	sbx stop's grace time, -1 until a stop
 * @detach_fd:	--detach: the pipe to the waiting parent, -1 once told
 * @detach_said: --detach: how much of the log sbx wrote before the sandbox
 *		started (its warnings), which the parent prints
 * @loop:	the supervisor's loop, once watched
 * @pid1:	the sandbox's first process
 * @ns_pid:	a process of the sandbox whose namespaces we may read (pid 1
 *		is not dumpable, its /proc/PID/ns is root's): the command
 */
struct lifecycle {
	struct registry_entry reg;
	const struct sbx_config *c;
	time_t started;
	int listen_fd;
	int spawner_fd;
	bool spawner_known;
	int timer_fd;
	int detach_fd;
	uint64_t detach_said;
	struct loop *loop;
	const struct proc *pid1;
	pid_t ns_pid;
	const char *limits_mech;
	struct loop_source listen_src, spawner_src, timer_src;
	struct ctl_conn conns[CTL_CONNS_MAX];
};

/**
 * ctl_listen() - create and bind the control socket in the state directory
 * Return: 0 or -errno with @e filled
 */
int ctl_listen(struct lifecycle *l, struct sbx_error *e);

/**
 * ctl_watch() - serve the control socket in @l->loop
 * Return: 0 or -errno
 */
int ctl_watch(struct lifecycle *l);

/**
 * ctl_close() - close the control socket and every client's connection
 */
void ctl_close(struct lifecycle *l);
