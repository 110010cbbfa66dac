/* test-bypass - the TCP bypass's policy, and the pinning of its host sockets */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bypass.h"
#include "bypass_filter.h"
#include "bypass_guard.h"
#include "bypass_lockdown.h"
#include "bypass_parse.h"
#include "bypass_policy.h"
#include "bypass_sock.h"
#include "config.h"
#include "sync.h"
#include "tap.h"

/* @room: n ports' worth, for the policy's sorted copy (it points there). */
static struct bypass_policy policy(bool loopback, bool ipv6, const uint16_t *ports, size_t n,
				   uint16_t *room)
{
	struct sbx_config c;
	struct bypass_policy p;

	memset(&c, 0, sizeof(c));
	c.allow_host_loopback = loopback;
	c.no_ipv6 = !ipv6;
	c.allow_connect = (uint16_t *)ports;
	c.n_allow_connect = n;
	bypass_policy_init(&p, &c, room);
	return p;
}

/* Classify "ADDR" port 80 on a socket of @family; expect @want and, for
 * BYPASS_HOST, the address @to. */
static void check(const struct bypass_policy *p, int family, const char *addr, int want,
		  const char *to)
{
	struct sockaddr_storage ss, out;
	socklen_t len, out_len = 0;
	char got[INET6_ADDRSTRLEN] = "";
	int v;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(80);
		inet_pton(AF_INET, addr, &in->sin_addr);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(80);
		in6->sin6_scope_id = 3;
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		len = sizeof(*in6);
	}
	v = bypass_classify(p, family, (struct sockaddr *)&ss, len, &out, &out_len);
	ok(v == want, "%s: verdict %d (want %d)", addr, v, want);
	if (v != BYPASS_HOST || want != BYPASS_HOST)
		return;
	if (family == AF_INET) {
		const struct sockaddr_in *o = (const struct sockaddr_in *)&out;
		inet_ntop(AF_INET, &o->sin_addr, got, sizeof(got));
		ok(o->sin_port == htons(80) && out_len == sizeof(*o), "%s: port and length kept", addr);
	} else {
		const struct sockaddr_in6 *o = (const struct sockaddr_in6 *)&out;
		inet_ntop(AF_INET6, &o->sin6_addr, got, sizeof(got));
		ok(o->sin6_port == htons(80) && o->sin6_scope_id == 0 && out_len == sizeof(*o),
		   "%s: port kept, the sandbox's scope id dropped", addr);
	}
	is_str(got, to, "%s: connects to %s", addr, to);
}

static void test_policy(void)
{
	uint16_t room1[2], room2[1];
	struct bypass_policy closed = policy(false, true, NULL, 0, NULL);
	struct bypass_policy open = policy(true, true, NULL, 0, NULL);
	struct bypass_policy v4only = policy(true, false, NULL, 0, NULL);
	const uint16_t ports[] = { 443, 80 };
	struct bypass_policy landlock = policy(true, true, ports, 2, room1);
	const uint16_t other[] = { 22 };
	struct bypass_policy denied = policy(true, true, other, 1, room2);
	struct sockaddr_in short_in = { .sin_family = AF_INET };
	struct sockaddr_storage out;
	socklen_t out_len;

	check(&closed, AF_INET, "10.0.2.2", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "10.0.2.2", BYPASS_HOST, "127.0.0.1");
	check(&open, AF_INET, "10.0.2.3", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "10.0.2.100", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "10.0.2.77", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "127.0.0.1", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "127.9.9.9", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "0.0.0.0", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "169.254.1.1", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "224.0.0.1", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "255.255.255.255", BYPASS_SLIRP, NULL);
	check(&open, AF_INET, "203.0.113.10", BYPASS_HOST, "203.0.113.10");
	check(&closed, AF_INET, "198.51.100.7", BYPASS_HOST, "198.51.100.7");
	check(&open, AF_INET, "10.0.3.1", BYPASS_HOST, "10.0.3.1");

	check(&closed, AF_INET6, "fd00::2", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "fd00::2", BYPASS_HOST, "::1");
	check(&open, AF_INET6, "fd00::3", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "fd00::100", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "::1", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "::", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "fe80::1", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "ff02::1", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "2001:db8::5", BYPASS_HOST, "2001:db8::5");
	check(&open, AF_INET6, "fd01::5", BYPASS_HOST, "fd01::5");
	check(&v4only, AF_INET6, "2001:db8::5", BYPASS_SLIRP, NULL);
	check(&v4only, AF_INET6, "fd00::2", BYPASS_SLIRP, NULL);
	/* An IPv6 socket reaching IPv4 through a v4-mapped address. */
	check(&open, AF_INET6, "::ffff:10.0.2.2", BYPASS_HOST, "::ffff:127.0.0.1");
	check(&closed, AF_INET6, "::ffff:10.0.2.2", BYPASS_SLIRP, NULL);
	check(&open, AF_INET6, "::ffff:127.0.0.1", BYPASS_SLIRP, NULL);
	check(&v4only, AF_INET6, "::ffff:203.0.113.10", BYPASS_HOST, "::ffff:203.0.113.10");

	check(&landlock, AF_INET, "203.0.113.10", BYPASS_HOST, "203.0.113.10");
	check(&denied, AF_INET, "203.0.113.10", -EACCES, NULL);
	check(&denied, AF_INET, "10.0.2.2", -EACCES, NULL);
	/* Left to slirp, Landlock itself answers. */
	check(&denied, AF_INET, "10.0.2.3", BYPASS_SLIRP, NULL);

	ok(bypass_classify(&open, AF_INET, (struct sockaddr *)&short_in, 4, &out, &out_len) ==
		   BYPASS_SLIRP,
	   "a short address is left to the kernel");
	ok(bypass_classify(&open, AF_INET6, (struct sockaddr *)&short_in, sizeof(short_in), &out,
			   &out_len) == BYPASS_SLIRP,
	   "an IPv4 address on an IPv6 socket is left to the kernel");
	ok(bypass_classify(&open, AF_UNIX, (struct sockaddr *)&short_in, sizeof(short_in), &out,
			   &out_len) == BYPASS_SLIRP,
	   "other families are left alone");
}

/* A twin for a loopback peer is pinned to lo, 127.0.0.1 and an ephemeral port,
 * even after its connection failed. */
static void test_twin(void)
{
	struct bypass_defaults d;
	struct bypass_sock info;
	struct sockaddr_in peer = { .sin_family = AF_INET }, me;
	socklen_t len = sizeof(peer);
	int closed, src, fd, err = 0, index = 0;

	ok(bypass_defaults_read(&d) == 0, "defaults of a fresh host socket");
	closed = socket(AF_INET, SOCK_STREAM, 0);
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(closed, (struct sockaddr *)&peer, sizeof(peer));
	getsockname(closed, (struct sockaddr *)&peer, &len);
	close(closed); /* now nothing listens there */

	src = socket(AF_INET, SOCK_STREAM, 0);
	ok(bypass_sock_inspect(src, &info) == 0 && info.family == AF_INET && !info.bound,
	   "inspect: an unbound IPv4 TCP socket");
	ok(info.netns_cookie == d.host_netns_cookie, "inspect: in this network namespace");
	fd = bypass_sock_twin(src, &info, &d, (struct sockaddr *)&peer, false);
	ok(fd == -EPERM, "no twin pinned to lo without --allow-host-loopback");
	if (fd >= 0)
		close(fd);
	fd = bypass_sock_twin(src, &info, &d, (struct sockaddr *)&peer, true);
	ok(fd >= 0, "with it, a twin for 127.0.0.1:%u", ntohs(peer.sin_port));
	if (fd < 0)
		return;
	len = sizeof(me);
	getsockname(fd, (struct sockaddr *)&me, &len);
	ok(me.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(me.sin_port) >= d.port_lo &&
		   ntohs(me.sin_port) <= d.port_hi,
	   "bound to 127.0.0.1 and an ephemeral port (%u)", ntohs(me.sin_port));
	len = sizeof(index);
	getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &index, &len);
	ok(index == (int)if_nametoindex("lo"), "bound to lo");
	connect(fd, (struct sockaddr *)&peer, sizeof(peer));
	for (int i = 0; i < 100 && err == 0; i++) {
		len = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		usleep(10000);
	}
	ok(err == ECONNREFUSED, "its connect() fails: %s", strerror(err));
	ok(bind(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0 && errno == EINVAL,
	   "afterwards it cannot be bound elsewhere");
	len = sizeof(me);
	getsockname(fd, (struct sockaddr *)&me, &len);
	ok(me.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(me.sin_port) >= d.port_lo,
	   "and keeps its address and port");
	index = 0;
	if (geteuid() != 0)
		ok(setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &index, sizeof(index)) < 0 &&
			   errno == EPERM,
		   "nor can an unprivileged process unbind it from lo");
	else
		printf("ok %d - # SKIP root may unbind it from lo (CAP_NET_RAW)\n", ++tap_n);
	close(fd);
	close(src);
}

static void test_loopback(void)
{
	struct in_addr a4;
	struct in6_addr a6;

	inet_pton(AF_INET, "127.3.4.5", &a4);
	ok(bypass_addr_is_loopback(AF_INET, &a4), "127.3.4.5 is loopback");
	inet_pton(AF_INET, "10.0.2.2", &a4);
	ok(!bypass_addr_is_loopback(AF_INET, &a4), "10.0.2.2 is not");
	inet_pton(AF_INET6, "::1", &a6);
	ok(bypass_addr_is_loopback(AF_INET6, &a6), "::1 is loopback");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6);
	ok(bypass_addr_is_loopback(AF_INET6, &a6), "::ffff:127.0.0.1 is loopback");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &a6);
	ok(!bypass_addr_is_loopback(AF_INET6, &a6), "::ffff:192.0.2.1 is not");
	inet_pton(AF_INET6, "fd00::2", &a6);
	ok(!bypass_addr_is_loopback(AF_INET6, &a6), "fd00::2 is not");
}

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/* A notification as the kernel would send it for @nr with @args. */
static struct seccomp_notif notif(uint32_t arch, int nr, uint64_t a0, uint64_t a1, uint64_t a2,
				  uint64_t a3)
{
	struct seccomp_notif n = { .id = 42, .pid = 1234 };

	n.data.arch = arch;
	n.data.nr = nr;
	n.data.args[0] = a0;
	n.data.args[1] = a1;
	n.data.args[2] = a2;
	n.data.args[3] = a3;
	return n;
}

static void test_parse(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
	const uint32_t arch = bypass_supported() ? NATIVE_ARCH : 0;
	struct bypass_call call;
	struct seccomp_notif n;
	struct sockaddr_storage ss = { .ss_family = AF_INET };
	static const char status[] = "Name:\tpython3\nUmask:\t0022\nState:\tS\nTgid:\t4321\nNgid:\t0\n";

	n = notif(arch, __NR_connect, 3, 0x1000, sizeof(struct sockaddr_in), 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_CONNECT && call.fd == 3 && call.addr == 0x1000 &&
		   call.len == sizeof(struct sockaddr_in) && call.pid == 1234 && call.id == 42,
	   "parse: a native connect(3, addr, 16)");
	n = notif(arch, __NR_connect, (UINT64_C(1) << 32) | 5, 0x1000, 16, 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_CONNECT && call.fd == 5, "parse: the fd is an int, as the kernel reads it");
	n = notif(arch, __NR_connect, 3, 0x1000, 1, 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: an address too short for a family is left to the kernel");
	n = notif(arch, __NR_connect, 3, 0x1000, sizeof(struct sockaddr_storage) + 1, 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: an address longer than any is left to the kernel");
	n = notif(arch, __NR_connect, 3, 0x1000, UINT64_C(1) << 40, 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: a 64-bit length is never truncated into range");
	n = notif(arch ^ 1, __NR_connect, 3, 0x1000, 16, 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: another ABI is left to the kernel");
	n = notif(arch, __NR_accept4, 3, 0, 0, SOCK_CLOEXEC | SOCK_NONBLOCK);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: accept4() is not the bypass's (published ports are relayed)");
	n = notif(arch, __NR_getpid, 0, 0, 0, 0);
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: another system call");
	n = notif(arch, __NR_connect, 3, 0x1000, 16, 0);
	n.pid = 0;
	bypass_call_parse(&n, &call);
	ok(call.kind == BYPASS_CALL_OTHER, "parse: pid 0 (the caller is not in our pid namespace)");

	ok(bypass_sockaddr_wanted(&ss, sizeof(struct sockaddr_in)), "sockaddr: AF_INET is ours");
	ss.ss_family = AF_UNIX;
	ok(!bypass_sockaddr_wanted(&ss, 20), "sockaddr: AF_UNIX is not");
	ss.ss_family = AF_UNSPEC;
	ok(bypass_sockaddr_wanted(&ss, 2), "sockaddr: AF_UNSPEC (a disconnect) is");

	ok(bypass_status_tgid(status, strlen(status)) == 4321, "status: Tgid 4321");
	ok(bypass_status_tgid(status, 30) == -1, "status: cut before Tgid: none");
	ok(bypass_status_tgid("Tgid:\t-5\n", 9) == -1, "status: a negative Tgid is none");
#else
	ok(1, "# SKIP the bypass is built for x86-64 and arm64 only");
#endif
}

/* What the worker's allow-list lets through: each check's answer, sent to
 * the parent as one byte (1: as expected), since write() is not allowed. */
enum lockdown_check {
	LD_READ_TTY,	 /* read() of sbx's terminal (its stderr, kept): fails */
	LD_READ_OTHER,	 /* openat(O_RDONLY) and read() of a file: allowed (/proc) */
	LD_WRITE,	 /* write(): EPERM */
	LD_EXECVE,	 /* execve(): EPERM */
	LD_UNIX_SOCKET,	 /* socket(AF_UNIX): EPERM */
	LD_TCP_SOCKET,	 /* socket(AF_INET, SOCK_STREAM): allowed */
	LD_OPEN_WRITE,	 /* openat(O_WRONLY): EPERM */
	LD_KILL,	 /* kill(parent, 0): EPERM */
	LD_SETOWN,	 /* fcntl(F_SETOWN, F_SETSIG): EPERM (a signal to any pid) */
	LD_GETFL,	 /* fcntl(F_GETFL, F_SETFL): allowed (O_NONBLOCK) */
	LD_PTRACE,	 /* ptrace(): EPERM */
	LD_EXEC_MEMORY,	 /* mmap(PROT_EXEC): EPERM */
	LD_RELAY,	 /* pipe2(), F_SETPIPE_SZ, splice(), shutdown(): allowed (the relay) */
	LD_ADDFD,	 /* SECCOMP_IOCTL_NOTIF_ADDFD, process_vm_writev(): EPERM */
	LD_GUARD,	 /* setitimer(): allowed; its SIGALRM ends a waiting call */
	LD_N
};

static bool denied(long r)
{
	return r < 0 && errno == EPERM;
}

/* The worker's stages 0 and 3 (detach, seccomp), on @tty as stderr when
 * there is one (-1: none), then the checks. */
/* A listener with a connection queued, made before the lockdown (the
 * worker's listeners come from the command: it never calls listen()).
 * Return: the listener; the client in *@ret_client. */
static int relay_prepare(int *ret_client)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*ret_client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || *ret_client < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l, 1) < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0 ||
	    connect(*ret_client, (struct sockaddr *)&a, len) < 0)
		return -1;
	return l;
}

/* The relay's calls (splice_relay.c, bypass_link.c) behind the lockdown. */
static bool relay_calls_work(int l, int c)
{
	int p[2], s;
	char buf[2];

	if (l < 0 || pipe2(p, O_CLOEXEC) < 0 || fcntl(p[1], F_SETPIPE_SZ, 65536) < 0 ||
	    (s = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0 || send(c, "ab", 2, 0) != 2 ||
	    shutdown(c, SHUT_WR) < 0)
		return false;
	return splice(s, NULL, p[1], NULL, 2, 0) == 2 && read(p[0], buf, 2) == 2 &&
	       splice(s, NULL, p[1], NULL, 2, 0) == 0;
}

static _Noreturn void lockdown_child(int report, int tty)
{
	struct sbx_error e = { 0 };
	char buf[1], got[LD_N];
	char *const argv[] = { "true", NULL };
	void *p;
	int fd, relay_l, relay_c, guard_pipe[2];
	struct itimerval t = { .it_value = { .tv_usec = 20000 } };

	if (tty >= 0 && dup2(tty, STDERR_FILENO) < 0)
		_exit(2);
	bypass_lockdown_detach(report, getppid());
	relay_l = relay_prepare(&relay_c);
	bypass_guard_init();
	if (pipe2(guard_pipe, O_CLOEXEC) < 0 || bypass_lockdown_seccomp(&e) < 0)
		_exit(2);
	/* The parent wrote a byte to the terminal: it must stay unread. */
	got[LD_READ_TTY] = tty < 0 || read(STDERR_FILENO, buf, 1) != 1;
	fd = openat(AT_FDCWD, "/dev/zero", O_RDONLY | O_CLOEXEC);
	got[LD_READ_OTHER] = fd >= 0 && read(fd, buf, 1) == 1;
	got[LD_WRITE] = denied(write(report, "x", 1));
	got[LD_EXECVE] = denied(execve("/bin/true", argv, argv + 1));
	got[LD_UNIX_SOCKET] = denied(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	got[LD_TCP_SOCKET] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) >= 0;
	got[LD_OPEN_WRITE] = denied(openat(AT_FDCWD, "/dev/null", O_WRONLY | O_CLOEXEC));
	got[LD_KILL] = denied(kill(getppid(), 0));
	got[LD_SETOWN] = denied(fcntl(report, F_SETOWN, getppid())) &&
			 denied(fcntl(report, F_SETSIG, SIGKILL)) &&
			 denied(syscall(SYS_fcntl, report, (1UL << 32) | F_GETFL));
	got[LD_GETFL] = fcntl(report, F_SETFL, fcntl(report, F_GETFL) | O_NONBLOCK) == 0;
	got[LD_PTRACE] = denied(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0, 0));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	got[LD_EXEC_MEMORY] = p == MAP_FAILED && errno == EPERM;
	got[LD_RELAY] = relay_calls_work(relay_l, relay_c);
	/* An empty pipe's read() waits until the guard's signal ends it. */
	got[LD_GUARD] = setitimer(ITIMER_REAL, &t, NULL) == 0 &&
			read(guard_pipe[0], buf, 1) < 0 && errno == EINTR;
	got[LD_ADDFD] = denied(ioctl(report, SECCOMP_IOCTL_NOTIF_ADDFD, NULL)) &&
			denied(process_vm_writev(getppid(), NULL, 0, NULL, 0, 0));
	_exit(send(report, got, sizeof(got), 0) == sizeof(got) ? 0 : 3);
}

#if defined(__x86_64__)
/* A call of another ABI from behind the allow-list: the kernel kills the
 * caller (never "EPERM", which would let 32-bit code probe on). */
static _Noreturn void other_abi_child(bool x32)
{
	struct sbx_error e = { 0 };
	long r = 20; /* i386 getpid */

	if (bypass_lockdown_seccomp(&e) < 0)
		_exit(2);
	if (x32)
		syscall(0x40000000 | SYS_getpid);
	else
		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	_exit(0);
}
#endif

static int wait_status(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* A terminal whose slave end has a byte to read: what sbx's stderr often is. */
static int tty_with_input(int *ret_master)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave = -1;

	if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0 && ptsname(master))
		slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || write(master, "x\n", 2) != 2) {
		if (slave >= 0)
			close(slave);
		if (master >= 0)
			close(master);
		return -1;
	}
	*ret_master = master;
	return slave;
}

static void test_lockdown_seccomp(void)
{
	static const char *const what[LD_N] = {
		[LD_READ_TTY] = "sbx's terminal (stderr, kept) cannot be read",
		[LD_READ_OTHER] = "a file can be opened read-only and read",
		[LD_WRITE] = "write() is refused",
		[LD_EXECVE] = "execve() is refused",
		[LD_UNIX_SOCKET] = "socket(AF_UNIX) is refused",
		[LD_TCP_SOCKET] = "socket(AF_INET, SOCK_STREAM) is allowed",
		[LD_OPEN_WRITE] = "openat(O_WRONLY) is refused",
		[LD_KILL] = "kill() is refused",
		[LD_SETOWN] = "fcntl(F_SETOWN), fcntl(F_SETSIG) are refused (SIGIO to any pid)",
		[LD_GETFL] = "fcntl(F_GETFL), fcntl(F_SETFL) are allowed",
		[LD_PTRACE] = "ptrace() is refused",
		[LD_EXEC_MEMORY] = "mmap(PROT_EXEC) is refused",
		[LD_RELAY] = "the relay's pipe2(), F_SETPIPE_SZ, accept4(), splice(), shutdown() are allowed",
		[LD_GUARD] = "setitimer() is allowed and its SIGALRM ends a waiting read() (bypass_guard.c)",
		[LD_ADDFD] = "SECCOMP_IOCTL_NOTIF_ADDFD and process_vm_writev() are refused (no fd, no "
			     "write goes into the program)",
	};
	char got[LD_N] = { 0 };
	int sv[2], master = -1, tty = tty_with_input(&master), status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ok(0, "lockdown: socketpair: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0)
		lockdown_child(sv[1], tty);
	close(sv[1]);
	status = wait_status(pid);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lockdown: the child ran its checks (status %#x)",
	   status);
	if (recv(sv[0], got, sizeof(got), MSG_DONTWAIT) != sizeof(got))
		memset(got, 0, sizeof(got));
	for (int i = 0; i < LD_N; i++) {
		if (i == LD_READ_TTY && tty < 0)
			ok(1, "# SKIP lockdown: %s (no pseudo-terminal here)", what[i]);
		else
			ok(got[i] == 1, "lockdown: %s", what[i]);
	}
	close(sv[0]);
	if (tty >= 0) {
		close(tty);
		close(master);
	}
#if defined(__x86_64__)
	for (int x32 = 0; x32 < 2; x32++) {
		pid = fork();
		if (pid == 0)
			other_abi_child(x32);
		status = wait_status(pid);
		ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		   "lockdown: a%s call kills the worker (status %#x)", x32 ? "n x32" : " 32-bit (int 0x80)",
		   status);
	}
#endif
}

/* sbx's side of the worker's control socket: "ready" once, then any
 * message (a worker that no longer follows the protocol) stops the sandbox,
 * however many it sends. */
static void test_worker_messages(void)
{
	struct tcp_bypass b = { .proc = PROC_NONE, .ctl_fd = -1 };
	struct sbx_error e = { 0 };
	int sv[2], r;

	if (sync_socketpair(sv) < 0) {
		ok(0, "worker messages: socketpair");
		return;
	}
	b.ctl_fd = sv[0];
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	sync_send_simple(sv[1], SYNC_READY, 0);
	ok(bypass_event(&b, &e) == 0 && b.ctl_fd >= 0, "worker messages: ready");
	sync_send_simple(sv[1], SYNC_READY, 0);
	r = bypass_event(&b, &e);
	ok(r == -EPROTO && b.ctl_fd < 0, "worker messages: \"ready\" again stops the sandbox (%d: %s)", r,
	   e.msg);
	close(sv[1]);
	if (b.ctl_fd >= 0)
		close(b.ctl_fd);

	/* After "ready" the worker has read what the sandbox wrote: its error
	 * text (escape sequences for the terminal...) is not printed. */
	memset(&b, 0, sizeof(b));
	b.proc = PROC_NONE;
	if (sync_socketpair(sv) < 0)
		return;
	b.ctl_fd = sv[0];
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	sync_send_simple(sv[1], SYNC_READY, 0);
	sbx_error_set(&e, EIO, "\033]0;owned\007");
	sync_send_error(sv[1], SYNC_SETUP_ERROR, &e);
	memset(&e, 0, sizeof(e));
	r = bypass_event(&b, &e);
	ok(r == -EPROTO && !strchr(e.msg, '\033'),
	   "worker messages: a setup error after \"ready\" is a protocol error, its text unused (%s)", e.msg);
	close(sv[1]);
}

int main(void)
{
	test_worker_messages();
	test_lockdown_seccomp();
	test_loopback();
	test_policy();
	test_twin();
	test_parse();
	return tap_done();
}
