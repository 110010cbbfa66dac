/* oci_args.h - runc-style command lines: a table of flags per command */
#pragma once

#include <stdbool.h>

#include "error.h"

#define OCI_ARGS_MAX_POS 4096
#define OCI_FLAG_MAX_VALUES 64

/**
 * struct oci_flag - one flag a command takes
 * @name:	the long name without dashes ("pid-file"); runc also takes
 *		each with a single dash, and so do we
 * @shrt:	a one-letter form, or 0
 * @has_arg:	takes a value ("--x V" or "--x=V")
 * @multi:	may repeat (values collected in @values)
 */
struct oci_flag {
	const char *name;
	char shrt;
	bool has_arg;
	bool multi;
	/* filled by oci_args_parse() */
	bool set;
	const char *value;
	const char *values[OCI_FLAG_MAX_VALUES];
	int n_values;
};

/**
 * oci_args_parse() - parse @argv[0..@argc) against @flags (ended by a NULL name)
 * @stop_at_positional: the first non-flag ends the flags (the global options
 *		before the command, exec's ARGS after the ID); else flags and
 *		positionals may mix, as runc allows ("kill ID KILL --all")
 * @ret_pos:	the positional arguments (at most OCI_ARGS_MAX_POS), @ret_n of them
 * Return: 0 or -EINVAL with @e filled (an unknown flag, a missing value)
 */
int oci_args_parse(int argc, char **argv, struct oci_flag *flags, bool stop_at_positional,
		   char **ret_pos, int *ret_n, struct sbx_error *e);

/**
 * oci_flag() - the entry of @flags named @name (it must exist)
 */
struct oci_flag *oci_flag(struct oci_flag *flags, const char *name);
