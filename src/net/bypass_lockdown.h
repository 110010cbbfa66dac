/* bypass_lockdown.h - the stages that lock the TCP bypass worker down
 *		       (the order and the reasons: bypass_worker.c)
 */
#pragma once

#include <sys/types.h>

#include "error.h"

/* What the stages could apply here, as the worker reports it in SYNC_READY's value. */
enum bypass_lockdown_done {
	BYPASS_LOCKDOWN_EMPTY_VIEW = 1 << 0,
};

/**
 * bypass_lockdown_detach() - own session, SIGKILL at sbx's death, default
 *			      signal dispositions, every fd closed but @ctl,
 *			      stdin and stdout on
 *			      /dev/null, stderr write-only (a terminal opened
 *			      again); exits when sbx (@parent) is gone already
 */
void bypass_lockdown_detach(int ctl, pid_t parent);

/**
 * bypass_lockdown_empty_view() - an empty read-only root holding only /proc,
 *				  in a mount namespace of its own, where the
 *				  process may create one (else nothing, and
 *				  BYPASS_LOCKDOWN_EMPTY_VIEW stays unset in *@done)
 * Return: 0 or -errno with @e filled
 */
int bypass_lockdown_empty_view(int *done, struct sbx_error *e);

/**
 * bypass_lockdown_no_privileges() - not dumpable, no capabilities (the
 *				     bounding set too where allowed), no_new_privs
 * Return: 0 or -errno with @e filled
 */
int bypass_lockdown_no_privileges(struct sbx_error *e);

/**
 * bypass_lockdown_seccomp() - the worker's system-call allow-list
 * Return: 0 or -errno with @e filled
 */
int bypass_lockdown_seccomp(struct sbx_error *e);

/**
 * bypass_listener_sync_wakeups() - ask for synchronous wake-ups between the
 *				    command and the worker on listener
 *				    @notify_fd (Linux 6.6; a no-op before)
 */
void bypass_listener_sync_wakeups(int notify_fd);
