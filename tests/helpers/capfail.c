/* capfail.so - an LD_PRELOAD shim for tests/integration/pid1.sh: capset()
 * fails with EPERM in the process whose pid is 1 (the sandbox's pid 1 in its
 * own pid namespace), as a kernel or security module refusing it would.
 * Everywhere else it is the C library's. It interposes capset() rather than
 * libcap's cap_set_proc(): sbx may carry libcap linked in (--enable-static-deps),
 * and libcap calls the C library's capset(). Built for the tests only, never
 * installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/capability.h>
#include <unistd.h>

int capset(cap_user_header_t hdrp, const cap_user_data_t datap);

int capset(cap_user_header_t hdrp, const cap_user_data_t datap)
{
	int (*real)(cap_user_header_t, const cap_user_data_t);

	if (getpid() == 1) {
		errno = EPERM;
		return -1;
	}
	real = (int (*)(cap_user_header_t, const cap_user_data_t))dlsym(RTLD_NEXT, "capset");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(hdrp, datap);
}
