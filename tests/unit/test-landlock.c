/* test-landlock - what sbx asks Landlock for on each kernel ABI */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "landlock.h"
#include "tap.h"
#include "util.h"

/* One mountinfo line through landlock_parse_mount(); @line is copied. */
static int parse(const char *line, struct landlock_mount *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s", line);
	return landlock_parse_mount(buf, m);
}

static void test_parse_mount(void)
{
	struct landlock_mount m;
	char buf[8192], *longline;
	size_t n = 6000;

	ok(parse("36 35 98:0 / /a\\040b\\134c\\012d rw,nosuid shared:1 master:2 - ext4 /dev/x rw",
		 &m, buf, sizeof(buf)) == 0 &&
		   m.id == 36 && m.parent == 35 && strcmp(m.point, "/a b\\c\nd") == 0 && !m.ro,
	   "escapes undone, optional tags skipped, rw, the parent's id");
	ok(parse("7 1 0:5 / /r ro,relatime - tmpfs tmpfs rw", &m, buf, sizeof(buf)) == 0 && m.ro,
	   "a read-only mount");
	ok(parse("8 1 0:5 / /s rw,relatime - iso9660 /dev/sr0 ro,nojoliet", &m, buf, sizeof(buf)) ==
			   0 && m.ro,
	   "a read-only filesystem on a writable mount is read-only");
	ok(parse("9 1 0:5 / /t rw,rootcontext=x - tmpfs none rw,rootcontext=ro", &m, buf,
		 sizeof(buf)) == 0 && !m.ro,
	   "\"ro\" inside another option is not read-only");
	ok(parse("10 1 0:5 / /u rw", &m, buf, sizeof(buf)) == 0 && !m.ro,
	   "no separator and superblock options: the mount's flags decide");
	ok(parse("11 1 0:5 / relative rw - tmpfs none rw", &m, buf, sizeof(buf)) == -EINVAL,
	   "a mount point that is not absolute is skipped");
	ok(parse("x 1 0:5 / /v rw - tmpfs none rw", &m, buf, sizeof(buf)) == -EINVAL &&
		   parse("12 1 0:5 /", &m, buf, sizeof(buf)) == -EINVAL &&
		   parse("", &m, buf, sizeof(buf)) == -EINVAL &&
		   parse("13  1 0:5 / /w rw", &m, buf, sizeof(buf)) == -EINVAL,
	   "a bad id, a short line, an empty line, an empty field are skipped");

	longline = xasprintf("14 1 0:5 / /%0*d rw - tmpfs none ro", (int)n, 0);
	ok(landlock_parse_mount(longline, &m) == 0 && strlen(m.point) == n + 1 && m.ro,
	   "a line of %zu bytes", n);
	free(longline);
}

int main(void)
{
	uint16_t port = 443;
	struct sbx_config c = { 0 };
	struct sbx_error e = { 0 };
	struct landlock_plan p;

	ok(landlock_plan_for_abi(&c, 0, &p, &e) == 0 && !p.fs && !p.net && !p.scoped &&
		   strstr(p.notes, "not available"),
	   "no Landlock: skipped, said under -v (%s)", p.notes);
	ok(landlock_plan_for_abi(&c, 1, &p, &e) == 0 && p.fs == 0x1fff && !p.scoped &&
		   strstr(p.notes, "truncate") && strstr(p.notes, "scoped"),
	   "ABI 1: the 13 first rights; the rest named (%s)", p.notes);
	ok(landlock_plan_for_abi(&c, 3, &p, &e) == 0 && p.fs == 0x7fff, "ABI 3: refer, truncate");
	ok(landlock_plan_for_abi(&c, 5, &p, &e) == 0 && p.fs == 0xffff && !p.scoped,
	   "ABI 5: device ioctls");
	ok(landlock_plan_for_abi(&c, 7, &p, &e) == 0 && p.fs == 0xffff && p.scoped == 3 && !p.net &&
		   strcmp(p.notes, "ABI 7") == 0,
	   "ABI 7: scoping, no network rule unless asked (%s)", p.notes);

	c.allow_connect = &port;
	c.n_allow_connect = 1;
	ok(landlock_plan_for_abi(&c, 3, &p, &e) == -EOPNOTSUPP && strstr(e.msg, "--allow-connect needs Landlock ABI 4"),
	   "--allow-connect on ABI 3 is an error: %s", e.msg);
	ok(landlock_plan_for_abi(&c, 0, &p, &e) == -EOPNOTSUPP && strstr(e.msg, "no Landlock"),
	   "--allow-connect without Landlock is an error: %s", e.msg);
	ok(landlock_plan_for_abi(&c, 4, &p, &e) == 0 && p.net == 2, "ABI 4: connect rules");
	c.allow_bind = &port;
	c.n_allow_bind = 1;
	ok(landlock_plan_for_abi(&c, 4, &p, &e) == 0 && p.net == 3, "... and bind rules");

	c = (struct sbx_config){ .allow_userns = true };
	ok(landlock_plan_for_abi(&c, 7, &p, &e) == 0 && !p.fs && p.scoped,
	   "--allow-userns: no filesystem rules (they forbid mounting), scoping stays");
	c = (struct sbx_config){ .cap_add = UINT64_C(1) << 21 };
	ok(landlock_plan_for_abi(&c, 7, &p, &e) == 0 && !p.fs, "--cap-add SYS_ADMIN: the same");

	test_parse_mount();
	return tap_done();
}
