/* nethelper_lockdown.c - the network helper's lockdown stages, run by the
 * helper itself before it reads a single frame (the order and the reasons:
 * nethelper_main.c's theory of operation)
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "mount.h"
#include "nethelper_lockdown.h"
#include "seccomp_lib.h"
#include "util.h"

#define HELPER_NOFILE 16384


/* Map only ourselves (the ids we had before unshare()), which needs no privilege. */
static int write_own_id_maps(uid_t uid, gid_t gid, struct sbx_error *e)
{
	char map[64];
	int r;

	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	r = write_file_at(AT_FDCWD, "/proc/self/uid_map", map);
	if (r >= 0)
		r = write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny");
	if (r >= 0) {
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
		r = write_file_at(AT_FDCWD, "/proc/self/gid_map", map);
	}
	if (r < 0)
		return sbx_error_set(e, r, "network helper: id maps");
	return 0;
}

int nethelper_lockdown_empty_root(const char *resolv_conf, size_t len, struct sbx_error *e)
{
	static const char *const opts[] = { "mode", "0755", "size", "64k", NULL };
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	const unsigned long legacy_ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	_cleanup_close_ int root = -1, file = -1;
	uid_t uid = getuid();
	gid_t gid = getgid();
	int r;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return sbx_error_set(e, errno, "network helper: unshare");
	r = write_own_id_maps(uid, gid, e);
	if (r < 0)
		return r;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sbx_error_set(e, errno, "network helper: private mounts");
	r = mnt_new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &root);
	if (r < 0)
		return sbx_error_set(e, r, "network helper: tmpfs");
	if (mkdirat(root, "etc", 0755) < 0)
		return sbx_error_set(e, errno, "network helper: mkdir /etc");
	file = openat(root, "etc/resolv.conf", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (file < 0 || write_all(file, resolv_conf, len) < 0)
		return sbx_error_set(e, errno, "network helper: resolv.conf");
	/* A file open for writing would keep the mount from going read-only. */
	close(TAKE_FD(file));
	/* As in rootfs.c: hang the new root somewhere, pivot onto it and
	 * detach the old root stacked underneath. */
	if (move_mount(root, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH) < 0 &&
	    move_mount(root, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return sbx_error_set(e, errno, "network helper: attach tmpfs");
	if (fchdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return sbx_error_set(e, errno, "network helper: pivot_root");
	/* Linux < 5.12 has no mount_setattr(): a classic remount does the
	 * same here (the tmpfs is ours, no locked flags; no /proc for
	 * mnt_set_attr_attached() to read). */
	if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0 &&
	    (errno != ENOSYS || mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | legacy_ro, NULL) < 0))
		return sbx_error_set(e, errno, "network helper: read-only root");
	return 0;
}

int nethelper_lockdown_no_privileges(struct sbx_error *e)
{
	struct rlimit rl;

	/* Six fds per relayed connection: raise the soft limit while we
	 * still may (it never needs privilege below the hard limit). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < HELPER_NOFILE) {
		rl.rlim_cur = rl.rlim_max < HELPER_NOFILE ? rl.rlim_max : HELPER_NOFILE;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "network helper: not dumpable");
	return caps_drop_for_exec(0, e);
}

static const scmp_datum_t helper_fcntls[] = { F_GETFL, F_SETFL, F_GETFD, F_SETFD,
					      F_GETPIPE_SZ, F_SETPIPE_SZ, F_DUPFD_CLOEXEC };

int nethelper_lockdown_rules(scmp_filter_ctx ctx)
{
	static const int plain[] = {
		/* the loop */
		SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
		/* packets and streams */
		SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
		SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
		SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept4),
		SCMP_SYS(accept), SCMP_SYS(shutdown), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
		SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(close),
		SCMP_SYS(splice), SCMP_SYS(pipe2),
		/* libslirp's look at /etc/resolv.conf (our read-only copy) */
		SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(stat), SCMP_SYS(statx),
		SCMP_SYS(lseek),
		/* memory, time, exit */
		SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap),
		SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getrandom), SCMP_SYS(getpid),
		SCMP_SYS(gettid), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(restart_syscall),
		/* reads the signal stack: AddressSanitizer does before _exit() */
		SCMP_SYS(sigaltstack),
	};
	int r = seccomp_lib_allow_list(ctx, plain, ARRAY_SIZE(plain));

	/* Only IP sockets: no AF_UNIX (abstract sockets ignore the empty
	 * root), no netlink, no packet sockets. */
	if (r == 0)
		r = seccomp_lib_allow_ip_sockets(ctx);
	/* fcntl() only for what libslirp, GLib and the relay use: status and
	 * fd flags, pipe sizes, a CLOEXEC copy. Never F_SETOWN/F_SETSIG: with
	 * O_ASYNC they would signal any process of the user on our own I/O. */
	if (r == 0)
		r = seccomp_lib_allow_arg1_in(ctx, SCMP_SYS(fcntl), helper_fcntls,
					      ARRAY_SIZE(helper_fcntls));
	/* UDP sockets ask how big the next datagram is. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, FIONREAD, 0));
	/* Opening is for reading only (resolv.conf); no executable memory
	 * (libslirp and GLib were loaded in stage 1, and nothing they run
	 * afterwards loads code). */
	if (r == 0)
		r = seccomp_lib_allow_helper_basics(ctx);
	return r;
}

int nethelper_lockdown_seccomp(struct sbx_error *e)
{
	return seccomp_lib_load_allow_list(nethelper_lockdown_rules, "network helper", e);
}
