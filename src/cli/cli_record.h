/* cli_record.h - the record of applied options that --print-config prints */
#pragma once

#include "cli_table.h"

/**
 * cli_record() - remember option @o, applied with @args, in @c->applied
 * @origin:	the profile it came from, NULL for the command line
 *
 * Kept in the form --print-config shows: host paths absolute, since the
 * printed profile may be read elsewhere. A single-valued option replaces its
 * earlier record; a command-line-only option is not recorded.
 */
void cli_record(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		const char *origin);
