/* egress_frame.c - the frames the sandbox writes to tap0, as the egress
 *		    filter sees them, and the frames it answers with
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "egress_frame.h"
#include "egress_rule.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
/* What an ICMP error quotes of the packet it refuses: enough for the
 * sender's kernel to find the socket (RFC 792 asks for 8 bytes past the IP
 * header; RFC 4443 for as much as fits in 1280 bytes). */
#define QUOTE_MAX 548

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static int parse_l4(const uint8_t *f, struct egress_pkt *p)
{
	size_t avail = p->end - p->l4;
	const uint8_t *h = f + p->l4;

	if (p->proto == IPPROTO_TCP) {
		if (avail < TCP_HLEN)
			return -EPROTO;
		p->sport = get16(h);
		p->dport = get16(h + 2);
		p->tcp_seq = get32(h + 4);
		p->tcp_ack = get32(h + 8);
		p->tcp_flags = h[13];
	} else if (p->proto == IPPROTO_UDP) {
		if (avail < UDP_HLEN)
			return -EPROTO;
		p->sport = get16(h);
		p->dport = get16(h + 2);
	} else if (p->proto == IPPROTO_ICMP) {
		if (avail < 1)
			return -EPROTO;
		/* Echo reply 0, request 8, and the informational types above
		 * are no errors; 3, 4, 5, 11, 12 are. */
		p->icmp_error = h[0] == 3 || h[0] == 4 || h[0] == 5 || h[0] == 11 || h[0] == 12;
	} else if (p->proto == IPPROTO_ICMPV6) {
		if (avail < 1)
			return -EPROTO;
		p->icmp_error = h[0] < 128;
	}
	return 0;
}

int egress_frame_parse(const uint8_t *f, size_t len, struct egress_pkt *ret)
{
	struct egress_pkt *p = ret;
	uint16_t type;

	memset(p, 0, sizeof(*p));
	p->dport = EGRESS_PORT_ANY;
	if (len < EGRESS_ETH_HLEN)
		return -EINVAL;
	type = get16(f + 12);
	p->l3 = EGRESS_ETH_HLEN;
	if (type == ETH_P_IPV4) {
		const uint8_t *ip = f + p->l3;
		size_t ihl, total;

		if (len < p->l3 + IP4_HLEN || (ip[0] >> 4) != 4)
			return -EPROTO;
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		total = get16(ip + 2);
		if (ihl < IP4_HLEN || total < ihl || p->l3 + total > len)
			return -EPROTO;
		p->family = AF_INET;
		p->proto = ip[9];
		memcpy(p->src, ip + 12, 4);
		memcpy(p->dst, ip + 16, 4);
		p->end = p->l3 + total;
		if (get16(ip + 6) & 0x1fff)
			return 0; /* a later fragment: no transport header */
		p->l4 = p->l3 + ihl;
	} else if (type == ETH_P_IPV6) {
		const uint8_t *ip = f + p->l3;

		if (len < p->l3 + IP6_HLEN || (ip[0] >> 4) != 6)
			return -EPROTO;
		p->family = AF_INET6;
		p->proto = ip[6];
		memcpy(p->src, ip + 8, 16);
		memcpy(p->dst, ip + 24, 16);
		p->end = p->l3 + IP6_HLEN + get16(ip + 4);
		if (p->end > len)
			return -EPROTO;
		/* libslirp reads no extension headers either: such a packet
		 * is dropped there, and judged here by its address alone. */
		p->l4 = p->l3 + IP6_HLEN;
	} else {
		return -EINVAL;
	}
	return parse_l4(f, p);
}

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The transport checksum of @l4 (@len bytes, checksum field zeroed),
 * over the pseudo-header of the IP header @ip. */
static uint16_t l4_checksum(int family, const uint8_t *ip, uint8_t proto, const uint8_t *l4,
			    size_t len)
{
	uint32_t sum = 0;

	if (family == AF_INET)
		sum = sum_bytes(sum, ip + 12, 8);
	else
		sum = sum_bytes(sum, ip + 8, 32);
	sum += proto;
	sum += (uint32_t)len;
	return fold(sum_bytes(sum, l4, len));
}

/* Ethernet and IP headers of a packet from @p's destination to its source,
 * carrying @payload bytes of @proto; returns the offset of the payload. */
static size_t write_headers(const uint8_t *f, const struct egress_pkt *p, uint8_t proto,
			    size_t payload, uint8_t *out)
{
	uint8_t *ip = out + EGRESS_ETH_HLEN;

	memcpy(out, f + 6, 6); /* back to the sender's MAC */
	memcpy(out + 6, f, 6); /* from the one it wrote to (the gateway's) */
	memcpy(out + 12, f + 12, 2);
	if (p->family == AF_INET) {
		memset(ip, 0, IP4_HLEN);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(IP4_HLEN + payload));
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, p->dst, 4);
		memcpy(ip + 16, p->src, 4);
		put16(ip + 10, fold(sum_bytes(0, ip, IP4_HLEN)));
		return EGRESS_ETH_HLEN + IP4_HLEN;
	}
	memset(ip, 0, IP6_HLEN);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)payload);
	ip[6] = proto;
	ip[7] = 64;
	memcpy(ip + 8, p->dst, 16);
	memcpy(ip + 24, p->src, 16);
	return EGRESS_ETH_HLEN + IP6_HLEN;
}

static size_t tcp_rst(const uint8_t *f, const struct egress_pkt *p, uint8_t *out, size_t size)
{
	size_t off, seglen = p->end - p->l4;
	uint8_t *t;
	uint32_t ack;

	if (size < EGRESS_ETH_HLEN + IP6_HLEN + TCP_HLEN)
		return 0;
	off = write_headers(f, p, IPPROTO_TCP, TCP_HLEN, out);
	t = out + off;
	memset(t, 0, TCP_HLEN);
	put16(t, (uint16_t)p->dport);
	put16(t + 2, p->sport);
	/* RFC 793's reset for a segment to a closed port. */
	if (p->tcp_flags & EGRESS_TCP_ACK) {
		put32(t + 4, p->tcp_ack);
		t[13] = EGRESS_TCP_RST;
	} else {
		size_t hl = (size_t)(f[p->l4 + 12] >> 4) * 4;

		ack = p->tcp_seq + (uint32_t)(seglen > hl ? seglen - hl : 0);
		if (p->tcp_flags & EGRESS_TCP_SYN)
			ack++;
		if (p->tcp_flags & EGRESS_TCP_FIN)
			ack++;
		put32(t + 8, ack);
		t[13] = EGRESS_TCP_RST | EGRESS_TCP_ACK;
	}
	t[12] = (TCP_HLEN / 4) << 4;
	put16(t + 16, l4_checksum(p->family, out + EGRESS_ETH_HLEN, IPPROTO_TCP, t, TCP_HLEN));
	return off + TCP_HLEN;
}

static size_t icmp_unreachable(const uint8_t *f, const struct egress_pkt *p, uint8_t *out,
			       size_t size)
{
	size_t quote = p->end - p->l3, off;
	uint8_t proto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	uint8_t *m;

	if (quote > QUOTE_MAX)
		quote = QUOTE_MAX;
	if (size < EGRESS_ETH_HLEN + IP6_HLEN + ICMP_HLEN + quote)
		return 0;
	off = write_headers(f, p, proto, ICMP_HLEN + quote, out);
	m = out + off;
	memset(m, 0, ICMP_HLEN);
	/* IPv4: type 3 code 9, "network administratively prohibited", which
	 * Linux reports as ENETUNREACH, also on a UDP socket without
	 * IP_RECVERR (code 0, "net unreachable", is a soft error there, never
	 * reported). IPv6 has no hard ENETUNREACH: type 1 code 1,
	 * "administratively prohibited", is reported as EACCES. */
	m[0] = p->family == AF_INET ? 3 : 1;
	m[1] = p->family == AF_INET ? 9 : 1;
	memcpy(m + ICMP_HLEN, f + p->l3, quote);
	if (p->family == AF_INET)
		put16(m + 2, fold(sum_bytes(0, m, ICMP_HLEN + quote)));
	else
		put16(m + 2, l4_checksum(AF_INET6, out + EGRESS_ETH_HLEN, proto, m, ICMP_HLEN + quote));
	return off + ICMP_HLEN + quote;
}

size_t egress_frame_refusal(const uint8_t *f, const struct egress_pkt *p, uint8_t *out,
			    size_t size)
{
	if (p->proto == IPPROTO_TCP && p->l4) {
		if (p->tcp_flags & EGRESS_TCP_RST)
			return 0;
		return tcp_rst(f, p, out, size);
	}
	if (p->icmp_error)
		return 0;
	return icmp_unreachable(f, p, out, size);
}

size_t egress_frame_udp_reply(const uint8_t *f, const struct egress_pkt *p, const uint8_t *data,
			      size_t len, uint8_t *out, size_t size)
{
	size_t off;
	uint8_t *u;
	uint16_t sum;

	if (len > 65000 || size < EGRESS_ETH_HLEN + IP6_HLEN + UDP_HLEN + len)
		return 0;
	off = write_headers(f, p, IPPROTO_UDP, UDP_HLEN + len, out);
	u = out + off;
	put16(u, (uint16_t)p->dport);
	put16(u + 2, p->sport);
	put16(u + 4, (uint16_t)(UDP_HLEN + len));
	put16(u + 6, 0);
	memcpy(u + UDP_HLEN, data, len);
	sum = l4_checksum(p->family, out + EGRESS_ETH_HLEN, IPPROTO_UDP, u, UDP_HLEN + len);
	put16(u + 6, sum ? sum : 0xffff);
	return off + UDP_HLEN + len;
}
