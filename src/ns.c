/* ns.c - clone into new namespaces; hostname, loopback and time offsets */
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
#include <unistd.h>

#include "ns.h"
#include "userns_holder.h"
#include "util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

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

	if (unshare((int)flags) < 0)
		return sbx_error_set(e, errno, "cannot create the namespaces");
	userns_holder_hand_over();
	return 0;
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
