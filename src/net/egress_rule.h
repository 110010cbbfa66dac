/* egress_rule.h - --allow-net HOST[:PORTS]: one rule, parsed, and the questions
 *		   asked of the list of them */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define EGRESS_MAX_RULES 1024	  /* --allow-net options */
#define EGRESS_MAX_RANGES 16	  /* port ranges per rule */
#define EGRESS_NAME_MAX 253	  /* a DNS name in text, without the final dot */
#define EGRESS_PORT_ANY (-1)	  /* ICMP: only a rule without ports allows it */
#define EGRESS_PORT_ADDR_ONLY (-2) /* a later IPv4 fragment: its first one's port
				      was judged already; any rule of the address */

enum egress_rule_kind {
	EGRESS_RULE_ADDR = 0, /* an address or a CIDR block */
	EGRESS_RULE_NAME,     /* a DNS name: what it resolves to, through 10.0.2.3 */
	EGRESS_RULE_WILDCARD, /* *.SUFFIX: every name below SUFFIX (not SUFFIX itself) */
};

/**
 * struct egress_rule - one --allow-net
 * @kind:	what HOST is
 * @family:	EGRESS_RULE_ADDR: AF_INET or AF_INET6
 * @addr:	EGRESS_RULE_ADDR: the network (4 or 16 bytes), host bits cleared
 * @prefix:	EGRESS_RULE_ADDR: its prefix length
 * @name:	the name, lower case, no final dot; for a wildcard the suffix
 *		without "*."
 * @n_ranges:	0: every port (and ICMP); else the port ranges in @ranges
 */
struct egress_rule {
	enum egress_rule_kind kind;
	int family;
	uint8_t addr[16];
	unsigned prefix;
	char name[EGRESS_NAME_MAX + 1];
	unsigned n_ranges;
	struct {
		uint16_t lo, hi;
	} ranges[EGRESS_MAX_RANGES];
};

/**
 * egress_rule_parse() - parse HOST[:PORTS] (@spec) into @ret
 *
 * HOST: a DNS name (deb.debian.org), a wildcard (*.npmjs.org), an IPv4
 * address or CIDR (203.0.113.0/24), an IPv6 one in brackets
 * ([2001:db8::/32]; without PORTS the brackets may be left out). PORTS: a
 * list of ports and LOW-HIGH ranges (80,443,8000-8100).
 *
 * Return: 0 or -EINVAL with @e saying what is wrong, naming the option
 */
int egress_rule_parse(const char *spec, struct egress_rule *ret, struct sbx_error *e);

/**
 * egress_rule_port_ok() - whether @r allows port @port (EGRESS_PORT_ANY:
 *			   only a rule without ports does; EGRESS_PORT_ADDR_ONLY:
 *			   every rule does)
 */
bool egress_rule_port_ok(const struct egress_rule *r, int port);

/**
 * egress_rule_name_matches() - whether @r (a name or wildcard rule) covers
 *				@name (lower case, no final dot)
 */
bool egress_rule_name_matches(const struct egress_rule *r, const char *name);

/**
 * egress_rules_addr_ok() - whether an address rule of @rules allows
 *			    @family/@addr (v4-mapped IPv6 counts as IPv4) on
 *			    @port
 */
bool egress_rules_addr_ok(const struct egress_rule *rules, size_t n, int family,
			  const uint8_t *addr, int port);

/**
 * egress_rules_name_ok() - whether a name or wildcard rule of @rules covers @name
 */
bool egress_rules_name_ok(const struct egress_rule *rules, size_t n, const char *name);

/**
 * egress_addr_unmap() - an IPv4-mapped IPv6 address as IPv4: updates
 *			 *@family and returns where the 4 bytes are
 */
const uint8_t *egress_addr_unmap(int *family, const uint8_t *addr);
