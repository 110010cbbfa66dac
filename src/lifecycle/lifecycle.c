/* lifecycle.c - a named sandbox from sbx's side: claim, detach, end
 *
 * sandbox_run() calls lifecycle_begin() before anything starts (a taken name
 * ends sbx there, 125, nothing done), lifecycle_end() as its last cleanup
 * (after pid 1, the network helper and the bypass worker are gone: then the
 * state directory goes, and the lock with it). The supervisor's loop serves
 * the control socket (ctl.c) and hears from the spawner (spawner.c). The
 * state and options files are lifecycle_state.c's, the fork of --detach
 * lifecycle_detach.c's: both ctl.c and this file call them, never the reverse.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"
#include "lifecycle_detach.h"
#include "lifecycle_int.h"
#include "lifecycle_state.h"
#include "util.h"

static struct lifecycle *lifecycle_new(const struct sbx_config *c)
{
	struct lifecycle *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->reg = REGISTRY_ENTRY_NONE;
	l->c = c;
	l->listen_fd = l->spawner_fd = l->timer_fd = l->detach_fd = -1;
	for (size_t i = 0; i < CTL_CONNS_MAX; i++)
		l->conns[i] = (struct ctl_conn){ .src = { .fd = -1 }, .l = l };
	l->started = time(NULL);
	return l;
}

/* The parent of a detached sandbox: forget it without removing anything. */
static void lifecycle_forget(struct lifecycle *l)
{
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	registry_close(&l->reg);
	free(l);
}

int lifecycle_begin(const struct sbx_config *c, struct lifecycle **ret, int *ret_status,
		    struct sbx_error *e)
{
	_cleanup_free_ char *auto_name = NULL;
	struct lifecycle *l;
	int r;

	*ret = NULL;
	if (!c->name && !c->detach)
		return 0;
	if (!c->name)
		auto_name = xasprintf("sbx-%d", (int)getpid());
	/* Before the registry's fds could take a number --detach replaces. */
	if (c->detach && (r = lifecycle_detach_hold_stdio(e)) < 0)
		return r;
	l = lifecycle_new(c);
	r = registry_create(&l->reg, c->name ? c->name : auto_name, e);
	if (r == 0 && c->detach)
		r = lifecycle_detach(l, ret_status, e);
	/* After the fork: the socket's credentials, which clients check
	 * (SO_PEERCRED), are the listening process's, alive as long as it. */
	if (r == 0)
		r = ctl_listen(l, e);
	if (r == 1) {
		lifecycle_forget(l);
		return 1;
	}
	*ret = l;
	if (r < 0)
		return r;
	lifecycle_state_write_options(l);
	lifecycle_state_write(l, false);
	return 0;
}

void lifecycle_end(struct lifecycle **lp)
{
	struct lifecycle *l = *lp;

	if (!l)
		return;
	/* The directory first: a stop client's EOF (our connections'
	 * close) means the name is free again. */
	registry_remove(&l->reg);
	ctl_close(l);
	if (l->spawner_fd >= 0)
		close(l->spawner_fd);
	if (l->timer_fd >= 0)
		close(l->timer_fd);
	if (l->detach_fd >= 0)
		close(l->detach_fd);
	free(l);
	*lp = NULL;
}

int lifecycle_watch(struct lifecycle *l, struct loop *loop, const struct proc *pid1)
{
	l->loop = loop;
	l->pid1 = pid1;
	return ctl_watch(l);
}

void lifecycle_set_limits(struct lifecycle *l, const char *mechanism)
{
	l->limits_mech = mechanism;
}

void lifecycle_started(struct lifecycle *l)
{
	lifecycle_state_write(l, true);
}

