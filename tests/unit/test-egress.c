/* test-egress.c - --allow-net's rules, its resolver's DNS messages, the
 * frames the egress filter reads and writes, the learned-address table and
 * the local routing table (src/net/egress*.c, hostaddr.c) */
#include "autoconf.h"

#include <arpa/inet.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "egress.h"
#include "egress_dns.h"
#include "egress_frame.h"
#include "egress_learned.h"
#include "egress_rule.h"
#include "egress_tap.h"
#include "hostaddr.h"
#include "tap.h"

static struct egress_rule rule(const char *spec)
{
	struct sbx_error e = { 0 };
	struct egress_rule r;

	if (egress_rule_parse(spec, &r, &e) < 0) {
		printf("# %s: %s\n", spec, e.msg);
		memset(&r, 0xff, sizeof(r));
	}
	return r;
}

static bool parses(const char *spec)
{
	struct sbx_error e = { 0 };
	struct egress_rule r;

	return egress_rule_parse(spec, &r, &e) == 0;
}

static bool addr_ok(const struct egress_rule *rules, size_t n, const char *text, int port)
{
	uint8_t a[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, text, a);
	return egress_rules_addr_ok(rules, n, family, a, port);
}

static void test_rules(void)
{
	struct egress_rule r[4];

	r[0] = rule("deb.debian.org");
	ok(r[0].kind == EGRESS_RULE_NAME && strcmp(r[0].name, "deb.debian.org") == 0 && !r[0].n_ranges,
	   "a name, every port");
	r[0] = rule("Deb.Debian.ORG.:80,443,8000-8100");
	ok(strcmp(r[0].name, "deb.debian.org") == 0 && r[0].n_ranges == 3 && r[0].ranges[2].lo == 8000 &&
		   r[0].ranges[2].hi == 8100,
	   "a name is lower-cased, its final dot dropped; ports and a range");
	ok(egress_rule_port_ok(&r[0], 443) && egress_rule_port_ok(&r[0], 8050) &&
		   !egress_rule_port_ok(&r[0], 444) && !egress_rule_port_ok(&r[0], EGRESS_PORT_ANY) &&
		   egress_rule_port_ok(&r[0], EGRESS_PORT_ADDR_ONLY),
	   "ports: listed ones only; ICMP (no port) not; a later fragment yes");
	r[0] = rule("*.npmjs.org");
	ok(r[0].kind == EGRESS_RULE_WILDCARD && egress_rule_name_matches(&r[0], "registry.npmjs.org") &&
		   egress_rule_name_matches(&r[0], "a.b.npmjs.org") &&
		   !egress_rule_name_matches(&r[0], "npmjs.org") &&
		   !egress_rule_name_matches(&r[0], "evilnpmjs.org"),
	   "*.npmjs.org: names below it, not itself, not a longer label");
	r[0] = rule("203.0.113.77/24:443");
	r[1] = rule("[2001:db8::/32]:443");
	r[2] = rule("2001:db8:ffff::1");
	r[3] = rule("198.51.100.7");
	ok(r[0].kind == EGRESS_RULE_ADDR && r[0].prefix == 24 && r[0].addr[3] == 0,
	   "a CIDR block's host bits are cleared");
	ok(addr_ok(r, 4, "203.0.113.200", 443) && !addr_ok(r, 4, "203.0.113.200", 80) &&
		   !addr_ok(r, 4, "203.0.114.1", 443),
	   "IPv4 CIDR with a port");
	ok(addr_ok(r, 4, "2001:db8:1::5", 443) && !addr_ok(r, 4, "2001:db9::1", 443) &&
		   addr_ok(r, 4, "2001:db8:ffff::1", 9) && addr_ok(r, 4, "::ffff:198.51.100.7", 22),
	   "IPv6 CIDR in brackets; a bare IPv6 address; a v4-mapped one is IPv4");
	ok(!parses("") && !parses("a..b") && !parses("bad name") && !parses("x:") &&
		   !parses("x:70-60") && !parses("x:65536") && !parses("[2001:db8::") &&
		   !parses("[203.0.113.1]") && !parses("203.0.113.0/33") && !parses("x:1,") &&
		   !parses("*.") && !parses("x:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"),
	   "malformed rules are refused");
}

static size_t put_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchrnul(name, '.');

		p[n++] = (uint8_t)(dot - name);
		memcpy(p + n, name, (size_t)(dot - name));
		n += (size_t)(dot - name);
		name = *dot ? dot + 1 : dot;
	}
	p[n++] = 0;
	return n;
}

static size_t make_query(uint8_t *m, uint16_t id, const char *name, uint16_t qtype)
{
	size_t n = EGRESS_DNS_HEADER;

	memset(m, 0, EGRESS_DNS_HEADER);
	m[0] = (uint8_t)(id >> 8);
	m[1] = (uint8_t)id;
	m[2] = 0x01; /* RD */
	m[5] = 1;
	n += put_name(m + n, name);
	m[n++] = 0;
	m[n++] = (uint8_t)qtype;
	m[n++] = 0;
	m[n++] = 1;
	return n;
}

struct seen {
	int n;
	int family[4];
	uint8_t addr[4][16];
	uint32_t ttl[4];
};

static void on_addr(int family, const uint8_t *addr, uint32_t ttl, void *opaque)
{
	struct seen *s = opaque;

	if (s->n < 4) {
		s->family[s->n] = family;
		memcpy(s->addr[s->n], addr, family == AF_INET ? 4 : 16);
		s->ttl[s->n++] = ttl;
	}
}

static size_t add_rr(uint8_t *m, size_t n, uint16_t type, uint32_t ttl, const uint8_t *rd,
		     uint16_t rdlen)
{
	m[n++] = 0xc0; /* a pointer to the question's name */
	m[n++] = 0x0c;
	m[n++] = (uint8_t)(type >> 8);
	m[n++] = (uint8_t)type;
	m[n++] = 0;
	m[n++] = 1;
	m[n++] = (uint8_t)(ttl >> 24);
	m[n++] = (uint8_t)(ttl >> 16);
	m[n++] = (uint8_t)(ttl >> 8);
	m[n++] = (uint8_t)ttl;
	m[n++] = (uint8_t)(rdlen >> 8);
	m[n++] = (uint8_t)rdlen;
	memcpy(m + n, rd, rdlen);
	return n + rdlen;
}

static void test_dns(void)
{
	static const uint8_t a4[4] = { 198, 51, 100, 1 }, cname[6] = { 1, 'x', 0xc0, 0x0c, 0, 0 };
	uint8_t m[512], out[512];
	struct egress_dns_question q, q2;
	struct seen seen = { 0 };
	uint8_t a6[16];
	size_t n = make_query(m, 0x1234, "Allowed.TEST", 1), an;

	ok(egress_dns_parse_query(m, n, &q) == 0 && q.id == 0x1234 && q.qtype == 1 &&
		   strcmp(q.name, "allowed.test") == 0 && q.end == n,
	   "a query: id, name (lower case), type, end of the question");
	an = egress_dns_reply_error(m, q.end, EGRESS_DNS_RCODE_NXDOMAIN, out, sizeof(out));
	ok(an == q.end && out[0] == 0x12 && out[2] == 0x81 && (out[3] & 0x0f) == 3 && out[5] == 1 &&
		   out[7] == 0,
	   "NXDOMAIN: same id and question, QR and RD set, no records");
	m[2] |= 0x80;
	ok(egress_dns_parse_query(m, n, &q2) < 0, "a response is not taken for a query");
	m[2] &= 0x7f;
	ok(egress_dns_parse_query(m, 20, &q2) < 0, "a truncated question is refused");
	m[12] = 0xc0;
	ok(egress_dns_parse_query(m, n, &q2) < 0, "a compressed name in a question is refused");

	/* An answer: a CNAME, an A, an AAAA. */
	n = make_query(m, 0x4321, "allowed.test", 1);
	m[2] = 0x81;
	m[3] = 0x80;
	m[7] = 3;
	n = add_rr(m, n, 5, 60, cname, 4);
	n = add_rr(m, n, 1, 300, a4, 4);
	inet_pton(AF_INET6, "2001:db8:1::1", a6);
	n = add_rr(m, n, 28, 0, a6, 16);
	q.id = 0x4321;
	ok(egress_dns_parse_answer(m, n, &q, on_addr, &seen) == 0 && seen.n == 2 &&
		   seen.family[0] == AF_INET && memcmp(seen.addr[0], a4, 4) == 0 && seen.ttl[0] == 300 &&
		   seen.family[1] == AF_INET6 && memcmp(seen.addr[1], a6, 16) == 0,
	   "an answer's A and AAAA records, with their TTLs; the CNAME skipped");
	memset(&seen, 0, sizeof(seen));
	ok(egress_dns_parse_answer(m, n - 3, &q, on_addr, &seen) < 0 && seen.n == 1,
	   "a record cut short: an error (the records before it were seen)");
	q.id = 0x4322;
	ok(egress_dns_parse_answer(m, n, &q, on_addr, &seen) < 0, "another id: refused");
	an = egress_dns_error_for(&q, EGRESS_DNS_RCODE_SERVFAIL, out, sizeof(out));
	ok(an == 12 + 14 + 4 && egress_dns_parse_query(out, an, &q2) < 0 && (out[3] & 0x0f) == 2 &&
		   out[1] == 0x22 && out[12] == 7 && memcmp(out + 13, "allowed", 7) == 0 && out[20] == 4 &&
		   out[26] == 0 && out[27] == 1,
	   "SERVFAIL rebuilt from a question: id, name, type");
	q.id = 0x4321;
	strcpy(q.name, "other.test");
	ok(egress_dns_parse_answer(m, n, &q, on_addr, &seen) < 0, "another question: refused");
}

static size_t make_frame(uint8_t *f, int family, uint8_t proto, const char *src, const char *dst,
			 uint16_t dport, uint8_t tcp_flags, size_t payload)
{
	size_t l3 = EGRESS_ETH_HLEN, l4, total;

	memset(f, 0, 2000);
	memcpy(f, "\x52\x55\x0a\x00\x02\x02", 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	l4 = l3 + (family == AF_INET ? 20 : 40);
	total = (proto == IPPROTO_TCP ? 20 : 8) + payload;
	if (family == AF_INET) {
		f[12] = 0x08;
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((20 + total) >> 8);
		f[l3 + 3] = (uint8_t)(20 + total);
		f[l3 + 9] = proto;
		inet_pton(AF_INET, src, f + l3 + 12);
		inet_pton(AF_INET, dst, f + l3 + 16);
	} else {
		f[12] = 0x86;
		f[13] = 0xdd;
		f[l3] = 0x60;
		f[l3 + 4] = (uint8_t)(total >> 8);
		f[l3 + 5] = (uint8_t)total;
		f[l3 + 6] = proto;
		inet_pton(AF_INET6, src, f + l3 + 8);
		inet_pton(AF_INET6, dst, f + l3 + 24);
	}
	f[l4] = 0x9c; /* source port 40000 */
	f[l4 + 1] = 0x40;
	f[l4 + 2] = (uint8_t)(dport >> 8);
	f[l4 + 3] = (uint8_t)dport;
	if (proto == IPPROTO_TCP) {
		f[l4 + 7] = 100; /* seq 100 */
		f[l4 + 12] = 0x50;
		f[l4 + 13] = tcp_flags;
	} else if (proto == IPPROTO_ICMP) {
		f[l4] = 8; /* echo request */
		f[l4 + 1] = 0;
	}
	return l4 + total;
}

/* The ones' complement sum over @len bytes, folded (0xffff when valid). */
static uint16_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_frames(void)
{
	uint8_t f[2000], out[2000];
	struct egress_pkt p;
	size_t n = make_frame(f, AF_INET, IPPROTO_TCP, "10.0.2.100", "203.0.113.9", 443,
			      EGRESS_TCP_SYN, 0);
	size_t r;
	uint32_t pseudo;

	ok(egress_frame_parse(f, n, &p) == 0 && p.family == AF_INET && p.proto == IPPROTO_TCP &&
		   p.dport == 443 && p.sport == 40000 && p.tcp_flags == EGRESS_TCP_SYN &&
		   p.dst[0] == 203,
	   "an IPv4 TCP SYN: addresses, ports, flags");
	r = egress_frame_refusal(f, &p, out, sizeof(out));
	pseudo = 0x0a00 + 0x0264 + 0xcb00 + 0x7109 + IPPROTO_TCP + 20;
	ok(r == 14 + 20 + 20 && out[14 + 20 + 13] == (EGRESS_TCP_RST | EGRESS_TCP_ACK) &&
		   out[14 + 20 + 11] == 101 && memcmp(out, f + 6, 6) == 0 &&
		   out[14 + 12] == 203 && out[14 + 16] == 10 && out[14 + 20 + 2] == 0x9c &&
		   sum16(out + 14, 20, 0) == 0xffff && sum16(out + 34, 20, pseudo) == 0xffff,
	   "... refused with a RST+ACK for seq+1, from the peer, valid checksums");
	f[14 + 20 + 13] = EGRESS_TCP_RST;
	egress_frame_parse(f, n, &p);
	ok(egress_frame_refusal(f, &p, out, sizeof(out)) == 0, "an RST is never answered");

	n = make_frame(f, AF_INET, IPPROTO_UDP, "10.0.2.100", "203.0.113.9", 7, 0, 4);
	ok(egress_frame_parse(f, n, &p) == 0 && p.proto == IPPROTO_UDP && p.dport == 7,
	   "an IPv4 UDP datagram");
	r = egress_frame_refusal(f, &p, out, sizeof(out));
	ok(r == 14 + 20 + 8 + (n - 14) && out[14 + 9] == IPPROTO_ICMP && out[34] == 3 && out[35] == 9 &&
		   sum16(out + 34, r - 34, 0) == 0xffff && memcmp(out + 42, f + 14, n - 14) == 0,
	   "... refused with ICMP 3/9 quoting it (ENETUNREACH), valid checksum");
	r = egress_frame_udp_reply(f, &p, (const uint8_t *)"pong", 4, out, sizeof(out));
	ok(r == 14 + 20 + 8 + 4 && out[34] == 0 && out[35] == 7 && out[36] == 0x9c &&
		   memcmp(out + 42, "pong", 4) == 0,
	   "a UDP reply goes back from the port it was sent to");

	n = make_frame(f, AF_INET6, IPPROTO_UDP, "fd00::100", "2001:db8::9", 53, 0, 0);
	ok(egress_frame_parse(f, n, &p) == 0 && p.family == AF_INET6 && p.dport == 53,
	   "an IPv6 UDP datagram");
	r = egress_frame_refusal(f, &p, out, sizeof(out));
	ok(r && out[14 + 6] == IPPROTO_ICMPV6 && out[54] == 1 && out[55] == 1,
	   "... refused with ICMPv6 1/1 (administratively prohibited)");
	n = make_frame(f, AF_INET, IPPROTO_ICMP, "10.0.2.100", "203.0.113.9", 0, 0, 4);
	f[14 + 20] = 3; /* an error itself */
	egress_frame_parse(f, n, &p);
	ok(p.icmp_error && egress_frame_refusal(f, &p, out, sizeof(out)) == 0,
	   "an ICMP error is never answered with another");
	n = make_frame(f, AF_INET, IPPROTO_UDP, "10.0.2.100", "203.0.113.9", 7, 0, 4);
	f[14 + 6] = 0x00;
	f[14 + 7] = 0x10; /* a later fragment */
	ok(egress_frame_parse(f, n, &p) == 0 && p.l4 == 0 && p.dport == EGRESS_PORT_ANY,
	   "a later IPv4 fragment has no ports");
	f[14 + 3] = 0xff;
	ok(egress_frame_parse(f, n, &p) < 0, "a length past the frame is refused");
	f[12] = 0x08;
	f[13] = 0x06;
	ok(egress_frame_parse(f, n, &p) < 0, "ARP is not IP");
}

static bool any_rule(uint16_t rule, void *opaque)
{
	*(uint16_t *)opaque = rule;
	return true;
}

static void test_learned(void)
{
	struct egress_learned *priv = calloc(1, sizeof(*priv)), *shared = egress_learned_new_shared();
	uint8_t a[4] = { 198, 51, 100, 1 }, b[4] = { 198, 51, 100, 2 };
	uint16_t rule = 0;

	egress_learned_add(priv, shared, AF_INET, a, 3, 1000, 5000);
	ok(egress_learned_find(shared, AF_INET, a, 2000, any_rule, &rule) && rule == 3,
	   "an address is found in the shared copy with its rule");
	ok(!egress_learned_find(shared, AF_INET, a, 5000, any_rule, &rule), "... not once expired");
	ok(!egress_learned_find(shared, AF_INET, b, 2000, any_rule, &rule), "... nor another address");
	egress_learned_add(priv, shared, AF_INET, a, 3, 1000, 4000);
	ok(egress_learned_find(shared, AF_INET, a, 4500, any_rule, &rule),
	   "a shorter TTL does not cut a longer one");
	egress_learned_add(priv, shared, AF_INET, b, 1, 6000, 9000);
	ok(atomic_load(&shared->used) == 1 &&
		   egress_learned_find(shared, AF_INET, b, 7000, any_rule, &rule),
	   "an expired slot is reused");
	for (int i = 0; i < EGRESS_LEARNED_MAX + 10; i++) {
		uint8_t c[4] = { 10, 1, (uint8_t)(i >> 8), (uint8_t)i };

		egress_learned_add(priv, shared, AF_INET, c, 0, 7000, 100000 + i);
	}
	ok(atomic_load(&shared->used) == EGRESS_LEARNED_MAX, "the table is bounded");
	free(priv);
}

/* The bypass worker reads the shared copy while the network helper writes
 * it: an address its name resolves to again (a longer TTL) must stay
 * visible all along, or a connect() racing the answer is refused. A child
 * extends it without pause while this process looks it up. */
/* Runs the caller on the @nth CPU it may use, if there is one: the race
 * below is one between two CPUs. */
static void pin_to(int nth)
{
	cpu_set_t set, one;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	CPU_ZERO(&one);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set) && nth-- == 0) {
			CPU_SET(cpu, &one);
			sched_setaffinity(0, sizeof(one), &one);
			return;
		}
}

static void test_learned_extend_race(void)
{
	struct egress_learned *shared = egress_learned_new_shared();
	/* Set by the child once it is done. */
	_Atomic uint32_t *stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct egress_learned *priv = calloc(1, sizeof(*priv));
	uint8_t a[4] = { 198, 51, 100, 7 };
	unsigned long misses = 0, n = 0;
	uint16_t rule = 0;
	int go[2] = { -1, -1 };
	cpu_set_t all;
	pid_t pid;
	char c;

	if (!shared || stop == MAP_FAILED || !priv) {
		ok(false, "an address stays found while its TTL is extended (no memory)");
		return;
	}
	if (sched_getaffinity(0, sizeof(all), &all) < 0)
		CPU_ZERO(&all);
	egress_learned_add(priv, shared, AF_INET, a, 2, 0, 1000000);
	if (pipe2(go, O_CLOEXEC) < 0)
		go[0] = go[1] = -1;
	pid = fork();
	if (pid == 0) {
		pin_to(1);
		for (int64_t exp = 1000001; exp < 3000000; exp++) {
			egress_learned_add(priv, shared, AF_INET, a, 2, 0, exp);
			if (go[1] >= 0 && exp == 1000001 && write(go[1], "", 1) != 1)
				_exit(1);
		}
		atomic_store(stop, 1);
		_exit(0);
	}
	free(priv);
	pin_to(0);
	/* The look-ups start once the child writes (EOF: it is gone). */
	if (go[1] >= 0)
		close(go[1]);
	if (pid > 0 && go[0] >= 0 && read(go[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	if (go[0] >= 0)
		close(go[0]);
	/* Until the child is done: it ends after 2000000 extensions. */
	while (pid > 0 && !atomic_load(stop)) {
		n++;
		if (!egress_learned_find(shared, AF_INET, a, 500000, any_rule, &rule))
			misses++;
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (misses)
		printf("# %lu of %lu look-ups missed it\n", misses, n);
	ok(pid > 0 && misses == 0, "an address stays found while its TTL is extended");
	munmap(stop, sizeof(*stop));
	munmap(shared, sizeof(*shared));
	sched_setaffinity(0, sizeof(all), &all);
}

static size_t route_msg(uint8_t *buf, uint16_t type, int family, const char *dst, uint8_t len,
			uint8_t rtype)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtmsg *rt;
	struct rtattr *rta;
	size_t alen = family == AF_INET ? 4 : 16;

	memset(buf, 0, 256);
	nh->nlmsg_type = type;
	rt = NLMSG_DATA(nh);
	rt->rtm_family = (uint8_t)family;
	rt->rtm_dst_len = len;
	rt->rtm_table = RT_TABLE_LOCAL;
	rt->rtm_type = rtype;
	rta = (struct rtattr *)((char *)rt + NLMSG_ALIGN(sizeof(*rt)));
	rta->rta_type = RTA_DST;
	rta->rta_len = (unsigned short)RTA_LENGTH(alen);
	inet_pton(family, dst, RTA_DATA(rta));
	nh->nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(*rt)) + RTA_SPACE(alen));
	return nh->nlmsg_len;
}

static bool has(const struct hostaddr *h, const char *text)
{
	uint8_t a[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, text, a);
	return hostaddr_contains(h, family, a);
}

static void test_hostaddr(void)
{
	struct hostaddr *h = calloc(1, sizeof(*h));
	uint8_t m[256];

	h->fd = -1;
	hostaddr_apply(h, m, route_msg(m, RTM_NEWROUTE, AF_INET, "203.0.113.2", 32, RTN_LOCAL));
	hostaddr_apply(h, m, route_msg(m, RTM_NEWROUTE, AF_INET, "198.51.100.0", 24, RTN_LOCAL));
	hostaddr_apply(h, m, route_msg(m, RTM_NEWROUTE, AF_INET6, "2001:db8::2", 128, RTN_LOCAL));
	hostaddr_apply(h, m, route_msg(m, RTM_NEWROUTE, AF_INET6, "ff00::", 8, RTN_MULTICAST));
	ok(has(h, "203.0.113.2") && !has(h, "203.0.113.3") && has(h, "198.51.100.77") &&
		   has(h, "::ffff:203.0.113.2") && has(h, "2001:db8::2") && !has(h, "ff02::1"),
	   "local routes: addresses and prefixes (AnyIP), v4-mapped too; not IPv6 multicast");
	/* The same address on a second interface: one entry, two routes. */
	hostaddr_apply(h, m, route_msg(m, RTM_NEWROUTE, AF_INET, "203.0.113.2", 32, RTN_LOCAL));
	hostaddr_apply(h, m, route_msg(m, RTM_DELROUTE, AF_INET, "203.0.113.2", 32, RTN_LOCAL));
	ok(has(h, "203.0.113.2") && h->lost && has(h, "198.51.100.1"),
	   "a deleted route stays closed until the table is read anew (its twin may remain)");
	route_msg(m, RTM_NEWROUTE, AF_INET, "203.0.113.5", 32, RTN_LOCAL);
	((struct rtmsg *)NLMSG_DATA((struct nlmsghdr *)m))->rtm_table = RT_TABLE_MAIN;
	hostaddr_apply(h, m, ((struct nlmsghdr *)m)->nlmsg_len);
	ok(!has(h, "203.0.113.5"), "routes of other tables are not the host's addresses");
	ok(hostaddr_open(h) == 0 && has(h, "127.0.0.1") && h->fd >= 0,
	   "the real local table holds 127.0.0.1");
	close(h->fd);
	free(h);
}

/* When updates are lost the table fails closed, until it is read anew. */
static void test_hostaddr_lost(void)
{
	struct hostaddr *h = calloc(1, sizeof(*h));
	uint8_t m[256];
	int sv[2];

	/* A route socket whose reads fail (here: its peer is gone) cannot
	 * say what changed; its dump fails too. */
	h->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0) {
		close(sv[1]);
		h->fd = sv[0];
	}
	hostaddr_refresh(h);
	ok(h->fd >= 0 && has(h, "203.0.113.9") && has(h, "2001:db8::9"),
	   "a route socket that fails: every address counts as the host's");
	close(sv[0]);
	free(h);
	h = calloc(1, sizeof(*h));
	h->fd = -1;
	for (unsigned i = 0; i <= HOSTADDR_MAX; i++) {
		char text[32];

		snprintf(text, sizeof(text), "10.%u.%u.1", i >> 8, i & 0xff);
		hostaddr_apply(h, m, route_msg(m, RTM_NEWROUTE, AF_INET, text, 32, RTN_LOCAL));
	}
	ok(h->n == HOSTADDR_MAX && has(h, "203.0.113.9"),
	   "more local routes than the table holds: every address counts as the host's");
	free(h);
}

static void test_policy(void)
{
	struct egress *g = calloc(1, sizeof(*g));
	struct egress_learned *priv = calloc(1, sizeof(*priv));
	struct egress_rule rules[2] = { rule("allowed.test:80"), rule("203.0.113.0/24") };
	uint8_t a[4] = { 198, 51, 100, 1 }, c[4] = { 203, 0, 113, 9 }, d[4] = { 198, 51, 100, 9 };
	char resolv[] = "# x\nsearch example\nnameserver 2001:db8::53\nnameserver 198.51.100.53\n";
	struct sockaddr_storage ns;
	socklen_t ns_len;

	g->rules = rules;
	g->n_rules = 2;
	g->filter = true;
	g->host_ok = true;
	g->host.fd = -1;
	g->learned = priv;
	egress_learned_add(priv, NULL, AF_INET, a, 0, 0, 1000);
	ok(egress_check(g, AF_INET, a, 80, 500) == EGRESS_ALLOW, "a learned address, on its rule's port");
	ok(egress_check(g, AF_INET, a, 81, 500) == EGRESS_REFUSE_LIST, "... not on another port");
	ok(egress_check(g, AF_INET, a, 80, 1500) == EGRESS_REFUSE_LIST, "... not after its TTL");
	ok(egress_check(g, AF_INET, c, 9, 500) == EGRESS_ALLOW &&
		   egress_check(g, AF_INET, c, EGRESS_PORT_ANY, 500) == EGRESS_ALLOW,
	   "a CIDR rule without ports: any port, and ICMP");
	ok(egress_check(g, AF_INET, d, 80, 500) == EGRESS_REFUSE_LIST, "anything else is refused");
	ok(egress_nameserver(resolv, strlen(resolv), &ns, &ns_len) == 0 && ns.ss_family == AF_INET6 &&
		   ntohs(((struct sockaddr_in6 *)&ns)->sin6_port) == 53,
	   "the first nameserver of resolv.conf, port 53");
	ok(egress_nameserver("search x\n", 9, &ns, &ns_len) == -ENOENT, "none: -ENOENT");
	free(priv);
	free(g);
}

static unsigned n_sent;

static void count_sent(void *opaque, const uint8_t *frame, size_t len)
{
	(void)opaque;
	(void)frame;
	(void)len;
	n_sent++;
}

/* The helper's filter, on frames: what libslirp may see. */
static void test_tap(void)
{
	struct egress_tap *t = calloc(1, sizeof(*t));
	struct egress_rule rules[1] = { rule("198.51.100.1:80") };
	uint8_t f[2000];
	size_t n;

	t->pol.rules = rules;
	t->pol.n_rules = 1;
	t->pol.filter = true;
	t->pol.host_ok = true;
	t->pol.host.fd = -1;
	t->upstream_fd = -1;
	t->buf_size = 2000;
	t->buf = malloc(t->buf_size);
	t->send = count_sent;
	n = make_frame(f, AF_INET, IPPROTO_TCP, "10.0.2.100", "198.51.100.1", 80, EGRESS_TCP_SYN, 0);
	ok(egress_tap_frame(t, f, n), "tap: a SYN to an allowed address and port goes to libslirp");
	f[14 + 20 + 3] = 22;
	ok(!egress_tap_frame(t, f, n) && n_sent == 1, "tap: ... to another port: refused, answered");
	/* A first fragment with 8 bytes of TCP (ports, no flags): the flags
	 * would come from a later fragment, judged by its address only. */
	f[14 + 6] = 0x20; /* MF, offset 0 */
	f[14 + 3] = 20 + 8;
	ok(!egress_tap_frame(t, f, 14 + 20 + 8), "tap: a first fragment too short for TCP is dropped");
	n = make_frame(f, AF_INET6, IPPROTO_TCP, "fd00::100", "2001:db8::1", 80, EGRESS_TCP_SYN, 0);
	ok(!egress_tap_frame(t, f, n - 1) && !egress_tap_frame(t, f, n - 20 + 4),
	   "tap: a truncated IPv6 packet is dropped");
	/* Addresses libslirp would send out as they are. */
	n = make_frame(f, AF_INET, IPPROTO_TCP, "10.0.2.100", "169.254.169.254", 80, EGRESS_TCP_SYN, 0);
	ok(!egress_tap_frame(t, f, n), "tap: link-local (a metadata service) is judged: refused");
	n = make_frame(f, AF_INET, IPPROTO_UDP, "10.0.2.100", "239.1.2.3", 7, 0, 4);
	ok(!egress_tap_frame(t, f, n), "tap: ... multicast too");
	n = make_frame(f, AF_INET, IPPROTO_UDP, "10.0.2.100", "10.0.2.50", 7, 0, 4);
	ok(!egress_tap_frame(t, f, n), "tap: ... and the slirp network past the gateway and DNS");
	n = make_frame(f, AF_INET6, IPPROTO_UDP, "fd00::100", "ff0e::1", 7, 0, 4);
	ok(!egress_tap_frame(t, f, n), "tap: ... and IPv6 multicast beyond the link");
	n = make_frame(f, AF_INET6, IPPROTO_ICMPV6, "fe80::1", "ff02::1:ff00:2", 0, 0, 24);
	ok(egress_tap_frame(t, f, n), "tap: NDP is libslirp's");
	n = make_frame(f, AF_INET, 2, "10.0.2.100", "224.0.0.22", 0, 0, 8);
	ok(egress_tap_frame(t, f, n) && n_sent == 5, "tap: IGMP (dropped by libslirp) is not answered");
	n = make_frame(f, AF_INET, IPPROTO_UDP, "10.0.2.100", "255.255.255.255", 67, 0, 4);
	ok(egress_tap_frame(t, f, n), "tap: DHCP to 255.255.255.255 is libslirp's");
	t->pol.host_ok = false;
	ok(egress_check(&t->pol, AF_INET, (const uint8_t *)"\0\0\0\0", 80, 0) == EGRESS_REFUSE_HOST &&
		   egress_check(&t->pol, AF_INET6, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
				80, 0) == EGRESS_REFUSE_HOST,
	   "0.0.0.0 and :: are the host's own, as its local table's addresses");
	free(t->buf);
	free(t);
}

int main(void)
{
	test_rules();
	test_dns();
	test_frames();
	test_learned();
	test_learned_extend_race();
	test_hostaddr();
	test_hostaddr_lost();
	test_policy();
	test_tap();
	return tap_done();
}
