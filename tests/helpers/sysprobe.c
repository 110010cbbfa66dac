/* sysprobe - make raw system calls and print how each one ended
 *
 *   sysprobe [-32|-x32] NAME[:ARG,ARG...] ...
 *   sysprobe [-32|-x32] -max
 *   sysprobe [-32|-x32] -userns NAME[:ARG,ARG...] ...
 *
 * One line per call: "NAME OK", "NAME EPERM" (the errno's name) or "NAME
 * SIGSYS" (the call killed the process: its signal's name). Each call
 * runs in its own forked child, so one that succeeds (unshare, clone) cannot
 * change what the next one sees. With -32 the calls go through `int 0x80`,
 * the i386 entry point, with i386 syscall numbers (x86-64 only); with -x32
 * through the x32 ABI (numbers with __X32_SYSCALL_BIT; the kernel must have
 * it enabled). A NAME that is a number (467, 0x1d3) is made as that raw
 * call, with the ABI's base added (x32: 0x40000000), and printed as given.
 * -userns first unshares a user and a mount namespace (the calls then run
 * with every capability over the new mount namespace, as no exec follows).
 * -max prints the highest number libseccomp knows in the ABI's table (the
 * one sbx's default filter was built with, on a machine that did not
 * change libseccomp since).
 *
 * ARG: a number (strtoull, so 0x.. works), "bad" (an unmapped address),
 * "s=TEXT" (a pointer to TEXT), "buf" (a pointer to 4 KiB of zeros).
 * Special NAMEs: "tiocsti" and "tioclinux" run ioctl() with that request on a
 * fresh pty; "clone3" passes a valid struct clone_args for a plain fork;
 * "tcpconnect:IPV4,PORT" (IPV4 as a number, 0x0a000202 for 10.0.2.2) makes a
 * TCP socket and connects it with connect(), "tcpsocketcall:IPV4,PORT" with
 * socketcall(SYS_CONNECT) (-32 only), printing "NAME peer ADDR" on success.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

static char *low_mem; /* below 4 GiB, so i386 calls can point into it */
static size_t low_used;

static void *low_alloc(size_t n)
{
	void *p = low_mem + low_used;
	low_used += (n + 15) & ~(size_t)15;
	if (low_used > 1 << 16) {
		fprintf(stderr, "sysprobe: out of low memory\n");
		exit(2);
	}
	return p;
}

static long raw64(long nr, const uint64_t *a)
{
	return syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

#ifdef __x86_64__
static long raw32(long nr, const uint64_t *a)
{
	long ret;
	/* ebp carries the sixth argument; save it around the trap. */
	__asm__ volatile("push %%rbp\n\t"
			 "mov %7, %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp"
			 : "=a"(ret)
			 : "a"(nr), "b"((uint32_t)a[0]), "c"((uint32_t)a[1]), "d"((uint32_t)a[2]),
			   "S"((uint32_t)a[3]), "D"((uint32_t)a[4]), "m"(a[5])
			 : "memory", "r8", "r9", "r10", "r11");
	/* The i386 ABI returns a 32-bit value: sign-extend it. */
	ret = (int32_t)ret;
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
#endif

static uint64_t parse_arg(const char *s)
{
	if (strcmp(s, "bad") == 0)
		return 1;
	if (strcmp(s, "buf") == 0)
		return (uint64_t)(uintptr_t)low_alloc(4096);
	if (strncmp(s, "s=", 2) == 0) {
		char *p = low_alloc(strlen(s + 2) + 1);
		strcpy(p, s + 2);
		return (uint64_t)(uintptr_t)p;
	}
	return strtoull(s, NULL, 0);
}

static int open_pty(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return -1;
	/* The slave becomes our controlling terminal (we are a new session). */
	setsid();
	return open(ptsname(master), O_RDWR);
}

#define X32_BIT 0x40000000u

/* compat: 0 native, 1 i386, 2 x32 */
static uint32_t abi_token(int compat)
{
	return compat == 1 ? SCMP_ARCH_X86 : compat == 2 ? SCMP_ARCH_X32 : seccomp_arch_native();
}

/* The highest number libseccomp resolves in the ABI's main table. */
static long known_max(int compat)
{
	uint32_t base = compat == 2 ? X32_BIT : 0;
	long max = -1;

	for (uint32_t nr = base; nr < base + 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(abi_token(compat), (int)nr);
		if (name)
			max = (long)(nr - base);
		free(name);
	}
	return max;
}

static long run(const char *spec, int compat, const char **ret_name)
{
	static char name[64];
	uint64_t a[6] = { 0 };
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	int nr, n = 0;
	uint32_t arch = abi_token(compat);

	snprintf(name, sizeof(name), "%.*s", (int)len, spec);
	*ret_name = name;
	if (colon) {
		char *copy = strdup(colon + 1), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t && n < 6; t = strtok_r(NULL, ",", &save))
			a[n++] = parse_arg(t);
	}
	if (strcmp(name, "tiocsti") == 0 || strcmp(name, "tioclinux") == 0) {
		char *ch = low_alloc(8);
		int fd = open_pty();
		if (fd < 0)
			return -1;
		ch[0] = name[4] == 's' ? 'x' : 0; /* TIOCLINUX subcode 0: invalid */
		a[0] = (uint64_t)fd;
		a[1] = name[4] == 's' ? TIOCSTI : TIOCLINUX;
		/* Garbage in the upper half of the request must not get past. */
		if (!compat)
			a[1] |= 0xdead000000000000ULL;
		a[2] = (uint64_t)(uintptr_t)ch;
		nr = seccomp_syscall_resolve_name_arch(arch, "ioctl");
	} else if (strcmp(name, "clone3") == 0) {
		struct clone_args *ca = low_alloc(sizeof(*ca));
		memset(ca, 0, sizeof(*ca));
		ca->exit_signal = SIGCHLD;
		a[0] = (uint64_t)(uintptr_t)ca;
		a[1] = sizeof(*ca);
		nr = seccomp_syscall_resolve_name_arch(arch, "clone3");
	} else if (strcmp(name, "tcpconnect") == 0 || strcmp(name, "tcpsocketcall") == 0) {
		struct sockaddr_in *sin = low_alloc(sizeof(*sin));
		uint32_t *args = low_alloc(3 * sizeof(uint32_t));
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl((uint32_t)a[0]);
		sin->sin_port = htons((uint16_t)a[1]);
		a[0] = (uint64_t)fd;
		a[1] = (uint64_t)(uintptr_t)sin;
		a[2] = sizeof(*sin);
		nr = seccomp_syscall_resolve_name_arch(arch, "connect");
		/* libseccomp names i386's multiplexed calls by pseudo-numbers;
		 * the direct connect() exists since Linux 4.3, as 362. */
		if (compat == 1 && nr < 0)
			nr = 362;
		if (name[3] == 's') { /* socketcall(SYS_CONNECT = 3, args) */
			args[0] = (uint32_t)fd;
			args[1] = (uint32_t)(uintptr_t)sin;
			args[2] = sizeof(*sin);
			a[0] = 3;
			a[1] = (uint64_t)(uintptr_t)args;
			nr = seccomp_syscall_resolve_name_arch(arch, "socketcall");
		}
		if (nr >= 0) {
			long r;
#ifdef __x86_64__
			r = compat == 1 ? raw32(nr, a) : raw64(nr, a);
#else
			r = raw64(nr, a);
#endif
			struct sockaddr_in peer;
			socklen_t plen = sizeof(peer);
			char buf[INET_ADDRSTRLEN] = "?";

			if (r == 0 && getpeername(fd, (struct sockaddr *)&peer, &plen) == 0)
				inet_ntop(AF_INET, &peer.sin_addr, buf, sizeof(buf));
			if (r == 0)
				printf("%s peer %s\n", name, buf);
			return r;
		}
	} else if (name[0] >= '0' && name[0] <= '9') {
		nr = (int)strtol(name, NULL, 0) + (compat == 2 ? (int)X32_BIT : 0);
	} else {
		nr = seccomp_syscall_resolve_name_arch(arch, name);
	}
	if (nr < 0) {
		errno = ENOENT;
		*ret_name = name;
		return -2;
	}
#ifdef __x86_64__
	if (compat == 1)
		return raw32(nr, a);
#endif
	return raw64(nr, a);
}

static void probe(const char *spec, int compat)
{
	const char *name;
	long r;
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		r = run(spec, compat, &name);
		/* A clone that worked returns 0 in the new process, which must
		 * stay silent: its parent (r > 0) reports. */
		if (r == 0 && (strcmp(name, "clone") == 0 || strcmp(name, "clone3") == 0))
			_exit(0);
		if (r == -2)
			printf("%s NOSUCHCALL\n", name);
		else if (r == -1)
			printf("%s %s\n", name, strerrorname_np(errno));
		else
			printf("%s OK\n", name);
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Killed by the filter (SIGSYS) before it could say anything. */
	if (WIFSIGNALED(status))
		printf("%.*s SIG%s\n", (int)strcspn(spec, ":"), spec, sigabbrev_np(WTERMSIG(status)));
}

int main(int argc, char **argv)
{
	int compat = 0, i = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	low_mem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	if (low_mem == MAP_FAILED) {
		perror("sysprobe: mmap");
		return 2;
	}
	if (i < argc && (strcmp(argv[i], "-32") == 0 || strcmp(argv[i], "-x32") == 0)) {
#ifndef __x86_64__
		fprintf(stderr, "sysprobe: %s needs x86-64\n", argv[i]);
		return 77;
#endif
		compat = argv[i][1] == '3' ? 1 : 2;
		i++;
	}
	if (i < argc && strcmp(argv[i], "-userns") == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			printf("unshare %s\n", strerrorname_np(errno));
			return 1;
		}
		i++;
	}
	if (i < argc && strcmp(argv[i], "-max") == 0) {
		printf("%ld\n", known_max(compat));
		return 0;
	}
	for (; i < argc; i++)
		probe(argv[i], compat);
	return 0;
}
