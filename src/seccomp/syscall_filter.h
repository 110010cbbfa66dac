/* syscall_filter.h - the command's system-call filter: built by sbx, loaded before exec */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"

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
 * @no_exit:	the filter refuses exit_group (and maybe exit) on the native
 *		ABI: "exit_group", "exit_group and exit" or NULL
 * @no_exit_signal: the signal that refusal ends the command with (SIGSYS
 *		for a kill or trap action, the C library's fault when both
 *		calls fail), or 0 when it brings none (exit() still works)
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
	const char *no_exit;
	int no_exit_signal;
};

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
 * syscall_filter_describe_archs() - name @archs in @f->archs ("x86_64,x86,x32")
 */
void syscall_filter_describe_archs(struct syscall_filter *f, const uint32_t *archs, size_t n);

/**
 * syscall_filter_explain_end() - why the command ended as it did, when the
 *				  filter is the likely reason
 * @status:	sbx's exit status for the sandbox (128+N: killed by signal N)
 * @buf:	filled with one line (without "sbx: ") when the return is true
 *
 * A filter that refuses exit_group and exit leaves a command's libc no way
 * out but a deliberate fault (glibc's _exit ends in `hlt`: SIGSEGV), which
 * looks like a crash; one that kills on exit_group ends every command by
 * SIGSYS. Only a death by that very signal is explained. Called by the
 * supervisor's caller once the sandbox has ended.
 * Return: whether @buf holds an explanation to print
 */
bool syscall_filter_explain_end(const struct syscall_filter *f, int status, char *buf, size_t len);
