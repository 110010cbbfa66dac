/* egress_dns.h - the few DNS messages --allow-net's resolver reads and writes
 *
 * Everything here parses bytes the sandboxed program or an upstream server
 * chose: it runs in the locked-down network helper only, is bounded by the
 * message length at every step, and is fuzzed (fuzz/fuzz-egress-dns.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egress_rule.h"

#define EGRESS_DNS_HEADER 12
#define EGRESS_DNS_RCODE_SERVFAIL 2
#define EGRESS_DNS_RCODE_NXDOMAIN 3
#define EGRESS_DNS_RCODE_REFUSED 5

/**
 * struct egress_dns_question - a standard query with one question
 * @id:		its transaction id
 * @name:	the name asked, lower case, no final dot ("" for the root)
 * @qtype:	the type asked (1 A, 28 AAAA...)
 * @end:	where the question ends in the message (the bytes a reply
 *		repeats)
 */
struct egress_dns_question {
	uint16_t id;
	char name[EGRESS_NAME_MAX + 2];
	uint16_t qtype;
	size_t end;
};

/**
 * egress_dns_parse_query() - read the question of query @m (@len bytes)
 *
 * Only a standard query (QR 0, opcode 0) with exactly one question whose
 * name is plain labels (no compression, no dots or bytes outside
 * letters, digits, '-' and '_' inside a label) is accepted.
 *
 * Return: 0, or -EINVAL for anything else
 */
int egress_dns_parse_query(const uint8_t *m, size_t len, struct egress_dns_question *ret);

/**
 * egress_dns_reply_error() - a reply to the query @q (its first @q_end bytes:
 *			      header and question) with @rcode and no records,
 *			      into @out (@size bytes)
 * Return: its length, or 0 when @out is too small
 */
size_t egress_dns_reply_error(const uint8_t *q, size_t q_end, uint8_t rcode, uint8_t *out,
			      size_t size);

/**
 * egress_dns_error_for() - a reply with @rcode and no records to question
 *			    @q (rebuilt from it: the query itself is gone),
 *			    into @out (@size bytes)
 * Return: its length, or 0 when @out is too small
 */
size_t egress_dns_error_for(const struct egress_dns_question *q, uint8_t rcode, uint8_t *out,
			    size_t size);

/**
 * egress_dns_addr_fn - called for each A or AAAA record of an answer
 * @family:	AF_INET or AF_INET6
 * @addr:	4 or 16 bytes
 * @ttl:	the record's TTL, seconds
 */
typedef void (*egress_dns_addr_fn)(int family, const uint8_t *addr, uint32_t ttl, void *opaque);

/**
 * egress_dns_parse_answer() - read the response @m (@len bytes) to the
 *			       question @q (the same id and name, any case)
 *			       and call @fn for every A and AAAA record of
 *			       its answer section
 *
 * Records of other types (CNAME...) are skipped; compressed names are
 * skipped without being followed, so no pointer can make the walk loop.
 *
 * Return: 0, or -EINVAL when @m is not a response to @q or is malformed
 *	   (@fn may have been called for records before the fault)
 */
int egress_dns_parse_answer(const uint8_t *m, size_t len, const struct egress_dns_question *q,
			    egress_dns_addr_fn fn, void *opaque);
