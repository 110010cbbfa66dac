/* cli_table.c - what the rows of every subsystem's options share */
#include "autoconf.h"

#include "cli_table.h"

int cli_table_flag(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	*(bool *)((char *)c + o->data) = true;
	return 0;
}
