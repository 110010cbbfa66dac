/* cli_table.h - the rows of the option table, as each subsystem's file of
 * options (src/cli/cli_*.c) exports them; the parser (cli.c) puts them in
 * --help order and is the only file that knows them all */
#pragma once

#include <stddef.h>

#include "config.h"
#include "error.h"

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
	CLI_PRINT_CONFIG,
};

struct cli_option;

/* One option's effect on the config; @args holds its nargs words. */
typedef int (*cli_handler)(struct sbx_config *c, const struct cli_option *o,
			   const char *const *args, enum cli_action *action, struct sbx_error *e);

/* Arguments that are host paths: shown absolute by --print-config. */
#define CLI_F_PATH0 0x01u
#define CLI_F_PATH1 0x02u
#define CLI_F_PATH2 0x04u
#define CLI_F_BIND 0x08u    /* argument 0 is SRC[:DEST[:OPTS]]: SRC and DEST */
#define CLI_F_SINGLE 0x10u  /* single-valued: a later one replaces it */
#define CLI_F_CMDLINE 0x20u /* command line only: not in a profile, not printed */

/**
 * struct cli_option - one row of the option table
 * @name:	long name without "--"
 * @short_name:	single-letter form or 0
 * @nargs:	number of argument words (0-3)
 * @metavar:	the arguments as --help shows them
 * @help:	one line for --help
 * @apply:	what the option does
 * @data:	a constant for @apply (namespace, mount kind, field offset...)
 * @flags:	CLI_F_*: how --print-config prints it and where it may appear;
 *		left out of a row (0), a repeatable option printed as given
 */
struct cli_option {
	const char *name;
	char short_name;
	unsigned nargs;
	const char *metavar;
	const char *help;
	cli_handler apply;
	long data;
	unsigned flags;
};

/* A run of rows that stand together in --help, as one file exports it. */
struct cli_option_group {
	const struct cli_option *rows;
	size_t n;
};

#define CLI_GROUP(rows) { rows, sizeof(rows) / sizeof((rows)[0]) }

/* o->data of a cli_table_flag() row: the offset of its bool in the config. */
#define CLI_FLAG(field) ((long)offsetof(struct sbx_config, field))

/**
 * cli_table_flag() - the handler of a flag that sets the bool at offset
 *		      o->data (CLI_FLAG()) of the config
 * Return: 0
 */
int cli_table_flag(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e);

/* The groups, each defined in the file named after its subsystem. */
extern const struct cli_option_group cli_view_options;	     /* cli_view.c: binds... overlays */
extern const struct cli_option_group cli_view_home_options;  /* cli_view.c: --home */
extern const struct cli_option_group cli_ns_userns_options;  /* cli_ns.c: --userns */
extern const struct cli_option_group cli_ns_options;	     /* cli_ns.c: --share-*, ids, caps */
extern const struct cli_option_group cli_exec_env_options;   /* cli_exec.c: dir, hostname, env */
extern const struct cli_option_group cli_exec_fd_options;    /* cli_exec.c: --pass-fd, parent */
extern const struct cli_option_group cli_exec_status_options; /* cli_exec.c: status fds */
extern const struct cli_option_group cli_confine_seccomp_options; /* cli_confine.c: --seccomp */
extern const struct cli_option_group cli_confine_allow_options;   /* cli_confine.c: --allow-* */
extern const struct cli_option_group cli_net_options;	     /* cli_net.c: --net slirp's */
extern const struct cli_option_group cli_limits_options;     /* cli_limits.c: --memory... */
extern const struct cli_option_group cli_desktop_options;    /* cli_desktop.c: --x11... */
extern const struct cli_option_group cli_lifecycle_options;  /* cli_lifecycle.c: --name */
