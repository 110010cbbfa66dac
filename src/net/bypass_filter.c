/* bypass_filter.c - the TCP bypass's seccomp program
 *
 * It runs in the command: it hands native connect() calls to sbx through a
 * user-notification listener, and lets everything else pass (the command's
 * real filter, loaded after it, decides the rest; the kernel applies the
 * stricter answer of the two).
 *
 * Only calls whose address length is that of an IPv4 or IPv6 address (16,
 * 28) or of a struct sockaddr_storage (128) go to sbx: the filter cannot read
 * the address, but its length sorts out nearly every unix-socket connect()
 * (nscd, D-Bus...), which would otherwise pay a round trip through sbx
 * (about 30 us). A TCP connect() with another length simply goes through
 * slirp, as it would without the bypass.
 *
 * The command also makes the relay's listeners here (bypass_relay_listen()),
 * being the one process of sbx's that runs in the sandbox's network
 * namespace with nothing yet of the program in it.
 */
#include "autoconf.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bypass_filter.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP((code), (k), (jt), (jf)))

bool bypass_supported(void)
{
#ifdef NATIVE_AUDIT_ARCH
	return true;
#else
	return false;
#endif
}

int bypass_listener_install(int *ret_fd)
{
#ifdef NATIVE_AUDIT_ARCH
	/* The address length's two halves (little-endian on both ABIs we build). */
	const uint32_t len_lo = offsetof(struct seccomp_data, args[2]);
	const uint32_t len_hi = len_lo + 4;
	struct sock_filter prog[] = {
		/* 0 */ STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		/* 1 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 0, 9), /* else 11 */
		/* 2 */ STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* x32's calls carry the x32 bit: never equal, so they pass. */
		/* 3 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 7), /* else 11 */
		/* 4 */ STMT(BPF_LD | BPF_W | BPF_ABS, len_hi),
		/* 5 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 5), /* else 11 */
		/* 6 */ STMT(BPF_LD | BPF_W | BPF_ABS, len_lo),
		/* 7 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct sockaddr_in), 2, 0),
		/* 8 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct sockaddr_in6), 1, 0),
		/* 9 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct sockaddr_storage), 0, 1),
		/* 10 */ STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		/* 11 */ STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { .len = sizeof(prog) / sizeof(prog[0]), .filter = prog };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			  &fprog);

	if (fd < 0)
		return -errno;
	*ret_fd = (int)fd;
	return 0;
#else
	(void)ret_fd;
	return -EOPNOTSUPP;
#endif
}

int bypass_relay_listen(int family, int *ret_fd)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t len = sizeof(struct sockaddr_in);
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP), one = 1;

	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
		len = sizeof(struct sockaddr_in6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	} else {
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	/* A full queue would leave the worker's connect() waiting for a
	 * retransmitted SYN: as long a queue as the system allows. */
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}
