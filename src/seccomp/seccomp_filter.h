/* seccomp_filter.h - the command's system-call filter: built by sbx, loaded before exec */
#pragma once

#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SYSCALL_FILTER_MAX_PROGS 2

/**
 * struct syscall_filter - compiled BPF programs the command loads, in order
 * @progs:	classic BPF programs, ready for seccomp(SECCOMP_SET_MODE_FILTER)
 * @n_progs:	0 with --seccomp unconfined
 * @warnings:	problems the user should see (e.g. unknown syscall names in a
 *		profile); printed by the caller, never by this module
 * @n_warnings:	entries in @warnings
 * @load_flags:	SECCOMP_FILTER_FLAG_* for every program (a profile's "flags")
 * @archs:	human-readable list of the architectures the filter covers
 *
 * Everything is compiled in sbx before the clone, so a bad profile is reported
 * before anything starts and the command only has to hand the kernel a buffer
 * that the clone copied into its address space.
 */
struct syscall_filter {
	struct sock_fprog progs[SYSCALL_FILTER_MAX_PROGS];
	size_t n_progs;
	char **warnings;
	size_t n_warnings;
	unsigned load_flags;
	char archs[64];
};

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
 * seccomp_allow_list() - add an unconditional ALLOW rule for each of @nrs
 *			  (for the allow-list filters of sbx's own helpers)
 * Return: 0 or a negative libseccomp error
 */
int seccomp_allow_list(scmp_filter_ctx ctx, const int *nrs, size_t n);

/**
 * seccomp_allow_ip_sockets() - allow socket() for AF_INET and AF_INET6 only:
 *				no unix (abstract names escape a mount view),
 *				no netlink, no packet sockets
 * Return: 0 or a negative libseccomp error
 */
int seccomp_allow_ip_sockets(scmp_filter_ctx ctx);

/**
 * seccomp_default_variant() - the default filter's variant for @c's options
 */
unsigned seccomp_default_variant(const struct sbx_config *c);

/**
 * seccomp_default_compile() - generate the default filter's programs with
 *			       libseccomp (what seccomp-gen does at build time)
 * Return: 0 or -errno with @e filled
 */
int seccomp_default_compile(unsigned variant, struct syscall_filter *ret, struct sbx_error *e);

/**
 * syscall_filter_build() - compile the filter @c asks for (default, profile or none)
 * @ret:	filled; release with syscall_filter_release() in every case
 * Return: 0 or -errno with @e filled (a bad profile is exit 125)
 */
int syscall_filter_build(const struct sbx_config *c, struct syscall_filter *ret,
			 struct sbx_error *e);

/**
 * syscall_filter_load() - install @f's programs on the calling thread
 *
 * Needs no_new_privs (or CAP_SYS_ADMIN in the user namespace). It must be the
 * last step before execve(): from here on the caller itself is filtered.
 * Return: 0 or -errno with @e filled
 */
int syscall_filter_load(const struct syscall_filter *f, struct sbx_error *e);

/**
 * syscall_filter_release() - free what syscall_filter_build() allocated
 */
void syscall_filter_release(struct syscall_filter *f);

/**
 * syscall_filter_add_warning() - append a printf-formatted line to @f->warnings
 */
void syscall_filter_add_warning(struct syscall_filter *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * seccomp_tty_guard_build() - append a program refusing ioctl TIOCSTI/TIOCLINUX
 *
 * Part of the default filter; added on its own under a --seccomp profile,
 * because sbx's terminal safety depends on it, not on the profile.
 * Return: 0 or -errno with @e filled
 */
int seccomp_tty_guard_build(struct syscall_filter *f, struct sbx_error *e);

/**
 * seccomp_arch_family() - the architectures a kernel of the native one can run
 * @ret_archs:	filled with SCMP_ARCH_* tokens, native first
 * @max:	room in @ret_archs
 *
 * On x86-64 that is x86-64, i386 (int 0x80) and x32; on arm64 also arm. A
 * filter must cover all of them, or a process could reach the kernel through
 * the syscall numbers of an ABI nobody checks.
 *
 * Return: the number of tokens stored
 */
size_t seccomp_arch_family(uint32_t *ret_archs, size_t max);

/**
 * seccomp_ctx_export() - turn a libseccomp filter into a BPF program in memory
 * @ret:	->filter is heap memory owned by the caller
 * Return: 0 or -errno with @e filled
 */
int seccomp_ctx_export(scmp_filter_ctx ctx, struct sock_fprog *ret, struct sbx_error *e);

/**
 * seccomp_arch_name() - a short name for an SCMP_ARCH_* token ("x86_64", "x86"...)
 */
const char *seccomp_arch_name(uint32_t arch);
