/* publish_spec.c - -p/--publish in sbx itself: spec parsing (the command line)
 * and the host sockets sbx binds before the start (handed to the helper) */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "publish_spec.h"
#include "util.h"

/* --- parsing ------------------------------------------------------------- */

static int bad_spec(const char *spec, struct sbx_error *e)
{
	return sbx_error_set(e, 0, "--publish %s: expected [HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]",
			     spec);
}

static int parse_port(const char *spec, const char *s, size_t len, uint16_t *ret,
		      struct sbx_error *e)
{
	char buf[8];
	unsigned long n;

	if (len == 0 || len >= sizeof(buf))
		return sbx_error_set(e, 0, "--publish %s: '%.*s' is not a port (1-65535)", spec,
				     (int)(len > 16 ? 16 : len), s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_uint(buf, 65535, &n) < 0 || n == 0)
		return sbx_error_set(e, 0, "--publish %s: '%s' is not a port (1-65535)", spec, buf);
	*ret = (uint16_t)n;
	return 0;
}

static int parse_host(const char *spec, const char *s, size_t len, struct sbx_publish *p,
		      struct sbx_error *e)
{
	char buf[INET6_ADDRSTRLEN + 2];

	if (len >= sizeof(buf))
		return sbx_error_set(e, 0, "--publish %s: not an IP address", spec);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (len > 2 && buf[0] == '[' && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		p->family = AF_INET6;
		if (inet_pton(AF_INET6, buf + 1, p->host_addr) == 1)
			return 0;
	} else if (!strchr(buf, ':')) {
		p->family = AF_INET;
		if (inet_pton(AF_INET, buf, p->host_addr) == 1)
			return 0;
	} else {
		return sbx_error_set(e, 0, "--publish %s: write an IPv6 address in brackets, "
					   "e.g. [::1]:8080:80", spec);
	}
	return sbx_error_set(e, 0, "--publish %s: '%s' is not an IP address", spec, buf);
}

int publish_spec_parse(const char *spec, struct sbx_publish *ret, struct sbx_error *e)
{
	struct sbx_publish p = { .family = AF_INET };
	const char *end = spec + strlen(spec), *slash, *c1, *c2;

	slash = strrchr(spec, '/');
	if (slash) {
		if (strcmp(slash + 1, "udp") == 0)
			p.udp = true;
		else if (strcmp(slash + 1, "tcp") != 0)
			return sbx_error_set(e, 0, "--publish %s: unknown protocol '%s' (tcp, udp)",
					     spec, slash + 1);
		end = slash;
	}
	/* From the right: SANDBOXPORT, HOSTPORT, then whatever is left is the
	 * address (which, for IPv6, contains colons itself). */
	c2 = memrchr(spec, ':', (size_t)(end - spec));
	if (!c2)
		return bad_spec(spec, e);
	c1 = memrchr(spec, ':', (size_t)(c2 - spec));
	if (parse_port(spec, c2 + 1, (size_t)(end - c2 - 1), &p.sandbox_port, e) < 0)
		return -EINVAL;
	if (!c1) {
		if (parse_port(spec, spec, (size_t)(c2 - spec), &p.host_port, e) < 0)
			return -EINVAL;
	} else {
		if (parse_port(spec, c1 + 1, (size_t)(c2 - c1 - 1), &p.host_port, e) < 0)
			return -EINVAL;
		if (c1 == spec)
			return bad_spec(spec, e);
		if (parse_host(spec, spec, (size_t)(c1 - spec), &p, e) < 0)
			return -EINVAL;
	}
	p.spec = xstrdup(spec);
	*ret = p;
	return 0;
}

void publish_spec_format_host(const struct sbx_publish *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->host_addr, addr, sizeof(addr));
	snprintf(buf, len, p->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, p->host_port);
}

/* --- the host side ------------------------------------------------------- */

int publish_spec_listen(const struct sbx_publish *p, int *ret_fd, struct sbx_error *e)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_storage ss;
	socklen_t sl;
	char where[INET6_ADDRSTRLEN + 16];
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (p->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p->host_port);
		memcpy(&sin6->sin6_addr, p->host_addr, 16);
		sl = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p->host_port);
		memcpy(&sin->sin_addr, p->host_addr, 4);
		sl = sizeof(*sin);
	}
	publish_spec_format_host(p, where, sizeof(where));
	fd = socket(p->family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sbx_error_set(e, errno, "--publish %s: socket", p->spec);
	/* SO_REUSEADDR only skips TIME_WAIT leftovers; a live listener still
	 * makes bind() fail. [::] means IPv6 only, as the user wrote it. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (p->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || (!p->udp && listen(fd, SOMAXCONN) < 0))
		return sbx_error_set(e, errno, "--publish %s: cannot listen on %s", p->spec, where);
	*ret_fd = TAKE_FD(fd);
	return 0;
}
