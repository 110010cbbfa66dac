/* seccomp_lib.h - libseccomp helpers every filter in sbx shares: the command's
 * (default or profile) and the network helper's allow-lists */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Room for the largest ABI family (x86-64: x86-64, i386, x32). */
#define SECCOMP_LIB_MAX_ARCHS 4

/**
 * seccomp_lib_allow_list() - add an unconditional ALLOW rule for each of @nrs
 *			      (for the allow-list filters of sbx's own helpers)
 * Return: 0 or a negative libseccomp error
 */
int seccomp_lib_allow_list(scmp_filter_ctx ctx, const int *nrs, size_t n);

/**
 * seccomp_lib_allow_ip_sockets() - allow socket() for AF_INET and AF_INET6 only:
 *				    no unix (abstract names escape a mount view),
 *				    no netlink, no packet sockets
 * Return: 0 or a negative libseccomp error
 */
int seccomp_lib_allow_ip_sockets(scmp_filter_ctx ctx);

/**
 * seccomp_lib_allow_arg1_in() - allow system call @nr when its second
 *				 argument is one of @values (fcntl commands,
 *				 ioctl requests)
 * Return: 0 or a negative libseccomp error
 */
int seccomp_lib_allow_arg1_in(scmp_filter_ctx ctx, int nr, const scmp_datum_t *values, size_t n);

/**
 * seccomp_lib_allow_helper_basics() - what every locked-down helper of sbx
 *				       may do with files and memory: openat()
 *				       for reading only (no O_CREAT, O_TRUNC), mmap()/mprotect()
 *				       without PROT_EXEC
 * Return: 0 or a negative libseccomp error
 */
int seccomp_lib_allow_helper_basics(scmp_filter_ctx ctx);

/**
 * seccomp_lib_load_allow_list() - load an allow-list filter (anything else
 *				   fails with EPERM) whose rules @add_rules adds
 * @who:	the process, for the error line ("network helper")
 * Return: 0 or -errno with @e filled
 */
int seccomp_lib_load_allow_list(int (*add_rules)(scmp_filter_ctx ctx), const char *who,
				struct sbx_error *e);

/**
 * seccomp_lib_export() - turn a libseccomp filter into a BPF program in memory
 * @ret:	->filter is heap memory owned by the caller
 * Return: 0 or -errno with @e filled
 */
int seccomp_lib_export(scmp_filter_ctx ctx, struct sock_fprog *ret, struct sbx_error *e);

/**
 * seccomp_lib_arch_family() - the architectures a kernel of the native one can run
 * @ret_archs:	filled with SCMP_ARCH_* tokens, native first
 * @max:	room in @ret_archs
 *
 * On x86-64 that is x86-64, i386 (int 0x80) and x32; on arm64 also arm. A
 * filter must cover all of them, or a process could reach the kernel through
 * the syscall numbers of an ABI nobody checks.
 *
 * Return: the number of tokens stored
 */
size_t seccomp_lib_arch_family(uint32_t *ret_archs, size_t max);

/**
 * seccomp_lib_arch_name() - a short name for an SCMP_ARCH_* token ("x86_64", "x86"...)
 */
const char *seccomp_lib_arch_name(uint32_t arch);

/**
 * seccomp_lib_audit_arch() - what the kernel puts in seccomp_data.arch for an
 *			      SCMP_ARCH_* token (x32 shares x86-64's, its
 *			      numbers carry __X32_SYSCALL_BIT instead)
 */
uint32_t seccomp_lib_audit_arch(uint32_t arch);

/**
 * seccomp_lib_run() - evaluate a classic-BPF seccomp program as the kernel would
 * @prog:	a program sbx made (libseccomp's or hand-written)
 * @d:		the call to judge
 *
 * For questions about a compiled filter ("does this profile let the
 * command exit?"), which libseccomp cannot answer once rules are merged.
 * Return: the SECCOMP_RET_* value, or SECCOMP_RET_KILL_PROCESS for an
 *	   instruction the interpreter does not know
 */
uint32_t seccomp_lib_run(const struct sock_fprog *prog, const struct seccomp_data *d);
