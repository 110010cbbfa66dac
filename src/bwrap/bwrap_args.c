/* bwrap_args.c - bubblewrap's command line, read into sbx's config
 *
 * One table: each option's name, how many arguments it takes and what it
 * does. Filesystem options become sbx's view operations (bwrap_view.c) in
 * command-line order; the rest fill struct bwrap_opts and @c->bwrap, from
 * which bwrap_cli.c decides the namespaces, ids and capabilities.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "bwrap_args.h"
#include "bwrap_option.h"
#include "bwrap_view.h"
#include "util.h"
#include "viewspec.h"

/* --unshare-*, --share-net and the flags without arguments */
enum {
	F_UNSHARE_ALL,
	F_SHARE_NET,
	F_USER,
	F_USER_TRY,
	F_IPC,
	F_PID,
	F_NET,
	F_UTS,
	F_CGROUP,
	F_CGROUP_TRY,
	F_DISABLE_USERNS,
	F_ASSERT_USERNS_DISABLED,
	F_CLEARENV,
	F_NEW_SESSION,
	F_DIE_WITH_PARENT,
	F_AS_PID_1,
	F_LEVEL_PREFIX,
	F_HELP,
	F_VERSION,
};

static int opt_flag(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e)
{
	(void)args, (void)e;
	switch (opt->data) {
	case F_UNSHARE_ALL:
		o->unshare_user_try = o->unshare_ipc = o->unshare_pid = o->unshare_net = true;
		o->unshare_uts = o->unshare_cgroup_try = true;
		break;
	case F_SHARE_NET: o->unshare_net = false; break;
	case F_USER: o->unshare_user = true; break;
	case F_USER_TRY: o->unshare_user_try = true; break;
	case F_IPC: o->unshare_ipc = true; break;
	case F_PID: o->unshare_pid = true; break;
	case F_NET: o->unshare_net = true; break;
	case F_UTS: o->unshare_uts = true; break;
	case F_CGROUP: o->unshare_cgroup = true; break;
	case F_CGROUP_TRY: o->unshare_cgroup_try = true; break;
	case F_DISABLE_USERNS: c->bwrap.disable_userns = true; break;
	case F_ASSERT_USERNS_DISABLED: c->bwrap.assert_userns_disabled = true; break;
	case F_CLEARENV:
		/* bwrap clears at once: earlier --setenv go too. */
		for (size_t i = 0; i < c->n_env_ops; i++) {
			free(c->env_ops[i].name);
			free(c->env_ops[i].value);
		}
		c->n_env_ops = 0;
		c->clearenv = true;
		break;
	case F_NEW_SESSION: c->bwrap.new_session = true; break;
	case F_DIE_WITH_PARENT: c->die_with_parent = true; break;
	case F_AS_PID_1: c->bwrap.as_pid_1 = true; break;
	case F_LEVEL_PREFIX: o->level_prefix = true; break;
	case F_HELP: o->help = true; break;
	case F_VERSION: o->version = true; break;
	}
	return 0;
}

static void add_env(struct sbx_config *c, const char *name, const char *value)
{
	c->env_ops = xreallocarray(c->env_ops, c->n_env_ops + 1, sizeof(*c->env_ops));
	c->env_ops[c->n_env_ops++] = (struct sbx_env_op){ .name = xstrdup(name),
							  .value = value ? xstrdup(value) : NULL };
}

static int opt_env(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		   char **args, struct sbx_error *e)
{
	(void)o, (void)e;
	add_env(c, args[0], opt->data ? args[1] : NULL);
	return 0;
}

enum { S_UID, S_GID, S_HOSTNAME, S_CHDIR, S_ARGV0, S_LOCK_FILE, S_EXEC_LABEL, S_FILE_LABEL };

static int opt_string(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		      char **args, struct sbx_error *e)
{
	unsigned long id;

	switch (opt->data) {
	case S_UID:
	case S_GID:
		if (parse_uint(args[0], 0xfffffffeUL, &id) < 0)
			return sbx_error_set(e, 0, "Invalid %s: %s", opt->data == S_UID ? "uid" : "gid",
					     args[0]);
		if (opt->data == S_UID)
			o->uid = id, o->uid_set = true;
		else
			o->gid = id, o->gid_set = true;
		break;
	case S_HOSTNAME:
		free(c->hostname);
		c->hostname = xstrdup(args[0]);
		break;
	case S_CHDIR:
		free(c->chdir);
		c->chdir = xstrdup(args[0]);
		break;
	case S_ARGV0:
		free(o->argv0);
		o->argv0 = xstrdup(args[0]);
		break;
	case S_LOCK_FILE:
		c->bwrap.lock_files = xreallocarray(c->bwrap.lock_files, c->bwrap.n_lock_files + 1,
						    sizeof(char *));
		c->bwrap.lock_files[c->bwrap.n_lock_files++] = bwrap_option_sandbox_path(args[0]);
		break;
	case S_EXEC_LABEL:
		/* Applied only where SELinux is enabled, as bwrap does. */
		free(c->bwrap.exec_label);
		c->bwrap.exec_label = access("/sys/fs/selinux/enforce", F_OK) == 0 ? xstrdup(args[0])
										   : NULL;
		break;
	default: /* --file-label: accepted, not applied (see sbx(1)) */
		break;
	}
	return 0;
}

enum { N_SYNC, N_BLOCK, N_USERNS_BLOCK, N_INFO, N_JSON, N_USERNS, N_USERNS2, N_PIDNS };

static int opt_fd(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		  char **args, struct sbx_error *e)
{
	int *slots[] = { &c->bwrap.sync_fd, &c->bwrap.block_fd, &c->bwrap.userns_block_fd,
			 &c->info_fd,	    &c->json_status_fd, &o->userns_fd,
			 &o->userns2_fd,    &o->pidns_fd };
	int fd, r;

	/* The sync fd stays with pid 1 (and --as-pid-1's command). */
	r = opt->data == N_SYNC ? bwrap_option_fd(opt->name, args[0], &fd, e)
				: bwrap_option_used_fd(opt->name, args[0], &fd, e);
	if (r < 0)
		return r;
	if ((opt->data == N_INFO || opt->data == N_JSON) && *slots[opt->data] >= 0)
		return sbx_error_set(e, 0, "Multiple %s not allowed", opt->name);
	*slots[opt->data] = fd;
	return 0;
}

/* The whole of a seccomp program from @fd: a multiple of sock_filter's size. */
static int opt_seccomp(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		       char **args, struct sbx_error *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int fd = -1, r = bwrap_option_fd(opt->name, args[0], &fd, e);

	if (r < 0)
		return r;
	if (opt->data == 0 && o->add_seccomp_given)
		return sbx_error_set(e, 0, "--seccomp cannot be combined with --add-seccomp-fd");
	if (opt->data == 1 && o->seccomp_given)
		return sbx_error_set(e, 0, "--add-seccomp-fd cannot be combined with --seccomp");
	if (opt->data == 0 && o->seccomp_given)
		return sbx_error_set(e, 0, "Multiple --seccomp options are not allowed");
	*(opt->data ? &o->add_seccomp_given : &o->seccomp_given) = true;
	/* Read here, not in the sandbox: a bad program stops bwrap before
	 * anything starts. */
	r = read_all(fd, 1 << 20, &buf, &len);
	if (r < 0)
		return sbx_error_set(e, -r, "Can't read seccomp data");
	close(fd);
	if (len % sizeof(struct sock_filter) != 0)
		return sbx_error_set(e, 0, "Invalid seccomp data, must be multiple of 8");
	c->bwrap.seccomp = xreallocarray(c->bwrap.seccomp, c->bwrap.n_seccomp + 1,
					 sizeof(*c->bwrap.seccomp));
	c->bwrap.seccomp[c->bwrap.n_seccomp++] = (struct sock_fprog){
		.len = (unsigned short)(len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)TAKE_PTR(buf),
	};
	return 0;
}

static int parse_cap(const char *name, bool *ret_all, uint64_t *ret_bit, struct sbx_error *e)
{
	cap_value_t cap;

	if (strcasecmp(name, "ALL") == 0) {
		*ret_all = true;
		return 0;
	}
	if (cap_from_name(name, &cap) < 0 || cap < 0 || cap >= 64)
		return sbx_error_set(e, 0, "%s is not a valid capability", name);
	*ret_bit |= UINT64_C(1) << cap;
	return 0;
}

static int opt_cap(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		   char **args, struct sbx_error *e)
{
	bool all = false;
	uint64_t bit = 0;
	int r = parse_cap(args[0], &all, &bit, e);

	(void)c;
	if (r < 0)
		return r;
	/* Later options win over earlier ones, as in bwrap. */
	if (opt->data) {
		if (all)
			o->cap_add_all = true, o->cap_drop_all = false, o->cap_drop = 0;
		o->cap_add |= bit;
		o->cap_drop &= ~bit;
	} else {
		if (all)
			o->cap_drop_all = true, o->cap_add_all = false, o->cap_add = 0;
		o->cap_drop |= bit;
		o->cap_add &= ~bit;
	}
	return 0;
}

static int parse_list(struct sbx_config *c, struct bwrap_opts *o, int *argc, char ***argv,
		      struct sbx_error *e);

/* --args FD: NUL-separated words, read whole, parsed as if here. */
static int opt_args(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		    char **args, struct sbx_error *e)
{
	char *buf = NULL, **words = NULL, **w;
	size_t len = 0, n = 0;
	int fd, r = bwrap_option_used_fd(opt->name, args[0], &fd, e), wc;

	if (r < 0)
		return r;
	if (o->args_depth >= BWRAP_ARGS_MAX_DEPTH)
		return sbx_error_set(e, 0, "--args nested too deeply");
	r = read_all(fd, BWRAP_ARGS_MAX_BYTES, &buf, &len);
	if (r < 0)
		return sbx_error_set(e, -r, "Can't read --args data");
	close(fd);
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		words = xreallocarray(words, n + 2, sizeof(char *));
		words[n++] = buf + i;
	}
	words = xreallocarray(words, n + 1, sizeof(char *));
	words[n] = NULL;
	o->args_bufs = xreallocarray(o->args_bufs, o->n_args_bufs + 1, sizeof(char *));
	o->args_bufs[o->n_args_bufs++] = buf;
	o->arg_vecs = xreallocarray(o->arg_vecs, o->n_arg_vecs + 1, sizeof(char *));
	o->arg_vecs[o->n_arg_vecs++] = (char *)words;
	wc = (int)n;
	w = words;
	o->args_depth++;
	r = parse_list(c, o, &wc, &w, e);
	o->args_depth--;
	if (r == 0 && wc > 0)
		return sbx_error_set(e, 0, "--args data holds a command (%s), not only options", w[0]);
	return r;
}

static const struct bwrap_option options[] = {
	{ "--help", 0, opt_flag, F_HELP },
	{ "--version", 0, opt_flag, F_VERSION },
	{ "--args", 1, opt_args, 0 },
	{ "--argv0", 1, opt_string, S_ARGV0 },
	{ "--level-prefix", 0, opt_flag, F_LEVEL_PREFIX },
	{ "--unshare-all", 0, opt_flag, F_UNSHARE_ALL },
	{ "--share-net", 0, opt_flag, F_SHARE_NET },
	{ "--unshare-user", 0, opt_flag, F_USER },
	{ "--unshare-user-try", 0, opt_flag, F_USER_TRY },
	{ "--unshare-ipc", 0, opt_flag, F_IPC },
	{ "--unshare-pid", 0, opt_flag, F_PID },
	{ "--unshare-net", 0, opt_flag, F_NET },
	{ "--unshare-uts", 0, opt_flag, F_UTS },
	{ "--unshare-cgroup", 0, opt_flag, F_CGROUP },
	{ "--unshare-cgroup-try", 0, opt_flag, F_CGROUP_TRY },
	{ "--userns", 1, opt_fd, N_USERNS },
	{ "--userns2", 1, opt_fd, N_USERNS2 },
	{ "--pidns", 1, opt_fd, N_PIDNS },
	{ "--disable-userns", 0, opt_flag, F_DISABLE_USERNS },
	{ "--assert-userns-disabled", 0, opt_flag, F_ASSERT_USERNS_DISABLED },
	{ "--uid", 1, opt_string, S_UID },
	{ "--gid", 1, opt_string, S_GID },
	{ "--hostname", 1, opt_string, S_HOSTNAME },
	{ "--chdir", 1, opt_string, S_CHDIR },
	{ "--clearenv", 0, opt_flag, F_CLEARENV },
	{ "--setenv", 2, opt_env, 1 },
	{ "--unsetenv", 1, opt_env, 0 },
	{ "--lock-file", 1, opt_string, S_LOCK_FILE },
	{ "--sync-fd", 1, opt_fd, N_SYNC },
	{ "--bind", 2, bwrap_view_bind, 0 },
	{ "--bind-try", 2, bwrap_view_bind, 4 },
	{ "--ro-bind", 2, bwrap_view_bind, 1 },
	{ "--ro-bind-try", 2, bwrap_view_bind, 5 },
	{ "--dev-bind", 2, bwrap_view_bind, 2 },
	{ "--dev-bind-try", 2, bwrap_view_bind, 6 },
	{ "--bind-fd", 2, bwrap_view_bind_fd, 0 },
	{ "--ro-bind-fd", 2, bwrap_view_bind_fd, 1 },
	{ "--remount-ro", 1, bwrap_view_dest, SBX_MOUNT_REMOUNT_RO },
	{ "--overlay-src", 1, bwrap_view_overlay_src, 0 },
	{ "--overlay", 3, bwrap_view_overlay, SBX_MOUNT_OVERLAY },
	{ "--tmp-overlay", 1, bwrap_view_overlay, SBX_MOUNT_TMP_OVERLAY },
	{ "--ro-overlay", 1, bwrap_view_overlay, SBX_MOUNT_RO_OVERLAY },
	{ "--exec-label", 1, opt_string, S_EXEC_LABEL },
	{ "--file-label", 1, opt_string, S_FILE_LABEL },
	{ "--proc", 1, bwrap_view_dest, SBX_MOUNT_PROC },
	{ "--dev", 1, bwrap_view_dest, SBX_MOUNT_DEV },
	{ "--tmpfs", 1, bwrap_view_dest, SBX_MOUNT_TMPFS },
	{ "--mqueue", 1, bwrap_view_dest, SBX_MOUNT_MQUEUE },
	{ "--dir", 1, bwrap_view_dest, SBX_MOUNT_DIR },
	{ "--file", 2, bwrap_view_fd_dest, SBX_MOUNT_FILE },
	{ "--bind-data", 2, bwrap_view_fd_dest, SBX_MOUNT_BIND_DATA },
	{ "--ro-bind-data", 2, bwrap_view_fd_dest, SBX_MOUNT_RO_BIND_DATA },
	{ "--symlink", 2, bwrap_view_symlink, 0 },
	{ "--seccomp", 1, opt_seccomp, 0 },
	{ "--add-seccomp-fd", 1, opt_seccomp, 1 },
	{ "--block-fd", 1, opt_fd, N_BLOCK },
	{ "--userns-block-fd", 1, opt_fd, N_USERNS_BLOCK },
	{ "--info-fd", 1, opt_fd, N_INFO },
	{ "--json-status-fd", 1, opt_fd, N_JSON },
	{ "--new-session", 0, opt_flag, F_NEW_SESSION },
	{ "--die-with-parent", 0, opt_flag, F_DIE_WITH_PARENT },
	{ "--as-pid-1", 0, opt_flag, F_AS_PID_1 },
	{ "--cap-add", 1, opt_cap, 1 },
	{ "--cap-drop", 1, opt_cap, 0 },
	{ "--perms", 1, bwrap_view_perms, 0 },
	{ "--size", 1, bwrap_view_size, 0 },
	{ "--chmod", 2, bwrap_view_chmod, 0 },
};

static const char *const arg_words[] = { "", "one argument", "two arguments", "three arguments" };

static int parse_list(struct sbx_config *c, struct bwrap_opts *o, int *argc, char ***argv,
		      struct sbx_error *e)
{
	while (*argc > 0) {
		const char *arg = (*argv)[0];
		const struct bwrap_option *opt = NULL;
		int r;

		if (strcmp(arg, "--") == 0) {
			(*argv)++, (*argc)--;
			return 0;
		}
		if (arg[0] != '-')
			return 0;
		for (size_t i = 0; i < ARRAY_SIZE(options); i++)
			if (strcmp(arg, options[i].name) == 0)
				opt = &options[i];
		if (!opt)
			return sbx_error_set(e, 0, "Unknown option %s", arg);
		if (*argc - 1 < opt->nargs)
			return sbx_error_set(e, 0, "%s takes %s", arg, arg_words[opt->nargs]);
		r = opt->fn(c, o, opt, *argv + 1, e);
		if (r < 0)
			return r;
		*argv += 1 + opt->nargs;
		*argc -= 1 + opt->nargs;
	}
	return 0;
}

int bwrap_args_parse(struct sbx_config *c, struct bwrap_opts *o, int argc, char **argv,
		     char ***ret_rest, int *ret_nrest, struct sbx_error *e)
{
	int r = parse_list(c, o, &argc, &argv, e);

	*ret_rest = argv;
	*ret_nrest = argc;
	return r;
}

void bwrap_args_free(struct sbx_config *c, struct bwrap_opts *o)
{
	for (size_t i = 0; i < o->n_args_bufs; i++)
		free(o->args_bufs[i]);
	free(o->args_bufs);
	for (size_t i = 0; i < o->n_arg_vecs; i++)
		free(o->arg_vecs[i]);
	free(o->arg_vecs);
	free(o->argv0);
	for (size_t i = 0; i < c->bwrap.n_lock_files; i++)
		free(c->bwrap.lock_files[i]);
	free(c->bwrap.lock_files);
	for (size_t i = 0; i < c->bwrap.n_seccomp; i++)
		free(c->bwrap.seccomp[i].filter);
	free(c->bwrap.seccomp);
	free(c->bwrap.exec_path);
	free(c->bwrap.exec_label);
}
