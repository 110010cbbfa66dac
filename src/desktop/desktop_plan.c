/* desktop_plan.c - what the desktop resources add to the sandbox's plan
 *
 * The resource modules (x11.c, wayland.c, audio.c, gpu.c, gui.c,
 * dbus_proxy.c) add view operations and variables to the config through
 * these, as the user's own --bind and --setenv would, and lines for main to
 * print; desktop.c calls the modules in order. They call this file and
 * nothing of desktop.c, so calls go one way: desktop.c -> modules -> here.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "desktop_plan.h"
#include "util.h"

static struct sbx_mount_spec *add_op(struct sbx_config *c, enum sbx_mount_kind kind,
				     const char *dest)
{
	struct sbx_mount_spec *m;

	c->mounts = xreallocarray(c->mounts, c->n_mounts + 1, sizeof(*c->mounts));
	m = &c->mounts[c->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	/* The option error messages name: these come from the desktop ones. */
	m->option = "gui";
	m->fd = -1;
	m->mode = 0755;
	m->dest = xstrdup(dest);
	return m;
}

char *desktop_plan_runtime_dir(struct sbx_config *c)
{
	char *dir = xasprintf("/run/user/%u", (unsigned)c->uid);

	for (size_t i = 0; i < c->n_mounts; i++)
		if (c->mounts[i].kind == SBX_MOUNT_TMPFS && c->mounts[i].option &&
		    strcmp(c->mounts[i].option, "gui") == 0 && strcmp(c->mounts[i].dest, dir) == 0)
			return dir;
	/* Its own tmpfs, 0700 like the host's: no host socket of the real
	 * runtime directory is visible but the ones bound into it. */
	add_op(c, SBX_MOUNT_TMPFS, dir)->mode = 0700;
	desktop_plan_setenv(c, "XDG_RUNTIME_DIR", dir);
	return dir;
}

void desktop_plan_add_bind(struct sbx_config *c, enum sbx_mount_kind kind, const char *src,
			   const char *dest, bool try_src)
{
	struct sbx_mount_spec *m = add_op(c, kind, dest);

	m->src = xstrdup(src);
	m->try_src = try_src;
}

void desktop_plan_add_tmpfs(struct sbx_config *c, const char *dest, mode_t mode)
{
	add_op(c, SBX_MOUNT_TMPFS, dest)->mode = mode;
}

void desktop_plan_add_symlink(struct sbx_config *c, const char *target, const char *dest)
{
	add_op(c, SBX_MOUNT_SYMLINK, dest)->src = xstrdup(target);
}

int desktop_plan_add_file(struct sbx_config *c, struct desktop_run *run, const char *dest,
			  const void *data, size_t len, struct sbx_error *e)
{
	_cleanup_close_ int fd = -1;
	struct sbx_mount_spec *m;
	int r;

	if (run->n_fds >= DESKTOP_MAX_FDS)
		return sbx_error_set(e, EMFILE, "too many desktop files");
	fd = memfd_create("sbx-desktop", MFD_CLOEXEC);
	if (fd < 0)
		return sbx_error_set(e, errno, "memfd_create");
	r = write_all(fd, data, len);
	if (r < 0)
		return sbx_error_set(e, r, "cannot write %s", dest);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return sbx_error_set(e, errno, "lseek");
	m = add_op(c, SBX_MOUNT_FILE, dest);
	m->mode = 0600;
	m->fd = fd;
	run->fds[run->n_fds++] = TAKE_FD(fd);
	return 0;
}

void desktop_plan_setenv(struct sbx_config *c, const char *name, const char *value)
{
	struct sbx_env_op *op;

	c->env_ops = xreallocarray(c->env_ops, c->n_env_ops + 1, sizeof(*c->env_ops));
	op = &c->env_ops[c->n_env_ops++];
	op->name = xstrdup(name);
	op->value = value ? xstrdup(value) : NULL;
}

const char *desktop_plan_host_runtime_dir(void)
{
	const char *d = getenv("XDG_RUNTIME_DIR");

	return d && d[0] == '/' ? d : NULL;
}

static __attribute__((format(printf, 3, 0))) void add_line(char **lines, size_t *n, const char *fmt,
								  va_list ap)
{
	char *s;

	if (*n >= DESKTOP_MAX_LINES || vasprintf(&s, fmt, ap) < 0)
		return;
	lines[(*n)++] = s;
}

void desktop_plan_warn(struct desktop_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(run->warnings, &run->n_warnings, fmt, ap);
	va_end(ap);
}

void desktop_plan_note(struct desktop_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(run->notes, &run->n_notes, fmt, ap);
	va_end(ap);
}
