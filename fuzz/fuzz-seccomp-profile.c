/* fuzz-seccomp-profile - libFuzzer target: a Docker/OCI JSON seccomp profile
 * through json-c, the rule builder and the BPF export (never loaded). */
#include "autoconf.h"

#include <stdint.h>

#include "syscall_filter.h"
#include "seccomp_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syscall_filter f = { 0 };
	struct sbx_error e = { 0 };

	seccomp_profile_build((const char *)data, size, UINT64_C(1) << 21, "fuzz", &f, &e);
	syscall_filter_release(&f);
	return 0;
}
