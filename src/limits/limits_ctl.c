/* limits_ctl.c - which mechanism enforces the sandbox's limits (see limits_ctl.h) */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits_ctl.h"
#include "limits_parse.h"
#include "ns.h"
#include "rlimit.h"
#include "systemd_scope.h"
#include "util.h"

#define CGROUP_MNT "/sys/fs/cgroup"
#define PROC_CGROUP "/proc/self/cgroup"

static unsigned needed(const struct sbx_config *c)
{
	return (c->limit_memory || c->limit_memory_swap_set ? CGROUP_MEMORY : 0) |
	       (c->limit_pids ? CGROUP_PIDS : 0) | (c->limit_cpus_milli ? CGROUP_CPU : 0);
}

static void request_of(const struct sbx_config *c, struct cgroup_request *req)
{
	*req = (struct cgroup_request){
		.memory = c->limit_memory,
		.memory_swap = c->limit_memory_swap,
		.swap_set = c->limit_memory_swap_set,
		.pids = c->limit_pids,
		.cpus_milli = c->limit_cpus_milli,
	};
}

static void describe(const struct sbx_config *c, char *buf, size_t len)
{
	char mem[32];

	*buf = '\0';
	if (c->limit_memory) {
		limits_format_size(c->limit_memory, mem, sizeof(mem));
		snprintf(buf + strlen(buf), len - strlen(buf), " memory %s", mem);
	}
	if (c->limit_memory_swap_set) {
		limits_format_size(c->limit_memory_swap, mem, sizeof(mem));
		snprintf(buf + strlen(buf), len - strlen(buf), " swap %s", mem);
	}
	if (c->limit_pids)
		snprintf(buf + strlen(buf), len - strlen(buf), " pids %lu", c->limit_pids);
	if (c->limit_cpus_milli)
		snprintf(buf + strlen(buf), len - strlen(buf), " cpus %u.%03u",
			 c->limit_cpus_milli / 1000, c->limit_cpus_milli % 1000);
}

/* 2: a scope from systemd, then 1 in it. Fills @e with why not. */
static int try_scope(const struct sbx_config *c, struct limits *l, struct sbx_error *e)
{
	struct cgroup_request req;
	int r = systemd_scope_enter(l->scope, sizeof(l->scope), e);

	if (r < 0)
		return r;
	cgroup_v2_destroy(&l->cg); /* closes the old cgroup's fd */
	l->cg = (struct cgroup_v2)CGROUP_V2_INIT;
	r = cgroup_v2_find(CGROUP_MNT, PROC_CGROUP, &l->cg, e);
	if (r == 0)
		r = cgroup_v2_check(&l->cg, needed(c), e);
	if (r < 0)
		return r;
	request_of(c, &req);
	r = cgroup_v2_create(&l->cg, needed(c), &req, e);
	if (r == 0)
		l->mech = LIMITS_SYSTEMD_SCOPE;
	return r;
}

/* 1, then 2. Return: 0 with cgroups in force, 1 when there are none to use
 * (@why says why), -errno on a failure that must stop sbx. */
static int try_cgroups(const struct sbx_config *c, struct limits *l, char *why, size_t len,
		       struct sbx_error *e)
{
	struct sbx_error e1 = { 0 }, e2 = { 0 };
	char t1[SBX_ERROR_MSG_MAX], t2[SBX_ERROR_MSG_MAX];
	struct cgroup_request req;
	int r;

	if (getenv("SBX_LIMITS_NO_CGROUP")) {
		snprintf(why, len, "SBX_LIMITS_NO_CGROUP is set");
		return 1;
	}
	r = cgroup_v2_find(CGROUP_MNT, PROC_CGROUP, &l->cg, &e1);
	if (r < 0) {
		sbx_error_format(&e1, why, len);
		return 1;
	}
	r = cgroup_v2_check(&l->cg, needed(c), &e1);
	if (r == 0) {
		request_of(c, &req);
		r = cgroup_v2_create(&l->cg, needed(c), &req, e);
		if (r == 0)
			l->mech = LIMITS_CGROUP;
		return r;
	}
	if (try_scope(c, l, &e2) == 0)
		return 0;
	sbx_error_format(&e1, t1, sizeof(t1));
	sbx_error_format(&e2, t2, sizeof(t2));
	snprintf(why, len, "%s; %s", t1, t2);
	return 1;
}

/* 3: what the rlimits can do, or why they cannot. */
static int plan_rlimits(const struct sbx_config *c, struct limits *l, const char *why,
			struct sbx_error *e)
{
	char mem[32];

	if (c->limits_strict)
		return sbx_error_set(e, 0, "--limits=strict: no cgroup v2 to enforce the limits: %s",
				     why);
	if (c->limit_cpus_milli)
		return sbx_error_set(e, 0, "--cpus needs cgroup v2, which is not usable here: %s",
				     why);
	if (c->limit_pids && !rlimit_nproc_per_userns(NULL))
		return sbx_error_set(e, 0, "--pids: no cgroup v2 (%s), and before Linux 5.14 "
				     "RLIMIT_NPROC counts all of your processes, not the sandbox's",
				     why);
	/* The kernel exempts the host's root user from RLIMIT_NPROC, in any
	 * user namespace: sbx run by root maps the sandbox's user to it. */
	if (c->limit_pids && c->host_uid == 0 && c->userns_mode != SBX_USERNS_ISOLATED)
		return sbx_error_set(e, 0, "--pids: no cgroup v2 (%s), and RLIMIT_NPROC does not "
				     "apply to the sandbox of root (uid 0 on the host)",
				     why);
	l->mech = LIMITS_RLIMIT;
	if (c->limit_memory) {
		limits_format_size(c->limit_memory, mem, sizeof(mem));
		snprintf(l->warning, sizeof(l->warning),
			 "--memory%s: no usable cgroup v2, so each process of the sandbox is limited "
			 "to %s of data instead (RLIMIT_DATA), a weaker limit (--limits=strict "
			 "refuses to start)",
			 c->limit_memory_swap_set ? " --memory-swap" : "", mem);
	} else if (c->limit_memory_swap_set) {
		/* No rlimit counts swap: nothing is enforced, and it is said. */
		snprintf(l->warning, sizeof(l->warning),
			 "--memory-swap: no usable cgroup v2, and no rlimit limits swap: not enforced "
			 "(--limits=strict refuses to start)");
	}
	return 0;
}

/* A writable bind of the host's cgroup2 (/sys, /sys/fs/cgroup, or above or
 * below them): the sandbox's own cgroup namespace does not hide it, and the
 * limit files there are the user's, so the sandbox could raise its limits. */
static const struct sbx_mount_spec *cgroupfs_bound_writable(const struct sbx_config *c)
{
	static const char mnt[] = CGROUP_MNT;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sbx_mount_spec *m = &c->mounts[i];
		size_t n = m->src ? strlen(m->src) : 0;

		if ((m->kind != SBX_MOUNT_BIND && m->kind != SBX_MOUNT_DEV_BIND) || m->sandbox_src ||
		    !n)
			continue;
		while (n > 1 && m->src[n - 1] == '/')
			n--;
		/* @src is /, /sys, /sys/fs, /sys/fs/cgroup or below it. */
		if ((n == 1 && m->src[0] == '/') ||
		    (strncmp(mnt, m->src, n) == 0 && (mnt[n] == '/' || !mnt[n])) ||
		    (strncmp(m->src, mnt, sizeof(mnt) - 1) == 0 &&
		     (m->src[sizeof(mnt) - 1] == '/' || !m->src[sizeof(mnt) - 1])))
			return m;
	}
	return NULL;
}

int limits_setup(const struct sbx_config *c, struct limits *l, struct sbx_error *e)
{
	char why[2 * SBX_ERROR_MSG_MAX + 8], what[128];
	const struct sbx_mount_spec *bound;
	int r;

	l->memory = c->limit_memory;
	l->pids = c->limit_pids;
	if (!needed(c))
		return 0;
	describe(c, what, sizeof(what));
	r = try_cgroups(c, l, why, sizeof(why), e);
	if (r < 0)
		return r;
	if (r > 0) {
		r = plan_rlimits(c, l, why, e);
		if (r < 0)
			return r;
		snprintf(l->notes, sizeof(l->notes), "limits:%s via rlimit (cgroup v2: %s)", what,
			 why);
		return 0;
	}
	if (l->mech == LIMITS_SYSTEMD_SCOPE)
		snprintf(l->notes, sizeof(l->notes), "limits:%s via cgroup v2 in systemd scope %s: %s%s/%s",
			 what, l->scope, l->cg.root, l->cg.path, l->cg.limit);
	else
		snprintf(l->notes, sizeof(l->notes), "limits:%s via cgroup v2: %s%s/%s", what,
			 l->cg.root, l->cg.path, l->cg.limit);
	bound = cgroupfs_bound_writable(c);
	if (bound)
		snprintf(l->warning, sizeof(l->warning),
			 "--%s %s: the host's cgroup2 is writable in the sandbox, which can raise "
			 "its own limits there (bind it read-only)",
			 bound->option, bound->src);
	r = cgroup_v2_watch(&l->cg, (const char *const[]){ "memory.events", "pids.events" }, 2);
	l->watch_fd = r < 0 ? -1 : r;
	cgroup_v2_event_count(&l->cg, "memory.events", "oom_kill", &l->oom_seen);
	cgroup_v2_event_count(&l->cg, "pids.events", "max", &l->pids_seen);
	return 0;
}

int limits_clone_cgroup_fd(const struct limits *l)
{
	return l->cg.sandbox_fd;
}

pid_t limits_clone(const struct limits *l, unsigned long flags, int *ret_pidfd)
{
	pid_t pid = ns_clone_into(flags, l->cg.sandbox_fd, ret_pidfd);
	int r;

	if (pid != -EOPNOTSUPP)
		return pid;
	r = cgroup_v2_move_self(&l->cg, true);
	if (r < 0)
		return r;
	pid = ns_clone(flags, ret_pidfd);
	if (pid == 0)
		return 0;
	/* Back in our leaf: helpers forked from now on stay out of the sandbox. */
	r = cgroup_v2_move_self(&l->cg, false);
	if (r < 0 && pid > 0) {
		kill(pid, SIGKILL);
		return r;
	}
	return pid;
}

const char *limits_mechanism_name(const struct limits *l)
{
	switch (l->mech) {
	case LIMITS_CGROUP:
		return "cgroup v2";
	case LIMITS_SYSTEMD_SCOPE:
		return "systemd scope";
	case LIMITS_RLIMIT:
		return "rlimit";
	default:
		return "none";
	}
}

int limits_watch_fd(const struct limits *l)
{
	return l->watch_fd;
}

bool limits_check_events(struct limits *l, char *msg, size_t len)
{
	unsigned long long n;
	char buf[512], mem[32];

	if (l->watch_fd >= 0)
		while (read(l->watch_fd, buf, sizeof(buf)) > 0)
			;
	if (l->cg.limit_fd < 0)
		return false;
	if (l->memory && cgroup_v2_event_count(&l->cg, "memory.events", "oom_kill", &n) == 0 &&
	    n > l->oom_seen) {
		l->oom_seen = n;
		limits_format_size(l->memory, mem, sizeof(mem));
		snprintf(msg, len, "killed: out of memory (limit %s)", mem);
		return true;
	}
	/* A fork bomb hits the limit thousands of times: one line says it. */
	if (l->pids && !l->pids_told &&
	    cgroup_v2_event_count(&l->cg, "pids.events", "max", &n) == 0 && n > l->pids_seen) {
		l->pids_told = true;
		snprintf(msg, len, "fork refused: the sandbox reached --pids %lu", l->pids);
		return true;
	}
	return false;
}

int limits_apply_in_command(const struct limits *l, struct sbx_error *e)
{
	if (!l || l->mech != LIMITS_RLIMIT)
		return 0;
	return rlimit_apply(l->pids, l->memory, e);
}

void limits_release(struct limits *l)
{
	if (l->watch_fd >= 0)
		close(TAKE_FD(l->watch_fd));
	cgroup_v2_destroy(&l->cg);
}
