/* egress_frame.h - the Ethernet frames the sandbox writes to tap0, as the
 *		    egress filter sees them, and the frames it answers with
 *
 * Parsing runs on what the sandboxed program wrote, in the locked-down
 * network helper, bounded by the frame's length at every step (fuzzed with
 * fuzz/fuzz-egress-frame.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EGRESS_ETH_HLEN 14

/**
 * struct egress_pkt - an IPv4 or IPv6 packet in a frame
 * @family:	AF_INET or AF_INET6
 * @proto:	the transport protocol (IPPROTO_TCP, _UDP, _ICMP, _ICMPV6...)
 * @src, @dst:	the addresses (4 or 16 bytes used)
 * @sport, @dport: TCP/UDP ports (host order); @dport is EGRESS_PORT_ANY
 *		for other protocols and for IPv4 fragments past the first
 * @l3:		offset of the IP header in the frame
 * @l4:		offset of the transport header (0: none, a later fragment)
 * @end:	where the IP packet ends (the frame may have padding)
 * @tcp_flags, @tcp_seq, @tcp_ack: TCP only
 * @icmp_error:	an ICMP or ICMPv6 error message (never answered with another)
 */
struct egress_pkt {
	int family;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport;
	int dport;
	size_t l3, l4, end;
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	bool icmp_error;
};

#define EGRESS_TCP_FIN 0x01
#define EGRESS_TCP_SYN 0x02
#define EGRESS_TCP_RST 0x04
#define EGRESS_TCP_ACK 0x10

/**
 * egress_frame_parse() - find the IP packet in frame @f (@len bytes)
 * Return: 0; -EINVAL for a frame that is not IPv4/IPv6 (ARP...); -EPROTO
 *	   for an IP packet that is truncated or malformed (say, a first
 *	   fragment too short to hold its transport header, whose ports and
 *	   flags a later fragment would then supply)
 */
int egress_frame_parse(const uint8_t *f, size_t len, struct egress_pkt *ret);

/**
 * egress_frame_refusal() - the frame that refuses @p (parsed from @f): a
 *			    TCP RST for TCP (connect() fails with
 *			    ECONNREFUSED), an ICMP or ICMPv6 "network
 *			    unreachable" for anything else (ENETUNREACH),
 *			    from the destination to the sender
 * Return: its length in @out (@size bytes), or 0 when none is due (an RST
 *	   or an ICMP error is never answered) or @out is too small
 */
size_t egress_frame_refusal(const uint8_t *f, const struct egress_pkt *p, uint8_t *out,
			    size_t size);

/**
 * egress_frame_udp_reply() - a UDP datagram carrying @data (@len bytes)
 *			      back to the sender of @p (parsed from @f),
 *			      from the address and port it was sent to
 * Return: its length in @out (@size bytes), or 0 when it does not fit
 */
size_t egress_frame_udp_reply(const uint8_t *f, const struct egress_pkt *p, const uint8_t *data,
			      size_t len, uint8_t *out, size_t size);
