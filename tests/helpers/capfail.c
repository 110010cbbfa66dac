/* capfail.so - an LD_PRELOAD shim for tests/integration/pid1.sh: cap_set_proc()
 * fails with EPERM in the process whose pid is 1 (the sandbox's pid 1 in its
 * own pid namespace), as a kernel or security module refusing capset() would.
 * Everywhere else it is libcap's. Built for the tests only, never installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/capability.h>
#include <unistd.h>

int cap_set_proc(cap_t caps)
{
	int (*real)(cap_t);

	if (getpid() == 1) {
		errno = EPERM;
		return -1;
	}
	real = (int (*)(cap_t))dlsym(RTLD_NEXT, "cap_set_proc");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(caps);
}
