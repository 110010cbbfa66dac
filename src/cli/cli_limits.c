/* cli_limits.c - the resource limits' options: --memory, --memory-swap,
 * --pids, --cpus, --limits (src/limits/) */
#include "autoconf.h"

#include <errno.h>
#include <string.h>

#include "cli_table.h"
#include "limits_parse.h"
#include "util.h"

static int opt_limit(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;
	int r;

	switch (o->data) {
	case 'm':
	case 's':
		r = limits_parse_size(args[0], o->data == 'm' ? &c->limit_memory
							      : &c->limit_memory_swap);
		if (r == -ERANGE || (r == 0 && o->data == 'm' && c->limit_memory < LIMITS_MEMORY_MIN))
			return sbx_error_set(e, 0, "--%s %s: out of range (4M to 1024P)", o->name,
					     args[0]);
		if (r < 0)
			return sbx_error_set(e, 0, "--%s %s: expected a size such as 512M or 1.5G",
					     o->name, args[0]);
		c->limit_memory_swap_set |= o->data == 's';
		return 0;
	case 'p':
		/* pid 1 and the command are two already. */
		if (parse_uint(args[0], LIMITS_PIDS_MAX, &n) < 0 || n < 2)
			return sbx_error_set(e, 0, "--pids %s: expected 2 to %lu", args[0],
					     LIMITS_PIDS_MAX);
		c->limit_pids = n;
		return 0;
	case 'c':
		if (limits_parse_cpus(args[0], &c->limit_cpus_milli) < 0)
			return sbx_error_set(e, 0, "--cpus %s: expected 0.01 to 1024, such as 0.5 or 2",
					     args[0]);
		return 0;
	default:
		if (strcmp(args[0], "strict") != 0 && strcmp(args[0], "auto") != 0)
			return sbx_error_set(e, 0, "--limits %s: expected strict or auto", args[0]);
		c->limits_strict = strcmp(args[0], "strict") == 0;
		return 0;
	}
}

static const struct cli_option limits_rows[] = {
	{ "memory", 0, 1, "SIZE", "limit the sandbox's memory (512M, 1.5G; cgroup v2)", opt_limit,
	  'm', CLI_F_SINGLE },
	{ "memory-swap", 0, 1, "SIZE", "swap the sandbox may use beyond --memory (default: 0)",
	  opt_limit, 's', CLI_F_SINGLE },
	{ "pids", 0, 1, "N", "limit the sandbox to N processes and threads", opt_limit, 'p',
	  CLI_F_SINGLE },
	{ "cpus", 0, 1, "N", "limit the sandbox to N CPUs' worth of time (0.5; cgroup v2)",
	  opt_limit, 'c', CLI_F_SINGLE },
	{ "limits", 0, 1, "strict|auto",
	  "no cgroup v2: refuse to start, or fall back to rlimits (default: auto)",
	  opt_limit, 'l', CLI_F_SINGLE },
};

const struct cli_option_group cli_limits_options = CLI_GROUP(limits_rows);
