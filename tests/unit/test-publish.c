/* test-publish - the -p/--publish spec parser (publish_spec.c) */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "publish_spec.h"
#include "tap.h"

static void good(const char *spec, int family, const char *addr, unsigned hport, unsigned sport,
		 bool udp)
{
	struct sbx_error e = { 0 };
	struct sbx_publish p;
	char got[INET6_ADDRSTRLEN] = "";
	int r = publish_spec_parse(spec, &p, &e);

	ok(r == 0, "%s parses (%s)", spec, r == 0 ? "" : e.msg);
	if (r < 0)
		return;
	inet_ntop(p.family, p.host_addr, got, sizeof(got));
	ok(p.family == family, "%s: address family", spec);
	is_str(got, addr, "%s: host address", spec);
	ok(p.host_port == hport && p.sandbox_port == sport, "%s: ports %u -> %u", spec, p.host_port,
	   p.sandbox_port);
	ok(p.udp == udp, "%s: %s", spec, udp ? "udp" : "tcp");
	is_str(p.spec, spec, "%s: kept for messages", spec);
	free(p.spec);
}

static void bad(const char *spec, const char *want_msg)
{
	struct sbx_error e = { 0 };
	struct sbx_publish p;
	int r = publish_spec_parse(spec, &p, &e);

	ok(r == -EINVAL, "'%s' is refused", spec);
	is_str(e.msg, want_msg, "'%s': message", spec);
	if (r == 0)
		free(p.spec);
}

int main(void)
{
	char buf[64];
	struct sbx_publish p = { .family = AF_INET6, .host_port = 8080 };

	good("8080:80", AF_INET, "0.0.0.0", 8080, 80, false);
	good("8080:80/tcp", AF_INET, "0.0.0.0", 8080, 80, false);
	good("5353:53/udp", AF_INET, "0.0.0.0", 5353, 53, true);
	good("127.0.0.1:8080:80", AF_INET, "127.0.0.1", 8080, 80, false);
	good("[::1]:8080:80", AF_INET6, "::1", 8080, 80, false);
	good("[::]:1:65535/udp", AF_INET6, "::", 1, 65535, true);
	good("[fd00::1:2]:443:8443", AF_INET6, "fd00::1:2", 443, 8443, false);

	bad("80", "--publish 80: expected [HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]");
	bad("80:abc", "--publish 80:abc: 'abc' is not a port (1-65535)");
	bad("0:80", "--publish 0:80: '0' is not a port (1-65535)");
	bad("8080:65536", "--publish 8080:65536: '65536' is not a port (1-65535)");
	bad("8080:", "--publish 8080:: '' is not a port (1-65535)");
	bad(":8080:80", "--publish :8080:80: expected [HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]");
	bad("8080:80/sctp", "--publish 8080:80/sctp: unknown protocol 'sctp' (tcp, udp)");
	bad("::1:8080:80", "--publish ::1:8080:80: write an IPv6 address in brackets, e.g. [::1]:8080:80");
	bad("1.2.3:8080:80", "--publish 1.2.3:8080:80: '1.2.3' is not an IP address");
	bad("[::1:8080:80", "--publish [::1:8080:80: write an IPv6 address in brackets, e.g. [::1]:8080:80");
	bad("[1.2.3.4]:8080:80", "--publish [1.2.3.4]:8080:80: '[1.2.3.4' is not an IP address");
	bad("a.b:1:2", "--publish a.b:1:2: 'a.b' is not an IP address");

	inet_pton(AF_INET6, "::1", p.host_addr);
	publish_spec_format_host(&p, buf, sizeof(buf));
	is_str(buf, "[::1]:8080", "format an IPv6 host side");
	return tap_done();
}
