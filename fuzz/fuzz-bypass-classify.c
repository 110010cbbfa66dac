/* fuzz-bypass-classify - libFuzzer target: the TCP bypass's decision on a
 * connect() address from the sandbox (bypass_classify), under every policy.
 *
 * Input: one byte of policy flags (bit 0 --allow-host-loopback, bit 1 IPv6,
 * bit 2 --allow-connect ports follow), one byte choosing the socket's family,
 * one byte giving how many ports (up to 7, two bytes each, sorted here as
 * bypass_policy_init() sorts them), then the address bytes as the program
 * passed them (its length is theirs). A verdict that would connect must name
 * an address of the socket's family that fits the result.
 */
#include "autoconf.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bypass_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bypass_policy p = { 0 };
	struct sockaddr_storage in, out;
	uint16_t ports[7];
	socklen_t out_len = 0;
	size_t n_ports = 0, len;
	int family, v;

	if (size < 3)
		return 0;
	p.host_loopback = data[0] & 1;
	p.ipv6 = data[0] & 2;
	family = data[1] & 1 ? AF_INET6 : AF_INET;
	if (data[0] & 4) {
		n_ports = data[2] % 8;
		if (size < 3 + 2 * n_ports)
			return 0;
		for (size_t i = 0; i < n_ports; i++)
			ports[i] = (uint16_t)(data[3 + 2 * i] << 8 | data[4 + 2 * i]);
		qsort(ports, n_ports, sizeof(*ports), cmp_u16);
		p.connect_ports = ports;
		p.n_connect_ports = n_ports;
	}
	data += 3 + 2 * n_ports;
	size -= 3 + 2 * n_ports;
	/* What the worker hands over: at most a sockaddr_storage, read exactly. */
	len = size < sizeof(in) ? size : sizeof(in);
	memset(&in, 0xa5, sizeof(in));
	memcpy(&in, data, len);
	memset(&out, 0, sizeof(out));
	v = bypass_classify(&p, family, (struct sockaddr *)&in, (socklen_t)len, &out, &out_len);
	if (v == BYPASS_HOST &&
	    (out.ss_family != family || out_len == 0 || out_len > sizeof(out) ||
	     out_len != (family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in))))
		abort();
	if (v != BYPASS_HOST && v != BYPASS_SLIRP && v >= 0)
		abort();
	return 0;
}
