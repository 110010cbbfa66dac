/* syscall_filter.h - the command's system-call filter: built by sbx, loaded before exec */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "error.h"
#include "syscall_filter_set.h"

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
