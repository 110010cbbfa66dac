/* cli_exec.c - what the command starts with: its directory, hostname and
 * environment, the fds it gets, parent death, the status fds */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cli_path.h"
#include "cli_table.h"
#include "util.h"

static void add_env_op(struct sbx_config *c, const char *name, const char *value)
{
	struct sbx_env_op *op;

	c->env_ops = xreallocarray(c->env_ops, c->n_env_ops + 1, sizeof(*c->env_ops));
	op = &c->env_ops[c->n_env_ops++];
	op->name = xstrdup(name);
	op->value = value ? xstrdup(value) : NULL;
}

static int parse_env_name(const char *option, const char *name, struct sbx_error *e)
{
	if (!*name || strchr(name, '='))
		return sbx_error_set(e, 0, "--%s %s: not a valid variable name", option, name);
	return 0;
}

static int opt_chdir(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	free(c->chdir);
	c->chdir = NULL;
	/* "" would resolve to the caller's directory and be named in the error. */
	if (!*args[0])
		return sbx_error_set(e, 0, "--chdir: empty path");
	return cli_resolve_arg(c, "chdir", args[0], &c->chdir, e);
}

static int opt_hostname(struct sbx_config *c, const struct cli_option *o, const char *const *args,
			enum cli_action *action, struct sbx_error *e)
{
	if (!*args[0] || strlen(args[0]) > 64)
		return sbx_error_set(e, 0, "--hostname: must be 1 to 64 characters");
	free(c->hostname);
	c->hostname = xstrdup(args[0]);
	return 0;
}

/* --setenv VAR VALUE (two words) and --unsetenv VAR (one). */
static int opt_env(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	if (parse_env_name(o->name, args[0], e) < 0)
		return -EINVAL;
	add_env_op(c, args[0], o->nargs == 2 ? args[1] : NULL);
	return 0;
}

static int opt_clearenv(struct sbx_config *c, const struct cli_option *o, const char *const *args,
			enum cli_action *action, struct sbx_error *e)
{
	c->clearenv = true;
	/* Earlier --setenv/--unsetenv are void: the environment starts empty. */
	for (size_t i = 0; i < c->n_env_ops; i++) {
		free(c->env_ops[i].name);
		free(c->env_ops[i].value);
	}
	c->n_env_ops = 0;
	return 0;
}

static int opt_pass_fd(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;

	if (parse_uint(args[0], 1 << 20, &n) < 0)
		return sbx_error_set(e, 0, "--pass-fd %s: not a file descriptor number", args[0]);
	c->pass_fds = xreallocarray(c->pass_fds, c->n_pass_fds + 1, sizeof(int));
	c->pass_fds[c->n_pass_fds++] = (int)n;
	return 0;
}

static int opt_die_with_parent(struct sbx_config *c, const struct cli_option *o,
			       const char *const *args, enum cli_action *action,
			       struct sbx_error *e)
{
	c->die_with_parent = o->data != 0;
	return 0;
}

/* --info-fd, --json-status-fd: written by status_fd.c. */
static int opt_status_fd(struct sbx_config *c, const struct cli_option *o,
			 const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	int *slot = o->data ? &c->json_status_fd : &c->info_fd;
	unsigned long n;

	if (parse_uint(args[0], 1 << 20, &n) < 0)
		return sbx_error_set(e, 0, "--%s %s: not a file descriptor number", o->name, args[0]);
	if (fcntl((int)n, F_GETFD) < 0)
		return sbx_error_set(e, errno, "--%s %s", o->name, args[0]);
	/* Ours to write, not the command's. */
	fcntl((int)n, F_SETFD, FD_CLOEXEC);
	*slot = (int)n;
	return 0;
}

static const struct cli_option exec_env_rows[] = {
	{ "chdir", 0, 1, "DIR", "start the command in DIR", opt_chdir, 0,
	  CLI_F_PATH0 | CLI_F_SINGLE },
	{ "hostname", 0, 1, "NAME", "hostname inside (default: sbx)", opt_hostname, 0,
	  CLI_F_SINGLE },
	{ "setenv", 0, 2, "VAR VALUE", "set an environment variable", opt_env, 0, 0 },
	{ "unsetenv", 0, 1, "VAR", "unset an environment variable", opt_env, 0, 0 },
	{ "clearenv", 0, 0, NULL, "start from an empty environment", opt_clearenv, 0,
	  CLI_F_SINGLE },
};

const struct cli_option_group cli_exec_env_options = CLI_GROUP(exec_env_rows);

static const struct cli_option exec_fd_rows[] = {
	{ "pass-fd", 0, 1, "N", "let fd N through to the command (default: 0-2 only)", opt_pass_fd,
	  0, 0 },
	{ "die-with-parent", 0, 0, NULL, "kill the sandbox when sbx dies (default)",
	  opt_die_with_parent, 1, CLI_F_SINGLE },
	{ "no-die-with-parent", 0, 0, NULL, "keep the sandbox running if sbx dies",
	  opt_die_with_parent, 0, CLI_F_SINGLE },
};

const struct cli_option_group cli_exec_fd_options = CLI_GROUP(exec_fd_rows);

static const struct cli_option exec_status_rows[] = {
	{ "info-fd", 0, 1, "FD", "write the sandbox's pid and namespace ids to FD as JSON",
	  opt_status_fd, 0, CLI_F_CMDLINE | CLI_F_SINGLE },
	{ "json-status-fd", 0, 1, "FD",
	  "write JSON lines to FD: pid and namespaces at the start, the exit code at the end",
	  opt_status_fd, 1, CLI_F_CMDLINE | CLI_F_SINGLE },
};

const struct cli_option_group cli_exec_status_options = CLI_GROUP(exec_status_rows);
