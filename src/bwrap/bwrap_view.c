/* bwrap_view.c - bubblewrap's file-system options into sbx's view
 * operations (src/fs/), in command-line order */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bwrap_view.h"
#include "util.h"
#include "viewspec.h"

static char *absolute(const struct sbx_config *c, const char *path)
{
	if (path[0] == '/' || !c->cwd)
		return xstrdup(path);
	return xasprintf("%s/%s", c->cwd, path);
}

static mode_t default_mode(enum sbx_mount_kind kind)
{
	if (kind == SBX_MOUNT_FILE)
		return 0666;
	if (kind == SBX_MOUNT_BIND_DATA || kind == SBX_MOUNT_RO_BIND_DATA)
		return 0600;
	return 0755;
}

static int add_op(struct sbx_config *c, enum sbx_mount_kind kind, const char *option,
		  const char *dest, struct sbx_mount_spec **ret, struct sbx_error *e)
{
	struct sbx_view_pending *p = &c->view_pending;
	struct sbx_mount_spec *m;

	*ret = NULL;
	if (p->has_perms && !viewspec_takes_perms(kind))
		return sbx_error_set(e, 0, "--perms must be followed by an option that creates a file");
	if (p->size && kind != SBX_MOUNT_TMPFS)
		return sbx_error_set(e, 0, "--size must be followed by --tmpfs");
	m = viewspec_new_op(c, kind, option);
	m->dest = bwrap_option_sandbox_path(dest);
	m->mode = p->has_perms ? p->perms : default_mode(kind);
	m->size = p->size;
	p->has_perms = false;
	p->size = 0;
	*ret = m;
	return 0;
}

int bwrap_view_bind(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e)
{
	static const enum sbx_mount_kind kinds[] = { SBX_MOUNT_BIND, SBX_MOUNT_RO_BIND,
						     SBX_MOUNT_DEV_BIND };
	struct sbx_mount_spec *m;
	int r = add_op(c, kinds[opt->data & 3], opt->name + 2, args[1], &m, e);

	(void)o;
	if (r < 0)
		return r;
	m->src = absolute(c, args[0]);
	m->try_src = opt->data & 4;
	return 0;
}

int bwrap_view_bind_fd(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		       char **args, struct sbx_error *e)
{
	struct sbx_mount_spec *m;
	char link[64], path[PATH_MAX];
	ssize_t n;
	int fd, r = bwrap_option_used_fd(opt->name, args[0], &fd, e);

	(void)o;
	if (r == 0)
		r = add_op(c, opt->data ? SBX_MOUNT_RO_BIND : SBX_MOUNT_BIND, opt->name + 2, args[1],
			   &m, e);
	if (r < 0)
		return r;
	/* A mount of another mount namespace cannot be cloned from its fd:
	 * bind the path it has here (bwrap does the same). */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return sbx_error_set(e, errno, "Can't resolve %s fd %d", opt->name, fd);
	path[n] = '\0';
	m->src = xstrdup(path);
	return 0;
}

int bwrap_view_dest(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e)
{
	struct sbx_mount_spec *m;

	(void)o;
	return add_op(c, (enum sbx_mount_kind)opt->data, opt->name + 2, args[0], &m, e);
}

int bwrap_view_fd_dest(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		       char **args, struct sbx_error *e)
{
	struct sbx_mount_spec *m;
	int fd, r = bwrap_option_used_fd(opt->name, args[0], &fd, e);

	(void)o;
	if (r == 0)
		r = add_op(c, (enum sbx_mount_kind)opt->data, opt->name + 2, args[1], &m, e);
	if (r < 0)
		return r;
	m->fd = fd;
	return 0;
}

int bwrap_view_symlink(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		       char **args, struct sbx_error *e)
{
	struct sbx_mount_spec *m;
	int r = add_op(c, SBX_MOUNT_SYMLINK, opt->name + 2, args[1], &m, e);

	(void)o;
	if (r < 0)
		return r;
	m->src = xstrdup(args[0]);
	return 0;
}

int bwrap_view_chmod(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		     char **args, struct sbx_error *e)
{
	struct sbx_mount_spec *m;
	mode_t mode;
	int r;

	(void)o;
	if (viewspec_parse_mode(args[0], &mode) < 0)
		return sbx_error_set(e, 0, "--chmod takes an octal argument");
	r = add_op(c, SBX_MOUNT_CHMOD, opt->name + 2, args[1], &m, e);
	if (r == 0)
		m->mode = mode;
	return r;
}

int bwrap_view_perms(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		     char **args, struct sbx_error *e)
{
	(void)o, (void)opt;
	if (c->view_pending.has_perms)
		return sbx_error_set(e, 0, "--perms given twice for the same file");
	if (viewspec_parse_mode(args[0], &c->view_pending.perms) < 0)
		return sbx_error_set(e, 0, "--perms takes an octal argument <= 07777");
	c->view_pending.has_perms = true;
	return 0;
}

int bwrap_view_size(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e)
{
	const char *s = args[0];
	unsigned long long v;
	char *end;

	(void)o, (void)opt;
	if (c->view_pending.size)
		return sbx_error_set(e, 0, "--size given twice for the same tmpfs");
	errno = 0;
	v = strtoull(s, &end, 0);
	/* Digits only: strtoull() would take " -1" as a huge number. */
	if (!*s || *s < '0' || *s > '9' || *end || errno || v == 0 || v > SIZE_MAX / 2)
		return sbx_error_set(e, 0, "--size takes a non-zero number of bytes");
	c->view_pending.size = v;
	return 0;
}

int bwrap_view_overlay_src(struct sbx_config *c, struct bwrap_opts *o,
			   const struct bwrap_option *opt, char **args, struct sbx_error *e)
{
	(void)o;
	return viewspec_add_overlay_src(c, opt->name + 2, args[0], e);
}

int bwrap_view_overlay(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		       char **args, struct sbx_error *e)
{
	(void)o;
	if (opt->data == SBX_MOUNT_OVERLAY)
		return viewspec_add_overlay(c, opt->name + 2, args[0], args[1], args[2], e);
	return viewspec_add_dest_op(c, (enum sbx_mount_kind)opt->data, opt->name + 2, args[0], e);
}

