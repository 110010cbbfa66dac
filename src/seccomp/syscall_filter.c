/* syscall_filter.c - the command's filter: which one (default, profile or
 * none), loading it, and explaining an end it caused */
#include "autoconf.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_default.h"
#include "seccomp_lib.h"
#include "seccomp_profile.h"
#include "syscall_filter.h"
#include "util.h"

void syscall_filter_add_warning(struct syscall_filter *f, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	f->warnings = xreallocarray(f->warnings, f->n_warnings + 1, sizeof(char *));
	f->warnings[f->n_warnings++] = line;
}

void syscall_filter_describe_archs(struct syscall_filter *f, const uint32_t *archs, size_t n)
{
	size_t len = 0;

	f->archs[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(f->archs); i++)
		len += (size_t)snprintf(f->archs + len, sizeof(f->archs) - len, "%s%s",
					i ? "," : "", seccomp_lib_arch_name(archs[i]));
}

int syscall_filter_build(const struct sbx_config *c, struct syscall_filter *ret,
			 struct sbx_error *e)
{
	unsigned variant = seccomp_default_variant(c);

	memset(ret, 0, sizeof(*ret));
	switch (c->seccomp) {
	case SBX_SECCOMP_UNCONFINED:
		return 0;
	case SBX_SECCOMP_PROFILE:
		return seccomp_profile_build_file(c, c->seccomp_profile, ret, e);
	case SBX_SECCOMP_DEFAULT:
		break;
	}
	if (seccomp_default_precompiled(variant, ret) == 0)
		return 0;
	return seccomp_default_compile(variant, ret, e);
}

/* The signals a fault raises. Once the filter is loaded, sbx's own code only
 * runs if execve() fails; a filter that refuses exit_group and exit leaves
 * glibc's _exit() nothing but `hlt`, and its SIGSEGV must end the process,
 * not enter a handler (ASan's would retry exit_group forever, at 100% CPU).
 * execve() resets handled signals to their default anyway. */
static void default_fault_handlers(void)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS };
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (size_t i = 0; i < ARRAY_SIZE(faults); i++)
		sigaction(faults[i], &dfl, NULL);
}

int syscall_filter_load(const struct syscall_filter *f, struct sbx_error *e)
{
	if (f->n_progs)
		default_fault_handlers();
	for (size_t i = 0; i < f->n_progs; i++)
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->load_flags, &f->progs[i]) < 0)
			return sbx_error_set(e, errno, "cannot install the seccomp filter");
	return 0;
}

void syscall_filter_release(struct syscall_filter *f)
{
	for (size_t i = 0; i < f->n_progs; i++)
		free(f->progs[i].filter);
	for (size_t i = 0; i < f->n_warnings; i++)
		free(f->warnings[i]);
	free(f->warnings);
	memset(f, 0, sizeof(*f));
}

bool syscall_filter_explain_end(const struct syscall_filter *f, int status, char *buf, size_t len)
{
	int sig = status - 128;
	const char *name;

	if (!f->no_exit || sig <= 0 || sig >= 65)
		return false;
	name = sigabbrev_np(sig);
	snprintf(buf, len, "the command was killed by SIG%s; the seccomp profile denies %s",
		 name ? name : "?", f->no_exit);
	return true;
}
