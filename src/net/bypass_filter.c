/* bypass_filter.c - the TCP bypass's seccomp program
 *
 * It runs in the command: it hands native connect() calls (and, with
 * published TCP ports, accept() and accept4()) to sbx through a
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
 */
#include "autoconf.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
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

#ifdef __NR_accept
#define NR_ACCEPT __NR_accept
#else
#define NR_ACCEPT __NR_accept4 /* arm64 has accept4() only */
#endif

int bypass_listener_install(bool accepts, int *ret_fd)
{
#ifdef NATIVE_AUDIT_ARCH
	/* The address length's two halves (little-endian on both ABIs we build). */
	const uint32_t len_lo = offsetof(struct seccomp_data, args[2]);
	const uint32_t len_hi = len_lo + 4;
	/* Without published ports, accept() is not ours: compare with a
	 * number no system call has. */
	const uint32_t accept4_nr = accepts ? __NR_accept4 : UINT32_MAX;
	const uint32_t accept_nr = accepts ? NR_ACCEPT : UINT32_MAX;
	struct sock_filter prog[] = {
		/* 0 */ STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		/* 1 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 0, 11), /* else 13 */
		/* 2 */ STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* x32's calls carry the x32 bit: never equal, so they pass. */
		/* 3 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 6), /* else 10 */
		/* 4 */ STMT(BPF_LD | BPF_W | BPF_ABS, len_hi),
		/* 5 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 7), /* else 13 */
		/* 6 */ STMT(BPF_LD | BPF_W | BPF_ABS, len_lo),
		/* 7 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct sockaddr_in), 4, 0),
		/* 8 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct sockaddr_in6), 3, 0),
		/* 9 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct sockaddr_storage), 2, 3),
		/* 10 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, accept4_nr, 1, 0),
		/* 11 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, accept_nr, 0, 1),
		/* 12 */ STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		/* 13 */ STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { .len = sizeof(prog) / sizeof(prog[0]), .filter = prog };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			  &fprog);

	if (fd < 0)
		return -errno;
	*ret_fd = (int)fd;
	return 0;
#else
	(void)accepts;
	(void)ret_fd;
	return -EOPNOTSUPP;
#endif
}
