/* syscall_filter_set.c - the compiled programs of a filter: warnings,
 * architectures, release */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_lib.h"
#include "syscall_filter_set.h"
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

void syscall_filter_release(struct syscall_filter *f)
{
	for (size_t i = 0; i < f->n_progs; i++)
		free(f->progs[i].filter);
	for (size_t i = 0; i < f->n_warnings; i++)
		free(f->warnings[i]);
	free(f->warnings);
	memset(f, 0, sizeof(*f));
}
