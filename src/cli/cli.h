/* cli.h - the option parser: argv -> struct sbx_config, --help */
#pragma once

#include <stdio.h>

#include "cli_table.h"
#include "config.h"

/* What the first argument of sbx names (see cli_verb()). */
enum cli_verb {
	CLI_VERB_NONE,	   /* an option or a command: today's "sbx [OPTION]... COMMAND" */
	CLI_VERB_RUN,	   /* "sbx run [OPTION]... [COMMAND]", the explicit form */
	CLI_VERB_RESERVED, /* a future verb: still runs as a command, with a hint */
	CLI_VERB_MAIN,	   /* a verb with its own main (verb.h): sbx ls, sbx doctor... */
};

/**
 * cli_verb() - classify sbx's first argument @arg (may be NULL)
 *
 * A verb is recognised only as the very first argument: after an option or
 * "--" every word is the command's. Of the verbs only "run" exists today;
 * "ls", "ps", "enter", "stop", "kill", "logs", "doctor", "oci" and "bwrap"
 * are reserved and, until each lands, run as the command they always ran,
 * with the hint cli_verb_hint() words.
 */
enum cli_verb cli_verb(const char *arg);

/**
 * cli_verb_hint() - the one-line note for a reserved verb @verb run as a command
 * Return: a new string
 */
char *cli_verb_hint(const char *verb);

/**
 * cli_parse() - parse @argv (argv[0] is the program name) into @c
 * @c:		initialised with config_init()
 * @ret_action:	what main should do next
 *
 * Options end at "--" or the first argument that is not an option; the rest is
 * the command. Paths are made absolute against @c->cwd and @c->home here, so
 * nothing later depends on the caller's working directory.
 *
 * Return: 0 or -errno with @e filled (a usage error is -EINVAL, exit 125)
 */
int cli_parse(struct sbx_config *c, int argc, char *const argv[], enum cli_action *ret_action,
	      struct sbx_error *e);

/**
 * cli_apply_named() - apply option --@name with @nargs arguments, as a
 *		       profile line does
 * @origin:	the file, for --print-config's comments
 *
 * Options that only make sense on the command line (--help, --version,
 * --print-config, --profile) are refused here: a profile uses "include".
 * A bind with a relative SRC (".") that here names $HOME or a directory
 * above it is refused too: a profile's "bind ." means a project.
 * Return: 0 or -errno with @e filled (an unknown option, a wrong number of
 * arguments or the option's own error)
 */
int cli_apply_named(struct sbx_config *c, const char *name, const char *const *args,
		    size_t nargs, const char *origin, struct sbx_error *e);

/**
 * cli_print_help() - the --help text, generated from the option table
 */
void cli_print_help(FILE *out);

/**
 * cli_option_at() - row @i of the option table, in --help order
 * Return: the row, or NULL past the last one
 */
const struct cli_option *cli_option_at(size_t i);

/**
 * cli_option_find() - the row of --@name (without "--")
 * Return: the row, or NULL for an unknown option
 */
const struct cli_option *cli_option_find(const char *name);
