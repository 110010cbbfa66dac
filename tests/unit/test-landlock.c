/* test-landlock - what sbx asks Landlock for on each kernel ABI */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>

#include "config.h"
#include "landlock.h"
#include "tap.h"

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
	return tap_done();
}
