/* ns.c - clone into new namespaces (or the holder's spare ones); hostname,
 * loopback and time offsets */
#include "autoconf.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "ns.h"
#include "userns.h"
#include "util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Set in the sandbox's pid 1 when it was made in the holder's spare
 * namespaces (ns_spawn()): those of its CLONE_NEW* flags that exist already
 * (the network namespace with lo up) and are not unshared again. */
static unsigned long spare_ns_joined;
/* Set in that pid 1 whatever it shares: its maps are written and checked. */
static bool spare_joined;

static unsigned long new_ns_flags(const struct sbx_config *c)
{
	static const unsigned long flag_of[SBX_NS_COUNT] = {
		[SBX_NS_USER] = CLONE_NEWUSER, [SBX_NS_MNT] = CLONE_NEWNS,
		[SBX_NS_PID] = CLONE_NEWPID,   [SBX_NS_IPC] = CLONE_NEWIPC,
		[SBX_NS_UTS] = CLONE_NEWUTS,   [SBX_NS_NET] = CLONE_NEWNET,
		[SBX_NS_CGROUP] = CLONE_NEWCGROUP,
	};
	unsigned long flags = 0;

	for (int ns = 0; ns < SBX_NS_COUNT; ns++)
		if (!c->share[ns] && ns != SBX_NS_TIME)
			flags |= flag_of[ns];
	/* The user and mount namespaces are always new: they are what makes
	 * the rest rootless and the new root possible. (But bwrap run by root
	 * without --unshare-user keeps the host's user namespace.) */
	return flags | (c->bwrap.no_userns ? 0 : CLONE_NEWUSER) | CLONE_NEWNS;
}

/* bwrap creates every namespace with the clone and reports their ids (its
 * --info-fd) right after it, while the child surely lives: so does sbx as
 * bwrap, and with --info-fd/--json-status-fd (sandbox.c reads them then). */
static unsigned long clone_time_flags(const struct sbx_config *c)
{
	return ns_all_at_clone(c) ? ~0UL : (CLONE_NEWUSER | CLONE_NEWPID);
}

bool ns_all_at_clone(const struct sbx_config *c)
{
	return c->bwrap.enabled || c->info_fd >= 0 || c->json_status_fd >= 0;
}

unsigned long ns_clone_flags(const struct sbx_config *c)
{
	return new_ns_flags(c) & clone_time_flags(c);
}

int ns_unshare_rest(const struct sbx_config *c, struct sbx_error *e)
{
	unsigned long flags = new_ns_flags(c) & ~clone_time_flags(c);

	flags &= ~spare_ns_joined;
	if (unshare((int)flags) < 0)
		return sbx_error_set(e, errno, "cannot create the namespaces");
	return 0;
}

bool ns_net_ready(const struct sbx_config *c)
{
	return c->share[SBX_NS_NET] || (spare_ns_joined & CLONE_NEWNET);
}

bool ns_in_spare(void)
{
	return spare_joined;
}

pid_t ns_clone(unsigned long flags, int *ret_pidfd)
{
	return ns_clone_into(flags, -1, ret_pidfd);
}

pid_t ns_clone_into(unsigned long flags, int cgroup_fd, int *ret_pidfd)
{
	struct clone_args args;
	int pidfd = -1;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	/* --memory, --pids...: the child starts in the sandbox's cgroup, so
	 * its cgroup namespace is rooted there (src/limits/cgroup.h). */
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	/* A zero stack gives fork() semantics: the child runs on a copy of ours. */
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && cgroup_fd >= 0 && (errno == ENOSYS || errno == E2BIG))
		return -EOPNOTSUPP; /* before Linux 5.7: the caller moves itself */
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
		pidfd = -1;
		pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	}
	if (pid < 0)
		return -errno;
	if (pid > 0)
		*ret_pidfd = pidfd;
	return (pid_t)pid;
}

/* clone3(CLONE_PARENT): the new process is our parent's child, not ours,
 * and ends with the signal our own end would send (SIGCHLD): so clone3 takes
 * no exit signal of its own with it. */
static pid_t clone_sibling(unsigned long flags)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_PARENT;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG))
		pid = syscall(SYS_clone, flags | CLONE_PARENT, NULL, NULL, NULL, NULL);
	return pid < 0 ? -errno : (pid_t)pid;
}

/* Is /proc/self/@file (uid_map or gid_map) exactly @want? Read inside the
 * namespace, its outside ids are those of the parent namespace: the
 * holder's, where sbx's plan is written too. */
static bool own_map_is(const char *file, const struct idmap *want)
{
	char path[32], text[IDMAP_MAX_LINES * 40];
	_cleanup_close_ int fd = -1;
	struct idmap got;
	size_t used = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (used + 1 < sizeof(text) && (n = read(fd, text + used, sizeof(text) - used - 1)) > 0)
		used += (size_t)n;
	text[used] = '\0';
	return idmap_parse(text, &got) == 0 && idmap_equal(&got, want);
}

/* The spare's namespaces the sandbox of @c enters: those it would create,
 * but the UTS namespace only where pid 1 names the host (ns_set_hostname()
 * in child.c): until then it has the names the host had when the keeper
 * made it, not those a namespace unshared now would copy. */
static unsigned long spare_flags(const struct sbx_config *c)
{
	unsigned long want = new_ns_flags(c) & (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);

	if (!c->hostname && c->bwrap.enabled)
		want &= ~(unsigned long)CLONE_NEWUTS;
	return want;
}

/* In the go-between: enter the spare, check it, fork pid 1 as sbx's child.
 * The user namespace first: it owns the others, and setns() into them
 * wants CAP_SYS_ADMIN over their owner and in our own user namespace, both
 * of which we have once inside (setns() into a user namespace gives all its
 * capabilities). The maps are checked before anything else is entered, so
 * that a spare not mapped as planned never runs a thing. The pid namespace
 * is made by the clone, from inside: it is then owned by the spare's user
 * namespace, so pid 1 may mount /proc.
 * Return: pid 1's pid (in sbx's pid namespace), 0 in pid 1, or -errno */
static pid_t spare_fork_pid1(const struct sbx_config *c, const struct userns_plan *p)
{
	const struct {
		unsigned long flag;
		int fd;
	} order[] = { { CLONE_NEWNET, p->spare.net },
		      { CLONE_NEWIPC, p->spare.ipc },
		      { CLONE_NEWUTS, p->spare.uts } };
	unsigned long want = spare_flags(c);
	pid_t pid;

	if (setns(p->spare.user, CLONE_NEWUSER) < 0)
		return -errno;
	if (!own_map_is("uid_map", &p->uid_map) || !own_map_is("gid_map", &p->gid_map))
		return -ESTALE;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((want & order[i].flag) && setns(order[i].fd, (int)order[i].flag) < 0)
			return -errno;
	pid = clone_sibling(new_ns_flags(c) & CLONE_NEWPID);
	if (pid == 0) {
		spare_ns_joined = want;
		spare_joined = true;
	}
	return pid;
}

pid_t ns_spawn(const struct sbx_config *c, struct userns_plan *p, int *ret_pidfd)
{
	/* Written by the go-between, which shares our memory until it exits. */
	volatile pid_t pid = -EPROTO;
	pid_t mid;
	int status;

	*ret_pidfd = -1;
	if (p->spare.user < 0)
		return ns_clone(ns_clone_flags(c), ret_pidfd);
	/* sbx itself stays in its own namespaces: the supervisor, and the
	 * network processes it forks later, must stay out of the sandbox's.
	 * A go-between enters them and forks pid 1 with CLONE_PARENT, so that
	 * pid 1 is sbx's child as after a direct clone. vfork(): the
	 * go-between neither copies nor tears down our memory (a fork and
	 * exit of sbx would cost more than the spare saves); it only makes
	 * system calls on our stack, below our frame, and leaves by _exit().
	 * pid 1 is made by a plain clone: a copy, as after ns_clone(). */
	mid = vfork();
	if (mid == 0) {
		pid_t r = spare_fork_pid1(c, p);

		if (r == 0) {
			/* pid 1, in memory of its own from here on */
			userns_spare_release(&p->spare);
			return 0;
		}
		pid = r;
		_exit(0);
	}
	if (mid > 0)
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
	else
		pid = -errno;
	if (pid > 0) {
		userns_spare_release(&p->spare);
		p->spare_used = true;
		/* pid 1 is our child, unreaped: its pid cannot be reused. */
		*ret_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		return pid;
	}
	log_verbose(1, "spare namespaces not used: %s; unsharing new ones", strerror(-pid));
	userns_spare_release(&p->spare);
	return ns_clone(ns_clone_flags(c), ret_pidfd);
}

int ns_set_hostname(const char *name, struct sbx_error *e)
{
	if (sethostname(name, strlen(name)) < 0)
		return sbx_error_set(e, errno, "--hostname %s", name);
	if (setdomainname("(none)", 6) < 0)
		return sbx_error_set(e, errno, "cannot set the domain name");
	return 0;
}

int ns_loopback_up(struct sbx_error *e)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return sbx_error_set(e, errno, "cannot bring up lo: socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return sbx_error_set(e, errno, "cannot bring up lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return sbx_error_set(e, errno, "cannot bring up lo");
	return 0;
}

int ns_new_time(const struct sbx_config *c, struct sbx_error *e)
{
	char buf[96];
	int r;

	if (unshare(CLONE_NEWTIME) < 0) {
		/* Kernels before 5.6 have no time namespace; only an explicit
		 * request for offsets makes that an error. */
		if (errno == EINVAL && !c->has_time_offset)
			return 0;
		return sbx_error_set(e, errno, "cannot create a time namespace%s",
				     errno == EINVAL ? " (needs Linux 5.6)" : "");
	}
	if (!c->has_time_offset)
		return 0;
	snprintf(buf, sizeof(buf), "monotonic %lld 0\nboottime %lld 0\n", c->time_offset_monotonic,
		 c->time_offset_boottime);
	r = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf);
	if (r < 0)
		return sbx_error_set(e, r, "--time-offset");
	return 0;
}
