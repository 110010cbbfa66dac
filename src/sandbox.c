/* sandbox.c - from a validated config to a running, supervised sandbox */
#include "autoconf.h"

#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apparmor.h"
#include "bypass.h"
#include "child.h"
#include "idmap_mount.h"
#include "landlock.h"
#include "limits_ctl.h"
#include "lifecycle.h"
#include "syscall_filter.h"
#include "log.h"
#include "nethelper.h"
#include "ns.h"
#include "pid1.h"
#include "proc.h"
#include "status_fd.h"
#include "sandbox.h"
#include "supervise.h"
#include "sync.h"
#include "term.h"
#include "userns.h"
#include "userns_holder.h"
#include "util.h"

static void cleanup_premade(struct child_plan *child)
{
	/* The child holds its own copies from the clone. */
	idmap_mount_release((int *)child->premade_fds, child->n_premade);
}

static int check_pass_fds(const struct sbx_config *c, struct sbx_error *e)
{
	for (size_t i = 0; i < c->n_pass_fds; i++)
		if (fcntl(c->pass_fds[i], F_GETFD) < 0)
			return sbx_error_set(e, errno, "--pass-fd %d", c->pass_fds[i]);
	return 0;
}

/* Has the child sent a setup error? Looks without blocking; fills @e if so. */
static bool child_reported_error(int sync_fd, struct sbx_error *e)
{
	struct sync_msg m;

	if (sync_recv(sync_fd, &m, NULL, MSG_DONTWAIT) < 0 || m.type != SYNC_SETUP_ERROR)
		return false;
	*e = m.error;
	if (!e->exit_code)
		e->exit_code = SBX_EXIT_SETUP;
	return true;
}

/* The seccomp filter is compiled and Landlock probed here, before the clone:
 * a bad profile or an unenforceable rule stops sbx before anything starts,
 * and the command inherits finished programs with its copy of our memory. */
static int prepare_hardening(const struct sbx_config *c, struct syscall_filter *filter,
			     struct landlock_plan *landlock, struct sbx_error *e)
{
	int r = syscall_filter_build(c, filter, e);

	for (size_t i = 0; i < filter->n_warnings; i++)
		log_warn("%s", filter->warnings[i]);
	if (r < 0)
		return r;
	if (filter->n_progs)
		log_verbose(1, "seccomp: %s filter for %s, %zu programs",
			    c->seccomp == SBX_SECCOMP_PROFILE ? c->seccomp_profile : "default",
			    filter->archs, filter->n_progs);
	else
		log_verbose(1, "seccomp: unconfined");
	r = landlock_plan_build(c, landlock, e);
	if (r < 0)
		return r;
	log_verbose(1, "landlock: %s", landlock->notes);
	return 0;
}

static void log_plan(const struct sbx_config *c, const struct userns_plan *p)
{
	char uid_text[256], gid_text[256];

	if (log_verbosity < 1)
		return;
	idmap_format(&p->uid_map, uid_text, sizeof(uid_text));
	idmap_format(&p->gid_map, gid_text, sizeof(gid_text));
	for (char *s = uid_text; (s = strchr(s, '\n'));)
		*s = ';';
	for (char *s = gid_text; (s = strchr(s, '\n'));)
		*s = ';';
	log_verbose(1, "uid map: %s gid map: %s via %s", uid_text, gid_text,
		    userns_plan_via(p));
	for (int ns = 0; ns < SBX_NS_COUNT; ns++)
		log_verbose(2, "%s namespace: %s", config_ns_name((enum sbx_ns)ns),
			    c->share[ns] ? "host" : "new");
}

/* Everything decided before the clone: filters, id maps, premade mounts. */
static int plan_sandbox(const struct sbx_config *c, struct userns_plan *plan,
			struct syscall_filter *filter, struct landlock_plan *landlock,
			struct child_plan *child, struct sbx_error *e)
{
	int r = check_pass_fds(c, e);

	if (r < 0)
		return r;
	r = prepare_hardening(c, filter, landlock, e);
	if (r < 0)
		return r;
	r = c->bwrap.enabled ? 0
			     : userns_plan_build(plan, c->host_uid, c->host_gid, c->user_name,
						 c->uid, c->gid, "/etc/subuid", "/etc/subgid", e);
	if (c->bwrap.enabled) /* bwrap: one id each, the caller's as --uid/--gid */
		userns_plan_bwrap(plan, c->host_uid, c->host_gid, c->uid, c->gid);
	if (r == 0 && c->userns_mode == SBX_USERNS_ISOLATED)
		r = userns_plan_isolate(plan, c->host_uid, c->user_name, c->uid, c->gid,
					"/etc/subuid", "/etc/subgid", e);
	if (r == 0 && c->userns_mode == SBX_USERNS_SINGLE)
		userns_plan_single(plan);
	if (r == 0 && !c->bwrap.enabled)
		userns_holder_enter(plan, !c->no_userns_holder);
	if (r < 0)
		return r;
	log_plan(c, plan);
	/* Idmapped binds of host filesystems need privileges over the host's
	 * superblocks, which only sbx itself (as real root) can have. */
	r = idmap_mount_prepare_host(c, plan, (int **)&child->premade_fds, e);
	child->n_premade = c->n_mounts;
	if (r < 0)
		return r;
	child->parent_pid = getpid();
	child->spare_setgroups = plan->holder_setgroups;
	child->take_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	return 0;
}

/* After the clone: write the child's id maps and let it go on. */
/* bwrap --userns-block-fd: the caller maps the ids itself, told the pid by
 * --info-fd, and says when on that fd. */
static bool caller_maps(const struct sbx_config *c, struct status_fd *status, pid_t pid,
			const sigset_t *orig_mask)
{
	sigset_t blocked;
	char b;

	if (!c->bwrap.enabled || c->bwrap.userns_block_fd < 0)
		return false;
	status_fd_started(status, pid);
	/* The wait may last for ever, but not past a SIGTERM: the caller's
	 * mask for the wait only, so the default actions end sbx (the child,
	 * waiting for its maps, then sees EOF and exits). */
	sigprocmask(SIG_SETMASK, orig_mask, &blocked);
	while (read(c->bwrap.userns_block_fd, &b, 1) < 0 && errno == EINTR)
		;
	sigprocmask(SIG_SETMASK, &blocked, NULL);
	close(c->bwrap.userns_block_fd);
	return true;
}

static int write_maps(const struct sbx_config *c, struct status_fd *status,
		      struct userns_plan *plan, pid_t pid, int sync_fd, const sigset_t *orig_mask,
		      struct sbx_error *e)
{
	bool setgroups_allowed = false;
	int r;

	/* In the holder's spare the maps exist already, and pid 1 waits for
	 * no word of ours (child_main()): what the sandbox reports from now on,
	 * even the command's exec error, is the supervisor's to read, in order. */
	if (plan->spare_used)
		return 0;
	r = c->bwrap.no_userns || caller_maps(c, status, pid, orig_mask)
			? 0
			: userns_write_maps(plan, pid, &setgroups_allowed, e);

	/* The child may have failed already (a missing --bind source is found
	 * while we map): its reason beats whatever that did to the mapping. */
	if (child_reported_error(sync_fd, e))
		return -(e->err ? e->err : EINVAL);
	if (plan->warning[0])
		log_warn("%s", plan->warning);
	if (r < 0)
		return r;
	r = sync_send_simple(sync_fd, SYNC_MAPS_DONE, setgroups_allowed);
	if (r < 0 && r != -EPIPE && r != -ECONNRESET)
		return sbx_error_set(e, r, "sync with the sandbox");
	log_phase("id maps written");
	return 0;
}

static void log_bypass(const struct tcp_bypass *bypass)
{
	if (bypass->stats)
		log_verbose(1, "tcp bypass: %lu connections on host sockets, %lu connect() calls left to slirp",
			    bypass->stats->n_host, bypass->stats->n_slirp);
}

/* --net slirp: will the TCP bypass run? */
static void plan_bypass(const struct sbx_config *c, struct tcp_bypass *bypass,
			struct child_plan *child)
{
	if (c->net != SBX_NET_SLIRP || c->no_tcp_bypass)
		return;
	bypass_init(bypass, c);
	child->tcp_bypass = bypass->enabled;
	if (!bypass->enabled)
		log_verbose(1, "tcp bypass: off: %s", bypass->why_not);
}

/* After the clone (neither may be inherited by the sandbox): the bypass
 * worker first, whose --allow-net table the network helper then takes. */
static int start_net_processes(const struct sbx_config *c, struct tcp_bypass *bypass,
			       struct nethelper *net, struct sbx_error *e)
{
	int r = bypass_start(bypass, e);

	if (r < 0)
		return r;
	if (bypass->proc.pid > 0)
		log_verbose(1, "tcp bypass worker pid %d", (int)bypass->proc.pid);
	net->learned = bypass->learned; /* --allow-net: shared with the worker */
	if (c->net != SBX_NET_SLIRP)
		return 0;
	r = nethelper_start(net, c, e);
	if (r == 0)
		log_verbose(1, "network helper pid %d", (int)net->proc.pid);
	return r;
}

/* --memory, --pids, --cpus: after the id-map plan, whose holder process
 * must not start in the sandbox's cgroup; before the clone. */
static int start_limits(const struct sbx_config *c, struct limits *limits, struct sbx_error *e)
{
	int r = limits_setup(c, limits, e);

	if (r < 0)
		return r;
	if (limits->warning[0])
		log_warn("%s", limits->warning);
	if (limits->notes[0])
		log_verbose(1, "%s", limits->notes);
	if (limits->mech != LIMITS_NONE)
		log_phase("limits set up");
	return 0;
}

/* pid 1, in new namespaces: 0 in pid 1, its pid in sbx (*ret_pidfd its
 * pidfd, or -1), or -errno with @e filled. */
static pid_t clone_pid1(const struct sbx_config *c, struct userns_plan *plan,
			const struct limits *limits, int *ret_pidfd, struct sbx_error *e)
{
	const char *aa;
	pid_t pid;

	/* The holder's spare holds a user, a network, an IPC and a UTS namespace, made
	 * ahead outside any cgroup of ours: a start that must create every
	 * namespace in the clone (--info-fd, bwrap) or start pid 1 in the
	 * sandbox's cgroup (--memory...) gives it back and clones as before. */
	if (ns_all_at_clone(c) || limits_clone_cgroup_fd(limits) >= 0) {
		userns_spare_release(&plan->spare);
		pid = limits_clone(limits, ns_clone_flags(c), ret_pidfd);
	} else {
		pid = ns_spawn(c, plan, ret_pidfd);
	}
	if (pid >= 0)
		return pid;
	/* EACCES: an LSM's refusal, e.g. Ubuntu's AppArmor restriction. */
	aa = apparmor_userns_hint(pid, apparmor_userns_restricted(APPARMOR_USERNS_SYSCTL));
	return sbx_error_set(e, pid, "cannot create the namespaces%s%s%s", aa ? " (" : "",
			     aa ? aa : pid == -EPERM || pid == -ENOSPC
					       ? " (are unprivileged user namespaces disabled?)"
					       : "",
			     aa ? ")" : "");
}

/* After the sandbox: what sbx has to say about its end. */
static void report_end(const struct syscall_filter *filter, struct tcp_bypass *bypass,
		       struct limits *limits, struct status_fd *status, int r, int exit_status)
{
	char note[160];

	if (r == 0)
		status_fd_exited(status, exit_status);
	if (r == 0 && syscall_filter_explain_end(filter, exit_status, note, sizeof(note)))
		log_warn("%s", note);
	log_bypass(bypass);
	while (limits_check_events(limits, note, sizeof(note)))
		log_warn("%s", note);
}

/* The sync socket and pid 1's clone. In sbx: @ret_pid1 and our end of the
 * socket in @ret_parent_end; the child becomes pid 1 and never returns. */
static int clone_sandbox(const struct sbx_config *c, struct userns_plan *plan,
			 struct limits *limits, struct child_plan *child, int *ret_parent_end,
			 struct proc *ret_pid1, struct sbx_error *e)
{
	_cleanup_close_ int parent_end = -1, child_end = -1;
	int fds[2], pidfd = -1, r;
	pid_t pid;

	r = sync_socketpair(fds);
	if (r < 0)
		return sbx_error_set(e, r, "socketpair");
	parent_end = fds[0];
	child_end = fds[1];
	child->sync_fd = child_end;
	pid = clone_pid1(c, plan, limits, &pidfd, e);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		close(parent_end);
		child_main(c, child);
	}
	if (pidfd >= 0)
		*ret_pid1 = (struct proc){ .pid = pid, .pidfd = pidfd };
	else
		proc_adopt(ret_pid1, pid);
	*ret_parent_end = TAKE_FD(parent_end);
	return 0;
}

int sandbox_run(struct sbx_config *c, sandbox_prepare_fn prepare, void *arg, int *ret_status,
		struct sbx_error *e)
{
	/* --name: the state directory goes last, once nothing is left. */
	__attribute__((cleanup(lifecycle_end))) struct lifecycle *life = NULL;
	/* First in, last out: the terminal's modes come back after everything
	 * in the sandbox is gone, on every path. */
	__attribute__((cleanup(term_restore))) struct term_state tty = TERM_STATE_NONE;
	/* After pid 1 and the helpers are gone: their cgroups can go then. */
	__attribute__((cleanup(limits_release))) struct limits limits = LIMITS_INIT;
	_cleanup_close_ int parent_end = -1;
	__attribute__((cleanup(proc_kill_and_reap))) struct proc pid1 = PROC_NONE;
	__attribute__((cleanup(nethelper_stop))) struct nethelper net = NETHELPER_NONE;
	__attribute__((cleanup(syscall_filter_release))) struct syscall_filter filter = { 0 };
	__attribute__((cleanup(bypass_free))) struct tcp_bypass bypass = { .proc = PROC_NONE, .ctl_fd = -1 };
	struct landlock_plan landlock;
	__attribute__((cleanup(cleanup_premade))) struct child_plan child = {
		.filter = &filter,
		.landlock = &landlock,
	};
	struct userns_plan plan;
	__attribute__((cleanup(status_fd_close))) struct status_fd status;
	sigset_t forwarded;
	int r;

	/* Before anything starts: a taken name, or --detach's parent, ends here. */
	r = lifecycle_begin(c, &life, ret_status, e);
	if (r == 0 && prepare)
		r = prepare(c, arg, e);
	if (r != 0)
		return r < 0 ? r : 0;
	term_save(&tty);
	status_fd_init(&status, c);
	r = plan_sandbox(c, &plan, &filter, &landlock, &child, e);
	if (r < 0)
		return r;
	r = start_limits(c, &limits, e);
	if (r < 0)
		return r;
	child.limits = &limits;
	/* Which mechanism is in force: for --info-fd and sbx ls (issue 11). */
	status_fd_set_limits(&status, c, limits_mechanism_name(&limits));
	if (life)
		lifecycle_set_limits(life, limits_mechanism_name(&limits));
	plan_bypass(c, &bypass, &child);
	child.spawner = life != NULL;
	/* From here on the log may hold the command's output too. */
	lifecycle_detach_mark(life);
	/* Block before the clone: a signal that arrives while the sandbox is
	 * being set up waits for the supervisor instead of killing sbx. */
	pid1_forwarded_signals(&forwarded);
	sigprocmask(SIG_BLOCK, &forwarded, &child.orig_mask);

	r = clone_sandbox(c, &plan, &limits, &child, &parent_end, &pid1, e);
	if (r < 0)
		return r;
	log_phase("cloned");
	/* As bwrap: the namespaces all exist by now, report them at once. */
	if (ns_all_at_clone(c))
		status_fd_started(&status, pid1.pid);
	r = start_net_processes(c, &bypass, &net, e);
	if (r == 0)
		r = write_maps(c, &status, &plan, pid1.pid, parent_end, &child.orig_mask, e);
	if (r < 0)
		return r;
	r = supervise(&(struct supervise_target){
			      .pid1 = &pid1,
			      .sync_fd = parent_end,
			      .own_tty = child.take_tty,
			      .net = c->net == SBX_NET_SLIRP ? &net : NULL,
			      .bypass = &bypass,
			      .limits = &limits,
			      .status = &status,
			      .life = life,
		      },
		      ret_status, e);
	log_phase("sandbox ended");
	report_end(&filter, &bypass, &limits, &status, r, r == 0 ? *ret_status : 0);
	return r;
}
