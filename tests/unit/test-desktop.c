/* test-desktop.c - desktop apps: the GPU's /sys resolution against a fake
 * tree, Xauthority entries, the D-Bus options' rules */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli-harness.h"
#include "gpu.h"
#include "tap.h"
#include "util.h"
#include "x11_cookie.h"

static char root[64];

static void mk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mk(const char *fmt, ...)
{
	char rel[512], path[600], cmd[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	if (system(cmd) != 0)
		abort();
}

static void link_at(const char *target, const char *rel)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) < 0)
		abort();
}

static void test_gpu_sys(void)
{
	char sys[128];
	struct gpu_sys_entry s;
	int r;

	snprintf(root, sizeof(root), "/tmp/test-desktop.%d", (int)getpid());
	snprintf(sys, sizeof(sys), "%s/sys", root);
	mk("sys/dev/char");
	mk("sys/devices/pci0000:00/0000:00:02.0/drm/card0");
	mk("sys/devices/virtual/drm/vgem");
	link_at("../../devices/pci0000:00/0000:00:02.0/drm/card0", "sys/dev/char/226:0");
	link_at("../../../0000:00:02.0", "sys/devices/pci0000:00/0000:00:02.0/drm/card0/device");
	link_at("../../devices/virtual/drm/vgem", "sys/dev/char/226:1");
	link_at("../../../../etc", "sys/dev/char/226:2");
	link_at("../../devices/../../etc", "sys/dev/char/226:3");
	link_at("/etc", "sys/dev/char/226:4");
	/* A "device" link that leaves the node's ancestors: not used. */
	mk("sys/devices/virtual/drm/odd");
	link_at("../../../pci0000:00", "sys/devices/virtual/drm/odd/device");
	link_at("../../devices/virtual/drm/odd", "sys/dev/char/226:5");

	r = gpu_sys_resolve(sys, makedev(226, 0), &s);
	ok(r == 0, "226:0 resolves (%d)", r);
	is_str(s.link, "/dev/char/226:0", "its link");
	is_str(s.link_target, "../../devices/pci0000:00/0000:00:02.0/drm/card0", "the link's text");
	is_str(s.device_dir, "/devices/pci0000:00/0000:00:02.0", "the PCI device is shown");
	gpu_sys_entry_free(&s);

	r = gpu_sys_resolve(sys, makedev(226, 1), &s);
	ok(r == 0, "a node without a bus device resolves");
	is_str(s.device_dir, "/devices/virtual/drm/vgem", "... its own directory is shown");
	gpu_sys_entry_free(&s);

	ok(gpu_sys_resolve(sys, makedev(226, 2), &s) == -EXDEV, "a link above /sys is refused");
	ok(gpu_sys_resolve(sys, makedev(226, 3), &s) == -EXDEV, "a link through /sys/devices/.. is refused");
	ok(gpu_sys_resolve(sys, makedev(226, 4), &s) == -EXDEV, "an absolute link is refused");
	ok(gpu_sys_resolve(sys, makedev(226, 9), &s) == -ENOENT, "an unknown node: -ENOENT");

	r = gpu_sys_resolve(sys, makedev(226, 5), &s);
	ok(r == 0, "226:5 resolves");
	is_str(s.device_dir, "/devices/virtual/drm/odd",
	       "... a device link that is no ancestor is ignored");
	gpu_sys_entry_free(&s);

	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			abort();
	}
}

static void test_xauth(void)
{
	/* family 256 (local) "box" :7, family 65535 any :3, a bad name. */
	static const uint8_t file[] = {
		1, 0, 0, 3, 'b', 'o', 'x', 0, 1, '7', 0, 18, 'M', 'I', 'T', '-', 'M', 'A', 'G', 'I', 'C', '-',
		'C', 'O', 'O', 'K', 'I', 'E', '-', '1', 0, 2, 0xaa, 0xbb,
		0xff, 0xff, 0, 0, 0, 1, '3', 0, 18, 'M', 'I', 'T', '-', 'M', 'A', 'G', 'I', 'C', '-',
		'C', 'O', 'O', 'K', 'I', 'E', '-', '1', 0, 1, 0xcc,
	};
	struct x11_auth a, b;
	uint8_t buf[256];
	int n;

	ok(x11_xauth_find(file, sizeof(file), "7", "box", &a) == 1 && a.data_len == 2 &&
		   a.data[0] == 0xaa,
	   "the local entry of host box, display 7");
	ok(x11_xauth_find(file, sizeof(file), "7", "other", &a) == 0,
	   "... not for another host name");
	ok(x11_xauth_find(file, sizeof(file), "3", "other", &a) == 1 && a.data[0] == 0xcc,
	   "a wildcard entry matches any host");
	ok(x11_xauth_find(file, sizeof(file) - 1, "3", "x", &a) == -EINVAL, "a cut file: -EINVAL");

	memset(&a, 0, sizeof(a));
	strcpy(a.name, "MIT-MAGIC-COOKIE-1");
	memset(a.data, 0x5a, 16);
	a.data_len = 16;
	n = x11_xauth_entry("12", &a, buf, sizeof(buf));
	ok(n == 2 + 2 + 2 + 2 + 2 + 18 + 2 + 16, "an entry's length (%d)", n);
	ok(x11_xauth_find(buf, (size_t)n, "12", "sbx", &b) == 1 && b.data_len == 16 &&
		   memcmp(b.data, a.data, 16) == 0,
	   "the entry written reads back, for any host name");
	ok(x11_xauth_entry("12", &a, buf, 20) == -ENOSPC, "a short buffer: -ENOSPC");
}

/* A hostile X server's answer to the pipelined QueryExtension(SECURITY),
 * written in full before x11_security_generate() reads it, the server's
 * end closed after it: what it makes of @rep (32 bytes and @extra more). */
static int generate_from(const uint8_t *rep, size_t extra)
{
	uint8_t buf[32 + 8] = { 0 };
	struct x11_auth auth;
	uint32_t id = 0;
	uint8_t major = 0;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	memcpy(buf, rep, 32);
	if (write(sv[1], buf, 32 + extra) != (ssize_t)(32 + extra))
		r = -EIO;
	else
		r = 0;
	close(sv[1]);
	if (r == 0)
		r = x11_security_generate(sv[0], false, &auth, &id, &major);
	close(sv[0]);
	return r;
}

static void test_x11_replies(void)
{
	/* A reply (1) to request 1, SECURITY present, major 130: its length
	 * field says 0x40000001 words more, which times 4 is 4 in 32 bits. */
	uint8_t rep[32] = { 1, 0, 1, 0, 0x01, 0, 0, 0x40, 1, 130 };

	ok(generate_from(rep, 4) == -EMSGSIZE,
	   "a reply whose length (in words) overflows 32 bits as bytes: -EMSGSIZE, not 4 bytes");
	rep[0] = 0; /* an error instead of the reply */
	rep[4] = rep[7] = 0;
	ok(generate_from(rep, 0) == -EPROTO, "an X error instead of QueryExtension's reply: -EPROTO");
	rep[0] = 1;
	rep[8] = 0;
	ok(generate_from(rep, 0) == -ENOTSUP, "SECURITY absent: -ENOTSUP");
}

static int parse(struct sbx_config *c, struct sbx_error *e, ...)
{
	enum cli_action act;
	va_list ap;
	int r;

	va_start(ap, e);
	r = parse_args(c, e, &act, ap);
	va_end(ap);
	return r;
}

static void test_dbus_opts(void)
{
	struct sbx_config c;
	struct sbx_error e;
	int r;

	r = parse(&c, &e, "--dbus-talk", "org.a.B", "--dbus-own", "org.a.*", "--dbus-call",
		  "org.c=Do@/x", "--dbus-system-see", ":1.5", "true", NULL);
	ok(r == 0, "valid D-Bus rules parse");
	ok(c.n_dbus_rules == 3 && c.n_dbus_system_rules == 1, "three session rules, one system");
	if (c.n_dbus_rules == 3 && c.n_dbus_system_rules == 1) {
		is_str(c.dbus_rules[0], "--talk=org.a.B", "--dbus-talk");
		is_str(c.dbus_rules[1], "--own=org.a.*", "--dbus-own with a wildcard");
		is_str(c.dbus_rules[2], "--call=org.c=Do@/x", "--dbus-call NAME=RULE");
		is_str(c.dbus_system_rules[0], "--see=:1.5", "--dbus-system-see a unique name");
	}
	config_free(&c);

	static const char *const bad[][2] = {
		{ "--dbus-talk", "" },		{ "--dbus-talk", "a b" },
		{ "--dbus-talk", ".a" },	{ "--dbus-talk", "a=b" },
		{ "--dbus-call", "org.a" },	{ "--dbus-broadcast", "org.a=" },
		{ "--dbus-call", "org.a=x y" }, { "--dbus-own", "*" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		r = parse(&c, &e, bad[i][0], bad[i][1], "true", NULL);
		ok(r < 0 && strncmp(e.msg, bad[i][0], strlen(bad[i][0])) == 0,
		   "%s '%s' is refused naming the option (%s)", bad[i][0], bad[i][1], e.msg);
		config_free(&c);
	}
	r = parse(&c, &e, "--x11-trusted", "true", NULL);
	ok(r == 0 && c.x11 && c.x11_trusted, "--x11-trusted implies --x11");
	config_free(&c);
}

int main(void)
{
	test_gpu_sys();
	test_xauth();
	test_x11_replies();
	test_dbus_opts();
	return tap_done();
}
