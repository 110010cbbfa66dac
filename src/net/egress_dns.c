/* egress_dns.c - the few DNS messages --allow-net's resolver reads and writes
 * (RFC 1035, section 4.1)
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "egress_dns.h"

#define TYPE_A 1
#define TYPE_AAAA 28
#define CLASS_IN 1

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A name of plain labels at @*off into @name (lower case, dotted, no final
 * dot); *@off moves past it. */
static int read_plain_name(const uint8_t *m, size_t len, size_t *off, char *name, size_t size)
{
	size_t o = *off, n = 0;

	for (;;) {
		uint8_t l;

		if (o >= len)
			return -EINVAL;
		l = m[o++];
		if (l == 0)
			break;
		if (l > 63 || o + l > len) /* a pointer (0xc0) or a length too long */
			return -EINVAL;
		if (n && n + 1 < size)
			name[n++] = '.';
		if (n + l + 1 > size)
			return -EINVAL;
		for (size_t i = 0; i < l; i++) {
			uint8_t ch = m[o + i];

			if (!isalnum(ch) && ch != '-' && ch != '_')
				return -EINVAL;
			name[n++] = (char)tolower(ch);
		}
		o += l;
	}
	if (n > EGRESS_NAME_MAX)
		return -EINVAL;
	name[n] = '\0';
	*off = o;
	return 0;
}

/* Skip a name that may end in a compression pointer. */
static int skip_name(const uint8_t *m, size_t len, size_t *off)
{
	size_t o = *off;

	for (unsigned labels = 0; labels < 128; labels++) {
		uint8_t l;

		if (o >= len)
			return -EINVAL;
		l = m[o];
		if (l == 0) {
			*off = o + 1;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -EINVAL;
			*off = o + 2;
			return 0;
		}
		if (l & 0xc0) /* the reserved 0x40 and 0x80 label types */
			return -EINVAL;
		o += 1 + (size_t)l;
	}
	return -EINVAL;
}

int egress_dns_parse_query(const uint8_t *m, size_t len, struct egress_dns_question *ret)
{
	size_t off = EGRESS_DNS_HEADER;

	memset(ret, 0, sizeof(*ret));
	if (len < EGRESS_DNS_HEADER || (m[2] & 0xf8) != 0 || get16(m + 4) != 1)
		return -EINVAL; /* a response, another opcode, or not one question */
	ret->id = get16(m);
	if (read_plain_name(m, len, &off, ret->name, sizeof(ret->name)) < 0 || off + 4 > len)
		return -EINVAL;
	ret->qtype = get16(m + off);
	ret->end = off + 4;
	return 0;
}

size_t egress_dns_reply_error(const uint8_t *q, size_t q_end, uint8_t rcode, uint8_t *out,
			      size_t size)
{
	if (q_end < EGRESS_DNS_HEADER || q_end > size)
		return 0;
	memcpy(out, q, q_end);
	out[2] = (uint8_t)(0x80 | (q[2] & 0x01)); /* QR, opcode 0, RD as asked */
	out[3] = (uint8_t)(0x80 | (rcode & 0x0f)); /* RA */
	memset(out + 6, 0, 6);			   /* no answer, authority or additional */
	return q_end;
}

size_t egress_dns_error_for(const struct egress_dns_question *q, uint8_t rcode, uint8_t *out,
			    size_t size)
{
	size_t n = EGRESS_DNS_HEADER, len = strlen(q->name);

	if (size < EGRESS_DNS_HEADER + len + 2 + 4)
		return 0;
	memset(out, 0, EGRESS_DNS_HEADER);
	out[0] = (uint8_t)(q->id >> 8);
	out[1] = (uint8_t)q->id;
	out[2] = 0x81; /* QR, RD */
	out[3] = (uint8_t)(0x80 | (rcode & 0x0f));
	out[5] = 1;
	/* The name's labels, each after its length (the root: one zero). */
	for (const char *p = q->name; *p;) {
		size_t l = strcspn(p, ".");

		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (p[l] == '.');
	}
	out[n++] = 0;
	out[n++] = (uint8_t)(q->qtype >> 8);
	out[n++] = (uint8_t)q->qtype;
	out[n++] = 0;
	out[n++] = 1; /* class IN */
	return n;
}

int egress_dns_parse_answer(const uint8_t *m, size_t len, const struct egress_dns_question *q,
			    egress_dns_addr_fn fn, void *opaque)
{
	char name[EGRESS_NAME_MAX + 2];
	size_t off = EGRESS_DNS_HEADER;
	unsigned an;

	if (len < EGRESS_DNS_HEADER || !(m[2] & 0x80) || get16(m) != q->id || get16(m + 4) != 1)
		return -EINVAL;
	if (read_plain_name(m, len, &off, name, sizeof(name)) < 0 || off + 4 > len ||
	    strcmp(name, q->name) != 0 || get16(m + off) != q->qtype)
		return -EINVAL;
	off += 4;
	an = get16(m + 6);
	for (unsigned i = 0; i < an; i++) {
		uint16_t type, class, rdlen;
		uint32_t ttl;

		if (skip_name(m, len, &off) < 0 || off + 10 > len)
			return -EINVAL;
		type = get16(m + off);
		class = get16(m + off + 2);
		ttl = get32(m + off + 4);
		rdlen = get16(m + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -EINVAL;
		if (class == CLASS_IN && type == TYPE_A && rdlen == 4)
			fn(AF_INET, m + off, ttl, opaque);
		else if (class == CLASS_IN && type == TYPE_AAAA && rdlen == 16)
			fn(AF_INET6, m + off, ttl, opaque);
		off += rdlen;
	}
	return 0;
}
