/* desktop_opts.h - the desktop options' handlers (rows in src/cli/cli_desktop.c) */
#pragma once

#include "cli_table.h"

/* o->data of the --dbus-* rows: which proxy rule, and which bus. */
#define DESKTOP_DBUS_SYSTEM 0x100

/**
 * desktop_opt_dbus() - --dbus-talk/own/see/call/broadcast and their
 *			--dbus-system-* twins: one xdg-dbus-proxy rule
 *
 * NAME must be a bus name (a trailing ".*" allowed, as the proxy takes it);
 * --dbus-call and --dbus-broadcast take NAME=RULE.
 * Return: 0 or -errno with @e filled
 */
int desktop_opt_dbus(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e);

/**
 * desktop_opt_x11() - --x11 (o->data 0) and --x11-trusted (1)
 * Return: 0
 */
int desktop_opt_x11(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e);

/**
 * desktop_config_free() - release the desktop block of @c (config_free())
 */
void desktop_config_free(struct sbx_config *c);
