/* syscall_filter.c - the command's filter: which one (default, profile or
 * none), loading it, and explaining an end it caused */
#include "autoconf.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_default.h"
#include "seccomp_lib.h"
#include "seccomp_profile.h"
#include "syscall_filter.h"
#include "util.h"

/* What the kernel would answer @name on the native ABI: the strictest of
 * every program's answer, as it runs them all. */
static uint32_t native_verdict(const struct syscall_filter *f, const char *name)
{
	struct seccomp_data d = { .arch = seccomp_lib_audit_arch(seccomp_arch_native()) };
	int nr = seccomp_syscall_resolve_name(name);
	uint32_t best = SECCOMP_RET_ALLOW;

	if (nr < 0)
		return SECCOMP_RET_ALLOW;
	d.nr = nr;
	for (size_t i = 0; i < f->n_progs; i++) {
		uint32_t r = seccomp_lib_run(&f->progs[i], &d);
		if ((int32_t)(r & SECCOMP_RET_ACTION_FULL) < (int32_t)(best & SECCOMP_RET_ACTION_FULL))
			best = r;
	}
	return best;
}

static bool refused(uint32_t verdict)
{
	uint32_t action = verdict & SECCOMP_RET_ACTION_FULL;

	return action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG;
}

/* The fault glibc's _exit() ends in when exit_group and exit both fail
 * (ABORT_INSTRUCTION): `hlt` on x86, `brk` on arm64; elsewhere unknown. */
#if defined(__x86_64__) || defined(__i386__)
#define LIBC_EXIT_FAULT SIGSEGV
#elif defined(__aarch64__)
#define LIBC_EXIT_FAULT SIGTRAP
#else
#define LIBC_EXIT_FAULT 0
#endif

/* Whether @verdict ends the calling thread or process with SIGSYS. */
static bool kills(uint32_t verdict)
{
	uint32_t action = verdict & SECCOMP_RET_ACTION_FULL;

	return action == SECCOMP_RET_KILL_PROCESS || action == SECCOMP_RET_KILL_THREAD ||
	       action == SECCOMP_RET_TRAP;
}

/* A profile that refuses exit_group leaves glibc's _exit() exit() (one
 * thread) and then a deliberate fault; say so before, and remember the
 * signal that then ends the command, to explain that end and no other
 * (syscall_filter_explain_end()). */
static void note_no_exit(const struct sbx_config *c, struct syscall_filter *f)
{
	uint32_t group = native_verdict(f, "exit_group"), single = native_verdict(f, "exit");

	if (kills(group)) {
		f->no_exit = "exit_group";
		f->no_exit_signal = SIGSYS;
		syscall_filter_add_warning(f, "--seccomp %s: the profile kills the command on exit_group: it can only end by SIGSYS",
					   c->seccomp_profile);
	} else if (!refused(group)) {
		return;
	} else if (refused(single)) {
		f->no_exit = "exit_group and exit";
		f->no_exit_signal = kills(single) ? SIGSYS : LIBC_EXIT_FAULT;
		syscall_filter_add_warning(f, "--seccomp %s: the profile denies exit_group and exit: the command can only end by a signal",
					   c->seccomp_profile);
	} else {
		/* A one-thread command exits through exit(); several threads
		 * never end, but no signal comes of it. */
		f->no_exit = "exit_group";
		syscall_filter_add_warning(f, "--seccomp %s: the profile denies exit_group: a command with several threads cannot end",
					   c->seccomp_profile);
	}
}

int syscall_filter_build(const struct sbx_config *c, struct syscall_filter *ret,
			 struct sbx_error *e)
{
	unsigned variant = seccomp_default_variant(c);
	int r;

	memset(ret, 0, sizeof(*ret));
	switch (c->seccomp) {
	case SBX_SECCOMP_UNCONFINED:
		return 0;
	case SBX_SECCOMP_PROFILE:
		r = seccomp_profile_build_file(c, c->seccomp_profile, ret, e);
		if (r == 0)
			note_no_exit(c, ret);
		return r;
	case SBX_SECCOMP_DEFAULT:
		break;
	}
	if (seccomp_default_precompiled(variant, ret) < 0) {
		r = seccomp_default_compile(variant, ret, e);
		if (r < 0)
			return r;
	}
	/* A failure leaves the two programs, which say the same. */
	(void)seccomp_default_merge(ret);
	return 0;
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

bool syscall_filter_explain_end(const struct syscall_filter *f, int status, char *buf, size_t len)
{
	int sig = status - 128;
	const char *name;

	/* Only the signal the refusal brings: a command killed otherwise
	 * (SIGKILL, ^C), or one that exits with 128+N, is not the profile's. */
	if (!f->no_exit || !f->no_exit_signal || sig != f->no_exit_signal)
		return false;
	name = sigabbrev_np(sig);
	snprintf(buf, len, "the command was killed by SIG%s; the seccomp profile denies %s",
		 name ? name : "?", f->no_exit);
	return true;
}
