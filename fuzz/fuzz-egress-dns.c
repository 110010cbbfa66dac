/* fuzz-egress-dns - libFuzzer target: what --allow-net's resolver in the
 * network helper reads: a question from the sandbox, an answer from the
 * upstream nameserver, and the frames around both (src/net/egress_dns.c,
 * src/net/egress_frame.c), and what it writes back.
 *
 * Input: one byte choosing the part (0: a DNS question and the error replies
 * to it, copied and rebuilt; 1: an answer to a fixed question "allowed.test" A whose id is the
 * input's; 2: an Ethernet frame, parsed, refused and answered with a UDP
 * reply), then that part's bytes. Every address reported must be 4 or 16
 * bytes of the input; every frame written must fit its buffer.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "egress_dns.h"
#include "egress_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_addr(int family, const uint8_t *addr, uint32_t ttl, void *opaque)
{
	const uint8_t *const *bounds = opaque;

	(void)ttl;
	if ((family != AF_INET && family != AF_INET6) || addr < bounds[0] ||
	    addr + (family == AF_INET ? 4 : 16) > bounds[1])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct egress_dns_question q;
	struct egress_pkt p;
	const uint8_t *bounds[2];
	size_t n;

	if (size < 1)
		return 0;
	data++;
	size--;
	bounds[0] = data;
	bounds[1] = data + size;
	switch (data[-1] % 3) {
	case 0:
		if (egress_dns_parse_query(data, size, &q) == 0) {
			if (q.end > size || strlen(q.name) > EGRESS_NAME_MAX)
				abort();
			n = egress_dns_reply_error(data, q.end, EGRESS_DNS_RCODE_NXDOMAIN, out, sizeof(out));
			if (n != q.end || !(out[2] & 0x80))
				abort();
			n = egress_dns_error_for(&q, EGRESS_DNS_RCODE_SERVFAIL, out, sizeof(out));
			if (n != q.end) /* the same question, rebuilt */
				abort();
		}
		break;
	case 1:
		memset(&q, 0, sizeof(q));
		strcpy(q.name, "allowed.test");
		q.qtype = 1;
		q.id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
		egress_dns_parse_answer(data, size, &q, on_addr, bounds);
		break;
	default:
		if (egress_frame_parse(data, size, &p) < 0)
			break;
		if (p.end > size || p.l4 > p.end || (p.l4 && p.l4 < p.l3))
			abort();
		n = egress_frame_refusal(data, &p, out, sizeof(out));
		if (n > sizeof(out))
			abort();
		if (p.l4 && p.end - p.l4 >= 8) {
			n = egress_frame_udp_reply(data, &p, data + p.l4, p.end - p.l4, out, sizeof(out));
			if (n > sizeof(out))
				abort();
		}
		break;
	}
	return 0;
}
