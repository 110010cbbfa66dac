/* apparmor.c - Ubuntu's AppArmor restriction of unprivileged user namespaces:
 * read its sysctl and turn the EACCES it causes into one line saying what to do */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "apparmor.h"
#include "util.h"

int apparmor_userns_restricted(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[32];
	unsigned long v;
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_uint(buf, 0xffffffffUL, &v) < 0)
		return -EINVAL;
	return v != 0;
}

const char *apparmor_userns_hint(int err, int restricted)
{
	if (err < 0)
		err = -err;
	/* The LSM hook (security_create_user_ns) refuses with EACCES; max
	 * user namespaces reached or disabled gives ENOSPC or EPERM. */
	if (err != EACCES)
		return NULL;
	if (restricted > 0)
		return "AppArmor restricts unprivileged user namespaces here "
		       "(kernel.apparmor_restrict_unprivileged_userns=1): install sbx's "
		       "profile (/etc/apparmor.d/sbx, from make install or the package) and load it "
		       "with `sudo apparmor_parser -r /etc/apparmor.d/sbx`";
	return "a security module refused to create the user namespace (EACCES): "
	       "check its policy (AppArmor: a profile granting `userns,`; run `sbx doctor`)";
}
