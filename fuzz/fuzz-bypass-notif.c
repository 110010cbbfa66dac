/* fuzz-bypass-notif - libFuzzer target: what the TCP bypass worker makes of
 * a seccomp notification and the bytes it then reads from the caller.
 *
 * Input: a struct seccomp_notif (zero-padded when short), then the bytes
 * "in the caller's memory". As in the worker: the notification is decoded
 * (bypass_call_parse); for a connect() exactly call.len bytes are read (the
 * read fails when fewer are there), checked (bypass_sockaddr_wanted) and
 * classified for a socket of each family under a permissive policy. The
 * same bytes also go through the /proc text parsers, which read what the
 * kernel writes about the caller.
 */
#include "autoconf.h"

#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bypass_parse.h"
#include "bypass_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 22, 80, 443 };
	struct bypass_policy open = { .host_loopback = true, .ipv6 = true };
	struct bypass_policy strict = { .ipv6 = false, .connect_ports = ports, .n_connect_ports = 3 };
	struct seccomp_notif n;
	struct bypass_call call;
	struct sockaddr_storage ss, to;
	socklen_t to_len;
	size_t head = size < sizeof(n) ? size : sizeof(n);

	memset(&n, 0, sizeof(n));
	memcpy(&n, data, head);
	data += head;
	size -= head;
	(void)bypass_status_tgid((const char *)data, size);
	bypass_call_parse(&n, &call);
	if (call.kind != BYPASS_CALL_CONNECT)
		return 0;
	if (call.len < sizeof(sa_family_t) || call.len > sizeof(ss))
		abort(); /* the length the worker reads into ss must fit */
	if (size < call.len)
		return 0; /* process_vm_readv() would come back short */
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, data, call.len);
	if (!bypass_sockaddr_wanted(&ss, call.len))
		return 0;
	for (int i = 0; i < 2; i++) {
		int family = i ? AF_INET6 : AF_INET;

		to_len = 0;
		if (bypass_classify(&open, family, (struct sockaddr *)&ss, (socklen_t)call.len, &to,
				    &to_len) == BYPASS_HOST && (to_len > sizeof(to) || to.ss_family != family))
			abort();
		(void)bypass_classify(&strict, family, (struct sockaddr *)&ss, (socklen_t)call.len, &to,
				      &to_len);
	}
	return 0;
}
