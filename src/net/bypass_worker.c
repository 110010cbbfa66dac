/* bypass_worker.c - the process that runs the TCP bypass, and sbx's side of it
 *
 * Theory of operation
 *
 * The bypass (bypass.c, bypass_accept.c) reads the sandboxed program's
 * memory (process_vm_readv), takes its sockets (pidfd_getfd) and parses what
 * it wrote: a memory-safety bug there must not run code as the user outside
 * every wall. So it runs in a process of its own, which sbx forks right
 * after the sandbox's clone, and which takes away everything it does not
 * need before it receives the listener, i.e. before it reads a single byte
 * the program chose:
 *
 *  stage 0, detach: own session (terminal signals go to the sandbox, not
 *	here), SIGKILL when sbx dies, SIGPIPE ignored, every inherited fd
 *	closed but its control socket from sbx; stdin and stdout /dev/null, stderr
 *	kept for writing only (a terminal is not left open for reading).
 *	Then the route netlink socket that follows the host's own addresses
 *	(egress.c), and, with --allow-net, the table of what names resolved
 *	to, which sbx mapped shared with the network helper (egress_learned.h).
 *	Its descriptor limit raised to the hard limit (the relay's six fds a
 *	connection, bypass_link.c).
 *  stage 1, empty view: where the worker may create a mount namespace (it
 *	has CAP_SYS_ADMIN in its user namespace: sbx runs as root, or in a user
 *	namespace of its own such as a per-user holder), an empty read-only
 *	tmpfs as /, holding only /proc (read-only), which the bypass reads for
 *	one fact no other interface gives before Linux 6.9: a thread's process
 *	(status).
 *  stage 2, no privileges: not dumpable; the capabilities dropped (the
 *	bounding set too where CAP_SETPCAP allows; an unprivileged worker has
 *	none to drop), no_new_privs.
 *  stage 3, seccomp: an allow-list of what the loop below calls (the
 *	listener's ioctls, pidfd_open/getfd, process_vm_readv/writev, IP
 *	sockets and a route netlink socket for the host's addresses, the
 *	relay's accept4, pipe2, splice and shutdown, setitimer (bypass_guard.c), opening
 *	files read-only, memory without PROT_EXEC, write() to stderr only, for
 *	-v's "refused" lines); anything else fails with
 *	EPERM: no exec, no writing or creating files, no unix sockets (D-Bus,
 *	the user's systemd), no signals (neither kill() nor fcntl(F_SETOWN),
 *	whose SIGIO reaches any process of the worker's uid), no ptrace()
 *	itself.
 *  stage 4, ready: tell sbx; the listener and the relay listeners, which
 *	sbx sends whenever the command's arrive, are read only now.
 *
 * Why it stays in sbx's user namespace (not in one of its own, as the
 * network helper): a process in the sandbox's *parent* user namespace whose
 * euid owns the sandbox's namespace has every capability in it, whatever its
 * own capabilities; that is what lets it ptrace-access the command
 * (pidfd_getfd, process_vm_readv), also under Yama's ptrace_scope=1, which
 * allows a non-descendant that is ns_capable(CAP_SYS_PTRACE) over the
 * target. A worker in a new user namespace would be a sibling of the
 * sandbox's and lose that. For the same reason it stays in the host's
 * network namespace (its sockets are the host's) and pid namespace
 * (notifications name host pids).
 *
 * Why no Landlock: a process in a Landlock domain may only ptrace-access
 * processes in the same domain or one nested in it, and the command's is
 * not nested in the worker's; a Landlocked worker gets EPERM from
 * pidfd_getfd and process_vm_readv on every call (tried: each connect()
 * fell back to slirp).
 *
 * What remains: process_vm_readv/writev and pidfd_open take any pid, and
 * seccomp cannot tell the sandbox's from others (a pidfd cannot be
 * compared either); the kernel's ptrace rules are the only wall, and hostile
 * code in the worker reaches every process they allow:
 *  - rootless without the holder (--no-userns-holder, no subordinate ids):
 *    sbx in the initial user namespace without capabilities cannot give the
 *    worker a mount namespace (that needs a new user namespace, which would
 *    cost the ptrace access above), so its file-system wall is only
 *    seccomp: it may read, not write, what the user may read, and it has
 *    host sockets to send it on. And every process of the user is a
 *    same-uid peer in the same user namespace: where Yama allows a
 *    non-descendant (ptrace_scope=0, or no Yama), it may read and write
 *    their memory and take their fds.
 *  - in the holder user namespace (the usual rootless case): the empty view
 *    applies, and the user's processes outside the holder are out of reach
 *    (the worker has no capability over the initial user namespace: EPERM,
 *    checked). But the sandboxes of the user's *other* sbx instances are in
 *    user namespaces the worker's euid owns, one level below its own, as
 *    its own sandbox's is: it has every capability there, and may read and
 *    write their processes' memory. Non-dumpable processes (other workers,
 *    network helpers, the holder, sbx itself) are out of reach.
 *  - as root: the empty view; processes with capabilities are out of reach
 *    (the worker's are a subset of nobody's), root processes without any
 *    are not.
 * The way out is to put the worker in its sandbox's pid namespace (a fork
 * after setns(CLONE_NEWPID), possible with the holder or as root), where a
 * pid can only name the sandbox's processes; it needs a /proc of that
 * namespace and sbx to tell the worker's death at the sandbox's end from
 * a failure, and is not done.
 *
 * Ending: the worker ends when its control socket reaches EOF (sbx closed
 * it or died), at SIGKILL from sbx's exit path or the parent-death signal.
 * sbx, for its part, ends the sandbox (exit status 125) when the worker
 * ends first or reports a setup error: it holds the only copy of the
 * listener, and without one the command's connect() calls would fail with
 * ENOSYS, not fall back to slirp.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bypass.h"
#include "bypass_int.h"
#include "bypass_lockdown.h"
#include "log.h"
#include "pollset.h"
#include "proc.h"
#include "sync.h"
#include "util.h"

static void worker_stop(struct tcp_bypass *b)
{
	if (b->ctl_fd >= 0)
		close(b->ctl_fd);
	b->ctl_fd = -1;
	proc_kill_and_reap(&b->proc);
}

void bypass_init(struct tcp_bypass *b, const struct sbx_config *c)
{
	memset(b, 0, sizeof(*b));
	b->proc = PROC_NONE;
	b->ctl_fd = -1;
	b->engine = xreallocarray(NULL, 1, sizeof(*b->engine));
	memset(b->engine, 0, sizeof(*b->engine));
	if (bypass_engine_init(b->engine, c, b->why_not, sizeof(b->why_not)) < 0)
		return;
	b->enabled = true;
}

/* The worker's loop: the control socket, then the engine. */
static _Noreturn void worker_loop(struct bypass_engine *eng, int ctl)
{
	struct pollset ps = { 0 };

	for (;;) {
		int timeout = -1, fd = -1;
		size_t ctl_idx;
		struct sync_msg m;

		ps.n = 0;
		ctl_idx = pollset_add(&ps, ctl, POLLIN);
		bypass_engine_fill(eng, &ps, &timeout);
		if (poll(ps.fds, ps.n, timeout) < 0 && errno != EINTR)
			_exit(1);
		if (pollset_revents(&ps, ctl_idx)) {
			int r = sync_recv(ctl, &m, &fd, MSG_DONTWAIT);

			if (r < 0 && r != -EAGAIN)
				_exit(0); /* sbx is gone, or done with us */
			if (r == 0 && m.type == SYNC_NET_BYPASS && fd >= 0 && eng->notify_fd < 0) {
				eng->notify_fd = TAKE_FD(fd);
				bypass_listener_sync_wakeups(eng->notify_fd);
			} else if (r == 0 && m.type == SYNC_NET_BYPASS_RELAY && fd >= 0) {
				bypass_link_take_listener(eng, m.value, TAKE_FD(fd));
			}
			if (fd >= 0)
				close(fd);
		}
		/* Once every filtered process is gone the listener is closed;
		 * the worker waits for sbx to end it. */
		bypass_engine_handle(eng, &ps);
	}
}

static _Noreturn void worker_main(struct tcp_bypass *b, int ctl, pid_t parent)
{
	struct sbx_error e = { 0 };
	struct bypass_engine *eng = b->engine;
	int done = 0;

	/* Named, so ps and the user tell sbx's processes apart. */
	prctl(PR_SET_NAME, "sbx-tcp-bypass", 0, 0, 0);
	eng->stats = b->stats;
	bypass_lockdown_detach(ctl, parent);
	bypass_link_init(eng);
	/* The host's addresses are read (and followed) from here on. */
	if (eng->egress && egress_init(eng->egress, eng->config, &e) < 0) {
		sync_send_error(ctl, SYNC_SETUP_ERROR, &e);
		_exit(SBX_EXIT_SETUP);
	}
	if (bypass_lockdown_empty_view(&done, &e) < 0 || bypass_lockdown_no_privileges(&e) < 0 ||
	    bypass_lockdown_seccomp(&e) < 0) {
		sync_send_error(ctl, SYNC_SETUP_ERROR, &e);
		_exit(SBX_EXIT_SETUP);
	}
	if (sync_send_simple(ctl, SYNC_READY, done) < 0)
		_exit(0);
	worker_loop(eng, ctl);
}

int bypass_start(struct tcp_bypass *b, struct sbx_error *e)
{
	int ctl[2] = { -1, -1 }, r;
	pid_t parent = getpid(), pid;
	void *page;

	if (!b->enabled)
		return 0;
	page = mmap(NULL, sizeof(*b->stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		    -1, 0);
	if (page == MAP_FAILED)
		return sbx_error_set(e, errno, "tcp bypass: shared counters");
	b->stats = page;
	/* --allow-net: the table the helper fills and the worker reads, made
	 * after the clone so the sandbox never maps it. */
	if (b->engine->egress && b->engine->config->n_allow_net) {
		b->learned = egress_learned_new_shared();
		if (!b->learned)
			return sbx_error_set(e, errno, "--allow-net: shared table");
		b->engine->egress->learned = b->learned;
		b->engine->egress->said = &b->learned->said;
	}
	r = sync_socketpair(ctl);
	if (r < 0) {
		sbx_error_set(e, r, "tcp bypass: socketpair");
		goto fail;
	}
	pid = fork();
	if (pid == 0) {
		close(ctl[0]);
		worker_main(b, ctl[1], parent);
	}
	if (pid < 0) {
		r = sbx_error_set(e, errno, "cannot start the tcp bypass worker");
		goto fail;
	}
	proc_adopt(&b->proc, pid);
	close(ctl[1]);
	b->ctl_fd = ctl[0];
	/* sbx never waits for the worker: it sends a few messages and reads. */
	fcntl(b->ctl_fd, F_SETFL, fcntl(b->ctl_fd, F_GETFL) | O_NONBLOCK);
	return 0;
fail:
	for (int i = 0; i < 2; i++)
		if (ctl[i] >= 0)
			close(ctl[i]);
	return r;
}

void bypass_take_listener(struct tcp_bypass *b, const struct sync_msg *from, int fd)
{
	struct sync_msg m = { .type = from->type, .value = from->value };

	/* An error (a worker that is gone) shows at its control socket. */
	if (b->ctl_fd >= 0)
		sync_send(b->ctl_fd, &m, fd);
	close(fd);
}

int bypass_watch_fd(const struct tcp_bypass *b)
{
	return b->ctl_fd;
}

/* Stop and reap the worker; how it ended, for the one line. A worker that
 * had ended by itself is reaped with its own status. */
static void describe_end(struct tcp_bypass *b, char *buf, size_t size)
{
	int status = 0, r;

	if (b->ctl_fd >= 0)
		close(b->ctl_fd);
	b->ctl_fd = -1;
	r = proc_end(&b->proc, &status);
	if (r < 0)
		snprintf(buf, size, "%s", strerror(-r));
	else
		proc_describe(status, buf, size);
}

int bypass_event(struct tcp_bypass *b, struct sbx_error *e)
{
	char how[64];
	struct sync_msg m;
	int r;

	if (b->ctl_fd < 0)
		return 0;
	/* The worker may be hostile by now: one "ready", then nothing but
	 * EOF. A stream of messages must not keep the supervisor's loop here. */
	while ((r = sync_recv(b->ctl_fd, &m, NULL, MSG_DONTWAIT)) == 0) {
		if (m.type == SYNC_READY && !b->ready) {
			b->ready = true;
			/* Said once, so the user (and net-bypass.sh, which cannot
			 * look into a non-dumpable process rootless) knows its wall. */
			log_verbose(1, "tcp bypass worker locked down: %s",
				    (m.value & BYPASS_LOCKDOWN_EMPTY_VIEW)
					    ? "empty mount view"
					    : "no mount view (no CAP_SYS_ADMIN: seccomp is its file-system wall)");
			continue;
		}
		worker_stop(b);
		/* Its own words only before it read anything the sandbox chose. */
		if (m.type == SYNC_SETUP_ERROR && !b->ready) {
			*e = m.error;
			e->exit_code = SBX_EXIT_SETUP;
			return -(e->err > 0 ? e->err : EINVAL);
		}
		return sbx_error_set(e, EPROTO, "tcp bypass worker: unexpected message %u; sandbox stopped",
				     m.type);
	}
	if (r == -EAGAIN)
		return 0;
	/* EOF: the worker ended, or closed the socket (then it is killed now). */
	describe_end(b, how, sizeof(how));
	sbx_error_set(e, 0, "the tcp bypass worker ended (%s): the sandbox is stopped", how);
	return -EPIPE;
}

void bypass_free(struct tcp_bypass *b)
{
	worker_stop(b);
	if (b->stats)
		munmap(b->stats, sizeof(*b->stats));
	if (b->learned)
		munmap(b->learned, sizeof(*b->learned));
	b->learned = NULL;
	b->stats = NULL;
	if (b->engine) {
		bypass_engine_free(b->engine);
		free(b->engine);
	}
	b->engine = NULL;
}
