/* bypass_parse.c - what a seccomp notification from the command asks of the TCP bypass
 *
 * Everything here decodes bytes the sandboxed program chose (the system
 * call's arguments, the address it passed) or the kernel wrote about it, and
 * nothing here makes a system call: so it can be fuzzed
 * (fuzz/fuzz-bypass-notif.c) and unit-tested without a sandbox. It runs in
 * the locked-down bypass worker (bypass_worker.c).
 */
#include "autoconf.h"

#include <linux/audit.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "bypass_parse.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

void bypass_call_parse(const struct seccomp_notif *n, struct bypass_call *ret)
{
	const __u64 *a = n->data.args;

	*ret = (struct bypass_call){
		.kind = BYPASS_CALL_OTHER,
		.id = n->id,
		.pid = (pid_t)n->pid,
		/* The kernel reads the fd as an int: so must we, or fd | 1 << 32
		 * would pass for "no socket" here and be a socket there. */
		.fd = (int)(uint32_t)a[0],
		.addr = a[1],
		.len = a[2],
	};
#ifdef NATIVE_AUDIT_ARCH
	if (n->data.arch != NATIVE_AUDIT_ARCH || n->pid == 0 || n->pid > INT32_MAX)
		return;
	if (n->data.nr == __NR_connect && a[2] >= sizeof(sa_family_t) &&
	    a[2] <= sizeof(struct sockaddr_storage))
		ret->kind = BYPASS_CALL_CONNECT;
#endif
}

bool bypass_sockaddr_wanted(const struct sockaddr_storage *ss, size_t len)
{
	if (len < sizeof(sa_family_t) || len > sizeof(*ss))
		return false;
	return ss->ss_family == AF_INET || ss->ss_family == AF_INET6 ||
	       ss->ss_family == AF_UNSPEC;
}

/* The value after "@key" at the start of a line of @buf, as text in @out. */
static bool field(const char *buf, size_t len, const char *key, char *out, size_t out_size)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen <= len; i++) {
		size_t j = 0;

		if ((i && buf[i - 1] != '\n') || memcmp(buf + i, key, klen) != 0)
			continue;
		i += klen;
		while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		while (i < len && j + 1 < out_size && buf[i] != '\n')
			out[j++] = buf[i++];
		out[j] = '\0';
		return j > 0;
	}
	return false;
}

long bypass_status_tgid(const char *buf, size_t len)
{
	char value[32], *end;
	long tgid;

	if (!field(buf, len, "Tgid:", value, sizeof(value)))
		return -1;
	tgid = strtol(value, &end, 10);
	return end != value && tgid > 0 && tgid <= INT32_MAX ? tgid : -1;
}
