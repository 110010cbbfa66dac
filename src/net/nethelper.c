/* nethelper.c - the isolated process outside the sandbox that runs libslirp
 *
 * Theory of operation
 *
 * libslirp parses every frame the sandboxed program writes to its tap
 * device: it is the one piece of sbx that handles hostile input outside the
 * sandbox. It therefore runs in its own process, which sbx forks right after
 * the sandbox's clone and which takes away everything it does not need before
 * it can see a single frame:
 *
 *  stage 0, detach: own session (terminal signals go to the sandbox, not
 *	here), SIGKILL when sbx dies, SIGPIPE ignored, every inherited fd closed
 *	but the control socket and the published ports' listening sockets.
 *  stage 1, slirp: load libslirp (dlopen: plain sbx start-up does not pay for
 *	GLib), create the instance and bind the UDP forwards, and read the
 *	host's /etc/resolv.conf, while the host's files are still visible.
 *  stage 2, empty root: a new user and mount namespace (never a new network
 *	namespace: the helper's sockets must be the host's), an empty private
 *	tmpfs as /, read-only, holding only a copy of resolv.conf, which
 *	libslirp reads when it forwards DNS. The host's file system is gone.
 *  stage 3, no privileges: the capabilities of that user namespace, the
 *	bounding set included, are dropped; no_new_privs; not dumpable.
 *  stage 4, seccomp: an allow-list of what the loop below calls (poll,
 *	socket I/O, IPv4/IPv6 sockets only, splice, memory); anything else
 *	fails with EPERM.
 *  stage 5, ready: tell sbx, which only then passes on the tap fd and the
 *	socket factory's socket from the sandbox; serve them.
 *
 * It ends when its control socket from sbx reaches EOF (sbx closed it, or
 * died) or at SIGKILL (sbx's exit path, or the parent-death signal), so
 * nothing it holds outlives sbx.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/mount.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "mount.h"
#include "nethelper.h"
#include "pollset.h"
#include "publish.h"
#include "seccomp_filter.h"
#include "slirp.h"
#include "supervise.h"
#include "util.h"

#define RESOLV_CONF_MAX 16384
#define HELPER_NOFILE 16384

struct helper {
	const struct sbx_config *c;
	int ctl_fd;
	int bypass_fd; /* the bypass worker's handover questions; -1: none */
	struct slirp_glue slirp;
	struct publish_relay relay;
	char resolv_conf[RESOLV_CONF_MAX];
	size_t resolv_conf_len;
};

static _Noreturn void helper_fail(int ctl_fd, const struct sbx_error *e)
{
	sync_send_error(ctl_fd, SYNC_SETUP_ERROR, e);
	_exit(SBX_EXIT_SETUP);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every fd above 2 that is not in @keep (sorted here). */
static void close_all_but(int *keep, size_t n)
{
	unsigned from = 3;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0U);
		if ((unsigned)keep[i] >= from)
			from = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0U);
}

static void stage_detach(struct helper *h, pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
	size_t n_keep = h->relay.n_listen + h->relay.n_udp + 2;
	_cleanup_free_ int *keep = xreallocarray(NULL, n_keep, sizeof(int));
	sigset_t none;
	int null;

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* sbx died between fork() and the line above: nobody would kill us. */
	if (getppid() != parent)
		_exit(0);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	keep[0] = h->ctl_fd;
	keep[n_keep - 1] = h->bypass_fd >= 0 ? h->bypass_fd : h->ctl_fd;
	for (size_t i = 0; i < h->relay.n_listen; i++)
		keep[i + 1] = h->relay.listen_fds[i];
	for (size_t i = 0; i < h->relay.n_udp; i++)
		keep[h->relay.n_listen + i + 1] = h->relay.udp[i].host_fd;
	close_all_but(keep, n_keep);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
}

static void read_resolv_conf(struct helper *h)
{
	_cleanup_close_ int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, h->resolv_conf, sizeof(h->resolv_conf)) : -1;

	h->resolv_conf_len = n > 0 ? (size_t)n : 0;
}

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

static int stage_empty_root(struct helper *h, struct sbx_error *e)
{
	static const char *const opts[] = { "mode", "0755", "size", "64k", NULL };
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
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
	if (file < 0 || write_all(file, h->resolv_conf, h->resolv_conf_len) < 0)
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
	if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
		return sbx_error_set(e, errno, "network helper: read-only root");
	return 0;
}

static int stage_no_privileges(struct sbx_error *e)
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

static int add_rules(scmp_filter_ctx ctx)
{
	static const int plain[] = {
		/* the loop */
		SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
		/* packets and streams */
		SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
		SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
		SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept4),
		SCMP_SYS(accept), SCMP_SYS(shutdown), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
		SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(fcntl), SCMP_SYS(close),
		SCMP_SYS(splice), SCMP_SYS(pipe2),
		/* libslirp's look at /etc/resolv.conf (our read-only copy) */
		SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(stat), SCMP_SYS(statx),
		SCMP_SYS(lseek),
		/* memory, time, exit */
		SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
		SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(getrandom), SCMP_SYS(getpid),
		SCMP_SYS(gettid), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(restart_syscall),
		/* reads the signal stack: AddressSanitizer does before _exit() */
		SCMP_SYS(sigaltstack),
	};
	int r = seccomp_allow_list(ctx, plain, ARRAY_SIZE(plain));

	/* Only IP sockets: no AF_UNIX (abstract sockets ignore the empty
	 * root), no netlink, no packet sockets. */
	if (r == 0)
		r = seccomp_allow_ip_sockets(ctx);
	/* UDP sockets ask how big the next datagram is. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, FIONREAD, 0));
	/* Opening is for reading only (resolv.conf). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
	/* No executable memory. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return r;
}

static int stage_seccomp(struct sbx_error *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx)
		return sbx_error_set(e, ENOMEM, "network helper: seccomp_init");
	r = add_rules(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return sbx_error_set(e, r, "network helper: seccomp");
	return 0;
}

/* A message from sbx. Return: -1 at EOF (time to go). */
static int handle_ctl(struct helper *h)
{
	struct sync_msg m;
	int fd, r = sync_recv(h->ctl_fd, &m, &fd, MSG_DONTWAIT);

	if (r == -EAGAIN)
		return 0;
	if (r < 0)
		return -1;
	if (m.type == SYNC_NET_TAP && fd >= 0) {
		slirp_glue_set_tap(&h->slirp, fd);
	} else if (m.type == SYNC_NET_FACTORY && fd >= 0 && h->relay.factory_fd < 0) {
		h->relay.factory_fd = fd;
	} else if (fd >= 0) {
		close(fd);
	}
	return 0;
}

/* A handover question from the bypass worker: the port of a held relay
 * connection inside; the answer names it again (so the worker can tell it
 * from a late one), with the host socket when the relay held it. */
static void handle_bypass(struct helper *h)
{
	struct sync_msg m;
	int fd, host_fd, r = sync_recv(h->bypass_fd, &m, &fd, MSG_DONTWAIT);
	struct sync_msg reply = { .type = SYNC_NET_HANDOVER };

	if (r == -EAGAIN)
		return;
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		close(h->bypass_fd); /* the worker is gone: the relay carries everything */
		h->bypass_fd = -1;
		return;
	}
	if (m.type != SYNC_NET_HANDOVER || m.value <= 0 || m.value > 65535)
		return;
	host_fd = relay_handover(&h->relay, (uint16_t)m.value);
	reply.value = m.value;
	sync_send(h->bypass_fd, &reply, host_fd);
	if (host_fd >= 0)
		close(host_fd);
}

static _Noreturn void helper_loop(struct helper *h)
{
	struct pollset ps = { 0 };

	for (;;) {
		int timeout = -1, n;
		size_t ctl_idx, bypass_idx;

		ps.n = 0;
		ctl_idx = pollset_add(&ps, h->ctl_fd, POLLIN);
		bypass_idx = pollset_add(&ps, h->bypass_fd, POLLIN);
		slirp_glue_fill(&h->slirp, &ps, &timeout);
		relay_fill(&h->relay, &ps, &timeout);
		n = poll(ps.fds, ps.n, timeout);
		if (n < 0 && errno != EINTR)
			_exit(1);
		if (pollset_revents(&ps, ctl_idx) && handle_ctl(h) < 0)
			_exit(0);
		if (pollset_revents(&ps, bypass_idx))
			handle_bypass(h);
		slirp_glue_handle(&h->slirp, &ps, n < 0);
		relay_handle(&h->relay, &ps);
	}
}

static _Noreturn void helper_main(const struct sbx_config *c, int ctl_fd, int bypass_fd,
				  const int *publish_fds, pid_t parent, bool handover)
{
	struct sbx_error e = { 0 };
	struct helper h; /* lives as long as the process: helper_loop() never returns */

	memset(&h, 0, sizeof(h));
	h.c = c;
	h.ctl_fd = ctl_fd;
	h.bypass_fd = bypass_fd;
	relay_init(&h.relay, c->publish, publish_fds, c->n_publish);
	h.relay.handover = handover;
	h.relay.host_loopback_ok = c->allow_host_loopback;
	stage_detach(&h, parent);
	if (slirp_glue_open(&h.slirp, c, &e) < 0)
		helper_fail(ctl_fd, &e);
	read_resolv_conf(&h);
	if (stage_empty_root(&h, &e) < 0 || stage_no_privileges(&e) < 0 || stage_seccomp(&e) < 0)
		helper_fail(ctl_fd, &e);
	if (sync_send_simple(ctl_fd, SYNC_READY, 0) < 0)
		_exit(0);
	helper_loop(&h);
}

int nethelper_start(struct nethelper *h, const struct sbx_config *c, struct sbx_error *e)
{
	_cleanup_free_ int *publish_fds = xreallocarray(NULL, c->n_publish + 1, sizeof(int));
	size_t n_bound = 0;
	int fds[2], r = 0;
	pid_t parent = getpid();

	h->pid = -1;
	h->ctl_fd = -1;
	h->ready = false; /* h->handover is the caller's */
	for (; n_bound < c->n_publish && r == 0; n_bound++) {
		r = publish_listen(&c->publish[n_bound], &publish_fds[n_bound], e);
		if (r < 0)
			break;
	}
	if (r == 0) {
		r = sync_socketpair(fds);
		if (r < 0)
			sbx_error_set(e, r, "network helper: socketpair");
	}
	if (r == 0) {
		h->pid = fork();
		if (h->pid == 0) {
			close(fds[0]);
			helper_main(c, fds[1], h->bypass_fd, publish_fds, parent, h->handover);
		}
		if (h->pid < 0)
			r = sbx_error_set(e, errno, "cannot start the network helper");
		close(fds[1]);
		if (r == 0)
			h->ctl_fd = fds[0];
		else
			close(fds[0]);
	}
	/* The host sockets are the helper's now (or nobody's). */
	for (size_t i = 0; i < n_bound; i++)
		close(publish_fds[i]);
	if (h->bypass_fd >= 0)
		close(h->bypass_fd);
	h->bypass_fd = -1;
	return r;
}

int nethelper_wait_ready(struct nethelper *h, struct sbx_error *e)
{
	struct sync_msg m;
	int r;

	if (h->ready)
		return 0;
	r = sync_recv(h->ctl_fd, &m, NULL, 0);
	if (r == -EPIPE)
		return sbx_error_set(e, 0, "the network helper ended during setup");
	if (r < 0)
		return sbx_error_set(e, r, "sync with the network helper");
	if (m.type == SYNC_SETUP_ERROR) {
		*e = m.error;
		e->exit_code = SBX_EXIT_SETUP;
		return -(e->err ? e->err : EINVAL);
	}
	if (m.type != SYNC_READY)
		return sbx_error_set(e, EPROTO, "unexpected message %u from the network helper", m.type);
	h->ready = true;
	return 0;
}

int nethelper_forward(struct nethelper *h, const struct sync_msg *m, int fd, struct sbx_error *e)
{
	int r = nethelper_wait_ready(h, e);

	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	r = sync_send(h->ctl_fd, m, fd);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return sbx_error_set(e, r, "sync with the network helper");
	return 0;
}

void nethelper_stop(struct nethelper *h)
{
	if (h->ctl_fd >= 0)
		close(h->ctl_fd);
	h->ctl_fd = -1;
	kill_and_reap(h->pid);
	h->pid = -1;
}
