/* test-apparmor - detecting Ubuntu's AppArmor user-namespace restriction
 * (kernel.apparmor_restrict_unprivileged_userns) and the hint for its EACCES */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apparmor.h"
#include "tap.h"

static char dir[] = "/tmp/test-apparmor.XXXXXX";

/* The sysctl file holding @text (NULL: no such file). */
static int restricted_with(const char *text)
{
	char path[64];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/sysctl", dir);
	unlink(path);
	if (text) {
		f = fopen(path, "w");
		if (!f)
			return -999;
		fputs(text, f);
		fclose(f);
	}
	r = apparmor_userns_restricted(path);
	unlink(path);
	return r;
}

int main(void)
{
	const char *h;

	if (!mkdtemp(dir))
		return 99;
	ok(restricted_with("1\n") == 1, "sysctl 1: restricted");
	ok(restricted_with("0\n") == 0, "sysctl 0: not restricted");
	ok(restricted_with("2\n") == 1, "any other number: restricted");
	ok(restricted_with(NULL) == 0, "no sysctl (kernel without the restriction): not restricted");
	ok(restricted_with("yes\n") == -EINVAL, "not a number: -EINVAL");
	ok(restricted_with("") == -EINVAL, "empty: -EINVAL");

	/* The error path: what sbx says when creating the namespace fails. */
	h = apparmor_userns_hint(-EACCES, 1);
	ok(h && strstr(h, "kernel.apparmor_restrict_unprivileged_userns=1") && strstr(h, "/etc/apparmor.d/sbx") &&
		   strstr(h, "apparmor_parser -r"),
	   "EACCES with the restriction on: names the sysctl, the profile and how to load it");
	ok(h && !strchr(h, '\n'), "the hint is one line");
	h = apparmor_userns_hint(EACCES, 0);
	ok(h && strstr(h, "security module") && !strstr(h, "=1"),
	   "EACCES without the restriction: a security module, not the sysctl");
	ok(apparmor_userns_hint(-ENOSPC, 1) == NULL, "ENOSPC (max_user_namespaces): not AppArmor's");
	ok(apparmor_userns_hint(-EPERM, 1) == NULL, "EPERM: not AppArmor's");
	rmdir(dir);
	return tap_done();
}
