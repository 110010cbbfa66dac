/* seccomp_default.h - sbx's default system-call filter: what it refuses, its
 * variants, and the hand-written program libseccomp cannot express */
#pragma once

#include "config.h"
#include "error.h"
#include "syscall_filter_set.h"

/* Which of the default filter's escape hatches are open: the default filter
 * exists in SECCOMP_DEFAULT_VARIANTS versions, one per combination. */
enum {
	SECCOMP_VARIANT_SYS_ADMIN = 1,	/* --cap-add SYS_ADMIN: mount family allowed */
	SECCOMP_VARIANT_SYS_CHROOT = 2, /* --cap-add SYS_CHROOT: chroot allowed */
	SECCOMP_VARIANT_IO_URING = 4,	/* --allow-io-uring */
	SECCOMP_VARIANT_USERNS = 8,	/* --allow-userns */
	SECCOMP_DEFAULT_VARIANTS = 16,
};

/**
 * seccomp_default_variant() - the default filter's variant for @c's options
 */
unsigned seccomp_default_variant(const struct sbx_config *c);

/**
 * seccomp_default_compile() - generate the default filter's programs with
 *			       libseccomp (what seccomp-gen does at build time)
 * @ret:	two programs: libseccomp's rules, then the hand-written one
 *		(numbers past the build's tables, personality())
 * Return: 0 or -errno with @e filled
 */
int seccomp_default_compile(unsigned variant, struct syscall_filter *ret, struct sbx_error *e);

/**
 * seccomp_default_precompiled() - copy the programs seccomp-gen compiled for
 *				   @variant when sbx was built
 * Return: 0, or -ENOENT when there are none for this machine (compile instead)
 */
int seccomp_default_precompiled(unsigned variant, struct syscall_filter *ret);

/**
 * seccomp_default_merge() - make the two programs of the default filter
 *			     (seccomp_default_compile() or _precompiled()) one
 *			     with the same answers, loaded with one seccomp()
 * Return: 0, or -EINVAL / -E2BIG (then @f is unchanged: load both)
 */
int seccomp_default_merge(struct syscall_filter *f);

/**
 * seccomp_default_tty_guard() - append a program refusing ioctl TIOCSTI/TIOCLINUX
 *
 * Part of the default filter; added on its own under a --seccomp profile,
 * because sbx's terminal safety depends on it, not on the profile.
 * Return: 0 or -errno with @e filled
 */
int seccomp_default_tty_guard(struct syscall_filter *f, struct sbx_error *e);

/**
 * seccomp_default_known_max() - the highest system call number of @arch's
 *				 main table that libseccomp knows (at build time,
 *				 in seccomp-gen), or -1
 *
 * Every number above the highest known one of its range answers ENOSYS under
 * the default filter: a call the kernel added after sbx was built cannot have
 * been judged by its deny-list.
 */
long seccomp_default_known_max(uint32_t arch);
