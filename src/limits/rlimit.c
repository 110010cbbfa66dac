/* rlimit.c - --pids and --memory without cgroup v2: per-process resource limits */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "rlimit.h"

bool rlimit_nproc_per_userns(const char *release)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (!release) {
		if (uname(&u) < 0)
			return false;
		release = u.release;
	}
	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 5 || (major == 5 && minor >= 14);
}

static int set_both(int resource, rlim_t value)
{
	struct rlimit old, rl = { .rlim_cur = value, .rlim_max = value };

	/* Never above a hard limit the caller already had. */
	if (getrlimit(resource, &old) == 0 && old.rlim_max != RLIM_INFINITY && old.rlim_max < value)
		rl.rlim_cur = rl.rlim_max = old.rlim_max;
	return setrlimit(resource, &rl) < 0 ? -errno : 0;
}

int rlimit_apply(unsigned long pids, unsigned long long memory, struct sbx_error *e)
{
	int r;

	if (pids) {
		r = set_both(RLIMIT_NPROC, pids);
		if (r < 0)
			return sbx_error_set(e, r, "--pids: setrlimit(RLIMIT_NPROC)");
	}
	/* RLIMIT_DATA (Linux 4.7: every private writable mapping, so malloc's
	 * mmap()s too), not RLIMIT_AS, which also counts the address space
	 * that runtimes reserve without using it (Go, the JVM, sanitizers). */
	if (memory) {
		r = set_both(RLIMIT_DATA, memory);
		if (r < 0)
			return sbx_error_set(e, r, "--memory: setrlimit(RLIMIT_DATA)");
	}
	return 0;
}
