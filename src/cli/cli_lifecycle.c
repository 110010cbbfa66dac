/* cli_lifecycle.c - the named sandboxes' options: --name, --detach
 * (src/lifecycle/) */
#include "autoconf.h"

#include <stdlib.h>

#include "cli_table.h"
#include "registry.h"
#include "util.h"

static int opt_name(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	int r = registry_check_name(args[0], e);

	if (r < 0)
		return sbx_error_set(e, 0, "--name %s: letters, digits, '_', '.', '-' (1 to %d, "
					   "the first a letter or digit)",
				     args[0], REGISTRY_NAME_MAX);
	free(c->name);
	c->name = xstrdup(args[0]);
	return 0;
}

static const struct cli_option lifecycle_rows[] = {
	{ "name", 0, 1, "NAME", "register the sandbox as NAME (sbx ls, enter, stop, kill, logs)",
	  opt_name, 0, CLI_F_CMDLINE },
	{ "detach", 'd', 0, NULL, "run in the background: print the name, output to its log",
	  cli_table_flag, CLI_FLAG(detach), CLI_F_CMDLINE },
};

const struct cli_option_group cli_lifecycle_options = CLI_GROUP(lifecycle_rows);
