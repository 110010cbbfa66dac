/* bypass_lockdown.c - the stages that lock the TCP bypass worker down
 *
 * The order and the reasons are in bypass_worker.c's theory of operation.
 * Each stage only takes away; none may depend on anything the sandboxed
 * program sent, which the worker reads only after the last one.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/netlink.h>

/* Linux 6.6; our own copies for older headers. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#include "bypass_lockdown.h"
#include "caps.h"
#include "proc.h"
#include "seccomp_lib.h"
#include "util.h"

void bypass_lockdown_detach(int ctl, pid_t parent)
{
	proc_helper_detach(parent, &ctl, 1);
}

#define VIEW_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

int bypass_lockdown_empty_view(int *done, struct sbx_error *e)
{
	/* Without CAP_SYS_ADMIN in our user namespace (rootless sbx): Landlock. */
	if (unshare(CLONE_NEWNS) < 0)
		return errno == EPERM ? 0 : sbx_error_set(e, errno, "tcp bypass worker: unshare");
	/* The classic mount calls: they work back to Linux 5.6. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: private mounts");
	if (mount("tmpfs", "/tmp", "tmpfs", VIEW_FLAGS, "mode=0755,size=16k") < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: tmpfs on /tmp");
	if (mkdir("/tmp/proc", 0555) < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: mkdir /proc");
	/* Recursive: a user namespace may not uncover what /proc's submounts hide. */
	if (mount("/proc", "/tmp/proc", NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, "/tmp/proc", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | VIEW_FLAGS, NULL) < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: /proc");
	/* As in rootfs.c: pivot onto the new root and detach the old one. */
	if (chdir("/tmp") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: pivot_root");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | VIEW_FLAGS, NULL) < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: read-only root");
	*done |= BYPASS_LOCKDOWN_EMPTY_VIEW;
	return 0;
}

int bypass_lockdown_no_privileges(struct sbx_error *e)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: not dumpable");
	/* Only with CAP_SETPCAP (root); an unprivileged worker has nothing
	 * there it could use: no_new_privs keeps it from gaining any. */
	if (prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) == 1) {
		for (int cap = 0; cap <= CAP_LAST_CAP + 16; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL &&
			    errno != EPERM)
				return sbx_error_set(e, errno, "tcp bypass worker: bounding set");
	}
	if (caps_drop_all_now(e) < 0)
		return -(e->err ? e->err : EPERM);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "tcp bypass worker: no_new_privs");
	return 0;
}

static int add_rules(scmp_filter_ctx ctx)
{
	static const int plain[] = {
		/* the loop, and the control socket */
		SCMP_SYS(poll), SCMP_SYS(ppoll) /* arm64's poll() */, SCMP_SYS(clock_gettime),
		SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(close),
		/* the command's calls: its memory, its sockets */
		SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_getfd), SCMP_SYS(process_vm_readv),
		/* host sockets (twins, route probes), the program's sockets */
		SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
		SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(getrandom),
		/* the relay (bypass_link.c, splice_relay.c) */
		SCMP_SYS(accept4), SCMP_SYS(pipe2), SCMP_SYS(splice), SCMP_SYS(shutdown),
		/* the timer that bounds calls on the program's sockets (bypass_guard.c) */
		SCMP_SYS(setitimer),
		/* the route netlink dump of the host's addresses (bypass_sock.c) */
		SCMP_SYS(sendto),
		/* /proc/PID/status (read-only by the rule below) */
		SCMP_SYS(read),
		/* memory, exit */
		SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
		SCMP_SYS(futex), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(rt_sigprocmask), SCMP_SYS(exit), SCMP_SYS(exit_group),
		SCMP_SYS(restart_syscall),
		/* reads the signal stack: AddressSanitizer does before _exit() */
		SCMP_SYS(sigaltstack),
	};
	static const scmp_datum_t ioctls[] = {
		SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_IOCTL_NOTIF_ID_VALID,
		SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	};
	/* ADDFD is not there: the worker never puts an fd into the program. */
	static const scmp_datum_t fcntls[] = { F_GETFL, F_SETFL, F_SETPIPE_SZ, F_GETPIPE_SZ };
	int r = seccomp_lib_allow_list(ctx, plain, ARRAY_SIZE(plain));

	/* IP sockets, and the route netlink socket that lists the host's
	 * addresses. No unix sockets, no other netlink, no packet sockets. */
	if (r == 0)
		r = seccomp_lib_allow_ip_sockets(ctx);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
				     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK, 0),
				     SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE, 0));
	/* fcntl() only to read and set a file's status flags (O_NONBLOCK) and
	 * a relay pipe's size:
	 * F_SETOWN/F_SETSIG would let the worker send any signal to any process
	 * of its uid (SIGIO's permission check compares uids only; as root, to
	 * every process), by doing I/O on a socket of its own. */
	if (r == 0)
		r = seccomp_lib_allow_arg1_in(ctx, SCMP_SYS(fcntl), fcntls, ARRAY_SIZE(fcntls));
	if (r == 0)
		r = seccomp_lib_allow_arg1_in(ctx, SCMP_SYS(ioctl), ioctls, ARRAY_SIZE(ioctls));
	/* -v's "refused" lines (egress.c), on stderr only. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
				     SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO, 0));
	/* Opening is for reading only (/proc); no executable memory. */
	if (r == 0)
		r = seccomp_lib_allow_helper_basics(ctx);
	return r;
}

void bypass_listener_sync_wakeups(int notify_fd)
{
	/* A connect() waits for the worker and the worker for nothing else:
	 * hand the CPU over directly in both directions, instead of waking a
	 * process that may run elsewhere, later (Linux 6.6; else no change). */
	ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
}

int bypass_lockdown_seccomp(struct sbx_error *e)
{
	return seccomp_lib_load_allow_list(add_rules, "tcp bypass worker", e);
}
