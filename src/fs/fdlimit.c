/* fdlimit.c - the open-file limit while the view's bind sources are held */
#include "autoconf.h"

#include <errno.h>
#include <sys/resource.h>

#include "fdlimit.h"

void fdlimit_raise(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim); /* fs.nr_open below it: EMFILE says so later */
	}
}

int fdlimit_bind_error(const struct sbx_mount_spec *m, struct sbx_error *e)
{
	struct rlimit lim = { 0 };

	getrlimit(RLIMIT_NOFILE, &lim);
	sbx_error_set(e, 0, "--%s %s: more binds than the open-file limit allows (ulimit -Hn: %llu)",
		      m->option, m->src, (unsigned long long)lim.rlim_max);
	return -EMFILE;
}
