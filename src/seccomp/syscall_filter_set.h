/* syscall_filter_set.h - the compiled programs of a filter and their notes:
 * what the default filter's and a profile's builders fill, and the rest of
 * sbx loads (syscall_filter.h) */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
