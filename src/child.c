/* child.c - in-namespace setup, from the clone up to pid 1 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bwrap_inside.h"
#include "child.h"
#include "log.h"
#include "net.h"
#include "ns.h"
#include "pid1.h"
#include "rootfs.h"
#include "sync.h"
#include "userns.h"
#include "userns_holder.h"
#include "util.h"

static _Noreturn void fail(const struct child_plan *plan, const struct sbx_error *e)
{
	sync_send_error(plan->sync_fd, SYNC_SETUP_ERROR, e);
	_exit(SBX_EXIT_SETUP);
}

static void set_parent_death_signal(const struct sbx_config *c)
{
	if (c->die_with_parent)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static int wait_for_maps(const struct child_plan *plan, bool *ret_setgroups, struct sbx_error *e)
{
	struct sync_msg m;
	int r = sync_recv(plan->sync_fd, &m, NULL, 0);

	/* EOF: sbx died before it could map us; nothing to report to. */
	if (r == -EPIPE)
		_exit(SBX_EXIT_SETUP);
	if (r < 0)
		return sbx_error_set(e, r, "sync with sbx");
	if (m.type != SYNC_MAPS_DONE)
		return sbx_error_set(e, EPROTO, "unexpected message %u from sbx", m.type);
	*ret_setgroups = m.value != 0;
	return 0;
}

/* Has sbx closed its end of the sync socket (it died)? */
static bool sbx_gone(int sync_fd)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

_Noreturn void child_main(const struct sbx_config *c, const struct child_plan *plan)
{
	struct sbx_error e = { 0 };
	struct rootfs_prep prep;
	bool setgroups_allowed = false;
	int bwrap_procfd = -1;

	/* Before anything else: if sbx dies from here on, so do we. A parent
	 * that died before this line is caught by EOF in wait_for_maps(). */
	set_parent_death_signal(c);
	/* --info-fd, --json-status-fd are sbx's to write: a reader waiting
	 * for their end must not wait for the sandbox too. */
	if (c->info_fd >= 0)
		close(c->info_fd);
	if (c->json_status_fd >= 0)
		close(c->json_status_fd);

	if (ns_unshare_rest(c, &e) < 0)
		fail(plan, &e);
	log_phase("child: namespaces unshared");
	/* The new mount namespace goes to the holder, if any, so that its
	 * teardown happens after sbx has exited (userns_holder.h). */
	userns_holder_hand_over();
	if (rootfs_prepare(c, plan->premade_fds, &prep, &e) < 0)
		fail(plan, &e);
	log_phase("child: view prepared");
	/* In the holder's spare the maps were written before pid 1 existed
	 * (and checked, ns_spawn()): waiting for sbx's word cost a wake-up of
	 * sbx on the start's path. Only its death before the parent-death
	 * signal above must still end us, as the wait's EOF did. */
	if (ns_in_spare()) {
		setgroups_allowed = plan->spare_setgroups;
		if (sbx_gone(plan->sync_fd))
			_exit(SBX_EXIT_SETUP);
	} else if (wait_for_maps(plan, &setgroups_allowed, &e) < 0) {
		fail(plan, &e);
	}
	log_phase("child: maps received");

	/* The caller's supplementary groups are unmapped here (they would show
	 * as nogroup); drop them where newgidmap allowed setgroups. */
	if (setgroups_allowed && setgroups(0, NULL) < 0) {
		sbx_error_set(&e, errno, "setgroups");
		fail(plan, &e);
	}
	if (c->userns_mode == SBX_USERNS_ISOLATED && userns_become(c->uid, c->gid, &e) < 0)
		fail(plan, &e);
	/* The uid change cleared the parent-death signal: set it again, and
	 * end here if sbx died while it was not set (its end of the sync
	 * socket is closed by then), or the command would run on, orphaned. */
	set_parent_death_signal(c);
	if (c->die_with_parent && sbx_gone(plan->sync_fd))
		_exit(SBX_EXIT_SETUP);

	/* bwrap names the host only when asked to. */
	if (!c->share[SBX_NS_UTS] && (c->hostname || !c->bwrap.enabled) &&
	    ns_set_hostname(c->hostname ? c->hostname : "sbx", &e) < 0)
		fail(plan, &e);
	if (!ns_net_ready(c) && ns_loopback_up(&e) < 0)
		fail(plan, &e);
	if (c->net == SBX_NET_SLIRP && net_setup_inside(c, plan->sync_fd, &e) < 0)
		fail(plan, &e);
	if (c->bwrap.enabled && (c->bwrap.disable_userns || c->bwrap.assert_userns_disabled ||
				 c->bwrap.userns2_fd >= 0))
		bwrap_procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	log_phase("child: hostname, lo, network set");
	if (rootfs_enter(c, &prep, &e) < 0)
		fail(plan, &e);
	log_phase("child: view entered");
	rootfs_prep_release(&prep);
	if (bwrap_procfd >= 0 && bwrap_inside_userns(c, bwrap_procfd, &e) < 0)
		fail(plan, &e);
	if (!c->share[SBX_NS_TIME] && ns_new_time(c, &e) < 0)
		fail(plan, &e);

	pid1_run(c, plan);
}
