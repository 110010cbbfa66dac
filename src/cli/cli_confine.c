/* cli_confine.c - what confines the command: --seccomp, --allow-userns,
 * --allow-io-uring, Landlock's --allow-connect/--allow-bind */
#include "autoconf.h"

#include <string.h>

#include "cli_path.h"
#include "cli_table.h"
#include "util.h"

/* "80,443,8000-8010" appended to *ports; at most SBX_MAX_PORTS in all. */
static int parse_ports(const char *option, const char *arg, uint16_t **ports, size_t *n,
		       struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *rest = copy;

	if (!*arg)
		return sbx_error_set(e, 0, "--%s: expected PORT[,PORT...]", option);
	for (char *item; (item = strsep(&rest, ","));) {
		char *dash = strchr(item, '-');
		unsigned long lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_uint(item, 65535, &lo) < 0 || parse_uint(dash ? dash + 1 : item, 65535, &hi) < 0 ||
		    hi < lo)
			return sbx_error_set(e, 0, "--%s %s: not a port or LOW-HIGH range (0-65535)",
					     option, arg);
		if (*n + (hi - lo + 1) > SBX_MAX_PORTS)
			return sbx_error_set(e, 0, "--%s: more than %d ports", option, SBX_MAX_PORTS);
		*ports = xreallocarray(*ports, *n + (hi - lo + 1), sizeof(**ports));
		for (unsigned long p = lo; p <= hi; p++)
			(*ports)[(*n)++] = (uint16_t)p;
	}
	return 0;
}

static int parse_seccomp(struct sbx_config *c, const char *arg, struct sbx_error *e)
{
	free(c->seccomp_profile);
	c->seccomp_profile = NULL;
	if (strcmp(arg, "default") == 0) {
		c->seccomp = SBX_SECCOMP_DEFAULT;
	} else if (strcmp(arg, "unconfined") == 0) {
		c->seccomp = SBX_SECCOMP_UNCONFINED;
	} else if (*arg) {
		c->seccomp = SBX_SECCOMP_PROFILE;
		return cli_resolve_arg(c, "seccomp", arg, &c->seccomp_profile, e);
	} else {
		return sbx_error_set(e, 0, "--seccomp: expected default, unconfined or a FILE");
	}
	return 0;
}

static int opt_seccomp(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return parse_seccomp(c, args[0], e);
}

static int opt_ports(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	if (o->data == 'c')
		return parse_ports(o->name, args[0], &c->allow_connect, &c->n_allow_connect, e);
	return parse_ports(o->name, args[0], &c->allow_bind, &c->n_allow_bind, e);
}

static const struct cli_option confine_seccomp_rows[] = {
	{ "seccomp", 0, 1, "default|unconfined|FILE",
	  "system-call filter: built-in (default), none, or a Docker JSON profile", opt_seccomp, 0,
	  CLI_F_PATH0 | CLI_F_SINGLE },
};

const struct cli_option_group cli_confine_seccomp_options = CLI_GROUP(confine_seccomp_rows);

static const struct cli_option confine_allow_rows[] = {
	{ "allow-userns", 0, 0, NULL, "let the command create nested user namespaces", cli_table_flag,
	  CLI_FLAG(allow_userns), CLI_F_SINGLE },
	{ "allow-io-uring", 0, 0, NULL, "let the command use io_uring", cli_table_flag,
	  CLI_FLAG(allow_io_uring), CLI_F_SINGLE },
	{ "allow-connect", 0, 1, "PORT[,PORT...]",
	  "TCP connect only to these ports (Landlock; ranges A-B)", opt_ports, 'c', 0 },
	{ "allow-bind", 0, 1, "PORT[,PORT...]", "TCP bind only to these ports (Landlock; ranges A-B)",
	  opt_ports, 'b', 0 },
};

const struct cli_option_group cli_confine_allow_options = CLI_GROUP(confine_allow_rows);
