/* seccomp_profile.h - Docker/OCI JSON seccomp profiles -> BPF */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "syscall_filter_set.h"

/* A profile larger than this is not a seccomp profile (Docker's is ~25 KiB). */
#define SECCOMP_PROFILE_MAX_BYTES (4 << 20)
/* libseccomp's time grows with the square of the rule count (19,200 argument
 * rules: 42 s), and with repeated names even a small file expands to many:
 * system call names in all the entries, distinct rules per ABI, and those
 * with argument comparisons per ABI (1,024 on one call compile in ~1 s). */
#define PROFILE_MAX_NAMES 16384
#define PROFILE_MAX_RULES 4096
#define PROFILE_MAX_ARG_RULES 1024

/**
 * seccomp_profile_build() - compile the JSON profile in @text into @f
 * @text:	the profile, @len bytes (need not be NUL-terminated)
 * @caps:	capabilities the command keeps (bit N: capability N), for the
 *		profile's "includes"/"excludes" "caps" conditions
 * @source:	what to call the profile in messages (its path)
 * @f:		initialised (zeroed) filter; gets the profile's program plus the
 *		terminal guard (TIOCSTI/TIOCLINUX), which a profile cannot lift
 *
 * Understands what Docker and podman accept: defaultAction/defaultErrnoRet,
 * architectures and archMap, syscalls[] with name or names, action,
 * errnoRet, args (index, value, valueTwo, op) and includes/excludes (caps,
 * arches, minKernel), flags. Unknown syscall names become warnings in @f.
 *
 * Return: 0 or -errno with @e filled: malformed JSON names line and column
 */
int seccomp_profile_build(const char *text, size_t len, uint64_t caps, const char *source,
			  struct syscall_filter *f, struct sbx_error *e);

/**
 * seccomp_profile_build_file() - read @path (bounded) and seccomp_profile_build() it
 * Return: 0 or -errno with @e filled
 */
int seccomp_profile_build_file(const struct sbx_config *c, const char *path,
			       struct syscall_filter *f, struct sbx_error *e);
