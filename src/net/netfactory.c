/* netfactory.c - the socket factory, a process of its own inside the
 * sandbox's network namespace (forked by the child, before the pivot)
 *
 * The network helper relays published ports, but cannot enter the sandbox's
 * network namespace: its sockets are the host's. This process, left inside
 * that namespace, makes the sockets the helper connects to the sandboxed
 * server with, and passes them out (protocol: netfactory.h). It holds
 * nothing else: no capabilities, no fds but its one socket, and a seccomp
 * allow-list of socket(AF_INET/AF_INET6), recvmsg, sendmsg, close, exit.
 */
#include "autoconf.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caps.h"
#include "netfactory.h"
#include "seccomp_lib.h"
#include "sync.h"
#include "util.h"

/* The factory may only make IPv4/IPv6 sockets and talk over its one socket. */
static int netfactory_lockdown(void)
{
	static const int allowed[] = {
		SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),	 SCMP_SYS(close),
		SCMP_SYS(exit),	   SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
		/* reads the signal stack: AddressSanitizer does before _exit() */
		SCMP_SYS(sigaltstack),
	};
	scmp_filter_ctx ctx;
	int r = 0;

	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return -ENOMEM;
	r = seccomp_lib_allow_list(ctx, allowed, ARRAY_SIZE(allowed));
	if (r == 0)
		r = seccomp_lib_allow_ip_sockets(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

/* For each request on @fd, a socket of the requested kind; returns at EOF. */
static void netfactory_serve(int fd)
{
	for (;;) {
		struct sync_msg m;
		_cleanup_close_ int s = -1;
		int kind;

		if (sync_recv(fd, &m, NULL, 0) < 0)
			return;
		kind = m.value == NETFACTORY_TCP6 || m.value == NETFACTORY_UDP4 ? m.value
										: NETFACTORY_TCP4;
		s = socket(kind == NETFACTORY_TCP6 ? AF_INET6 : AF_INET,
			   (kind == NETFACTORY_UDP4 ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK |
				   SOCK_CLOEXEC,
			   0);
		memset(&m, 0, sizeof(m));
		m.type = SYNC_NET_SOCKET;
		m.value = kind;
		m.error.err = s < 0 ? errno : 0;
		if (sync_send(fd, &m, s) < 0)
			return;
	}
}

static _Noreturn void netfactory_main(int fd)
{
	struct sbx_error e = { 0 };

	/* It outlives nothing: pid 1's end takes it along, and so does an
	 * EOF from the network helper. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (dup2(fd, 3) < 0)
		_exit(1);
	close_all_except((int[]){ 3 }, 1);
	if (caps_drop_for_exec(0, &e) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    netfactory_lockdown() < 0)
		_exit(1);
	netfactory_serve(3);
	_exit(0);
}

int netfactory_start(int sync_fd, struct sbx_error *e)
{
	_cleanup_close_ int ours = -1, theirs = -1;
	struct sync_msg m = { .type = SYNC_NET_FACTORY };
	int fds[2], r;
	pid_t pid;

	r = sync_socketpair(fds);
	if (r < 0)
		return sbx_error_set(e, r, "--publish: socketpair");
	ours = fds[0];
	theirs = fds[1];
	pid = fork();
	if (pid < 0)
		return sbx_error_set(e, errno, "--publish: cannot start the socket factory");
	if (pid == 0)
		netfactory_main(theirs);
	r = sync_send(sync_fd, &m, ours);
	if (r < 0)
		return sbx_error_set(e, r, "sync with sbx");
	return 0;
}
