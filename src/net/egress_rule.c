/* egress_rule.c - --allow-net HOST[:PORTS]: one rule, parsed, and the questions
 *		   asked of the list of them
 *
 * The list is short (the bench uses 50 rules) and asked once per new
 * connection or datagram, so it stays a plain array, walked in order.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "egress_rule.h"
#include "util.h"

#define OPT "--allow-net"

static int parse_port(const char *s, const char *end, uint16_t *ret)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return -EINVAL;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static int parse_ports(const char *spec, const char *s, struct egress_rule *r, struct sbx_error *e)
{
	while (*s) {
		const char *comma = strchrnul(s, ','), *dash = memchr(s, '-', (size_t)(comma - s));
		uint16_t lo, hi;

		if (parse_port(s, dash ? dash : comma, &lo) < 0 ||
		    parse_port(dash ? dash + 1 : s, comma, &hi) < 0 || hi < lo)
			return sbx_error_set(e, 0, OPT " %s: not a port or LOW-HIGH range (0-65535)", spec);
		if (r->n_ranges == EGRESS_MAX_RANGES)
			return sbx_error_set(e, 0, OPT " %s: more than %d port ranges", spec,
					     EGRESS_MAX_RANGES);
		r->ranges[r->n_ranges].lo = lo;
		r->ranges[r->n_ranges++].hi = hi;
		s = *comma ? comma + 1 : comma;
		if (*comma && !*s)
			return sbx_error_set(e, 0, OPT " %s: empty port", spec);
	}
	return 0;
}

/* ADDR or ADDR/PREFIX, in @s (modified). */
static int parse_addr(char *s, struct egress_rule *r)
{
	char *slash = strchr(s, '/');
	unsigned long prefix;
	unsigned max;

	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, s, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, s, r->addr) == 1)
		r->family = AF_INET6;
	if (slash)
		*slash = '/'; /* the caller may read @s as a name next */
	if (!r->family)
		return -EINVAL;
	max = r->family == AF_INET ? 32 : 128;
	prefix = max;
	if (slash && parse_uint(slash + 1, max, &prefix) < 0)
		return -EINVAL;
	r->prefix = (unsigned)prefix;
	/* Host bits cleared, so matching is a masked compare. */
	for (unsigned bit = r->prefix; bit < max; bit++)
		r->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	r->kind = EGRESS_RULE_ADDR;
	return 0;
}

/* A DNS name as people write them: labels of letters, digits, '-', '_'. */
static int parse_name(const char *s, struct egress_rule *r)
{
	size_t len = strlen(s), label = 0;

	if (strncmp(s, "*.", 2) == 0) {
		r->kind = EGRESS_RULE_WILDCARD;
		s += 2;
		len -= 2;
	} else {
		r->kind = EGRESS_RULE_NAME;
	}
	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > EGRESS_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
		} else if (isalnum(ch) || ch == '-' || ch == '_') {
			if (++label > 63)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		r->name[i] = (char)tolower(ch);
	}
	if (label == 0)
		return -EINVAL;
	/* A last label of digits only is an address gone wrong (203.0.113.0/33
	 * or 10.1), never a name. */
	if (strspn(s + len - label, "0123456789") == label)
		return -EINVAL;
	r->name[len] = '\0';
	return 0;
}

int egress_rule_parse(const char *spec, struct egress_rule *ret, struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *dest = copy, *ports = NULL, *colon;

	memset(ret, 0, sizeof(*ret));
	if (copy[0] == '[') {
		char *close = strchr(copy, ']');

		if (!close || (close[1] && close[1] != ':'))
			return sbx_error_set(e, 0, OPT " %s: expected [IPV6[/PREFIX]][:PORTS]", spec);
		*close = '\0';
		dest = copy + 1;
		if (close[1])
			ports = close + 2;
		if (parse_addr(dest, ret) < 0 || ret->family != AF_INET6)
			return sbx_error_set(e, 0, OPT " %s: not an IPv6 address or CIDR block", spec);
	} else {
		colon = strchr(copy, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* Two colons or more: an IPv6 address without brackets, no ports. */
			if (parse_addr(dest, ret) < 0)
				return sbx_error_set(e, 0,
						     OPT " %s: not an address; IPv6 with ports "
							 "goes in brackets: [2001:db8::/32]:443",
						     spec);
		} else {
			if (colon) {
				*colon = '\0';
				ports = colon + 1;
			}
			if (parse_addr(dest, ret) < 0 && parse_name(dest, ret) < 0)
				return sbx_error_set(e, 0, OPT " %s: not a name, *.name, address or CIDR block",
						     spec);
		}
	}
	if (ports && !*ports)
		return sbx_error_set(e, 0, OPT " %s: empty port list after ':'", spec);
	return ports ? parse_ports(spec, ports, ret, e) : 0;
}

bool egress_rule_port_ok(const struct egress_rule *r, int port)
{
	if (r->n_ranges == 0 || port == EGRESS_PORT_ADDR_ONLY)
		return true;
	if (port < 0)
		return false;
	for (unsigned i = 0; i < r->n_ranges; i++)
		if (port >= r->ranges[i].lo && port <= r->ranges[i].hi)
			return true;
	return false;
}

bool egress_rule_name_matches(const struct egress_rule *r, const char *name)
{
	size_t n, s;

	if (r->kind == EGRESS_RULE_NAME)
		return strcmp(r->name, name) == 0;
	if (r->kind != EGRESS_RULE_WILDCARD)
		return false;
	n = strlen(name);
	s = strlen(r->name);
	return n > s + 1 && name[n - s - 1] == '.' && strcmp(name + n - s, r->name) == 0;
}

const uint8_t *egress_addr_unmap(int *family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (*family == AF_INET6 && memcmp(addr, mapped, sizeof(mapped)) == 0) {
		*family = AF_INET;
		return addr + 12;
	}
	return addr;
}

static bool prefix_matches(const struct egress_rule *r, const uint8_t *addr)
{
	unsigned full = r->prefix / 8, rest = r->prefix % 8;

	if (memcmp(r->addr, addr, full) != 0)
		return false;
	return rest == 0 || ((addr[full] ^ r->addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

bool egress_rules_addr_ok(const struct egress_rule *rules, size_t n, int family,
			  const uint8_t *addr, int port)
{
	addr = egress_addr_unmap(&family, addr);
	for (size_t i = 0; i < n; i++) {
		const struct egress_rule *r = &rules[i];

		if (r->kind == EGRESS_RULE_ADDR && r->family == family && prefix_matches(r, addr) &&
		    egress_rule_port_ok(r, port))
			return true;
	}
	return false;
}

bool egress_rules_name_ok(const struct egress_rule *rules, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (egress_rule_name_matches(&rules[i], name))
			return true;
	return false;
}
