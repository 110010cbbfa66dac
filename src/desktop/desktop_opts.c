/* desktop_opts.c - the desktop options' handlers: D-Bus rules, --x11 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "desktop_opts.h"
#include "util.h"

/* The D-Bus specification bounds a bus name to 255 bytes. */
#define DBUS_NAME_MAX 255

static const char *const rule_flag[] = { "talk", "own", "see", "call", "broadcast" };

/* A well-known name, a unique name (":1.5"), or a prefix "a.b.*": what
 * xdg-dbus-proxy takes. Checked here so a typo fails before the start. */
static bool valid_bus_name(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && strcmp(s + n - 2, ".*") == 0)
		n -= 2;
	if (n == 0 || n > DBUS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '_' && ch != '-' && ch != '.' &&
		    !(ch == ':' && i == 0))
			return false;
	}
	return s[0] != '.' && s[n - 1] != '.';
}

int desktop_opt_dbus(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	unsigned kind = (unsigned)(o->data & 0xff);
	bool system = o->data & DESKTOP_DBUS_SYSTEM;
	bool with_rule = kind >= 3;
	_cleanup_free_ char *name = xstrdup(args[0]);
	char *eq = strchr(name, '=');
	char ***rules = system ? &c->dbus_system_rules : &c->dbus_rules;
	size_t *n = system ? &c->n_dbus_system_rules : &c->n_dbus_rules;

	if (with_rule) {
		if (!eq || !eq[1])
			return sbx_error_set(e, 0, "--%s %s: expected NAME=RULE", o->name, args[0]);
		*eq = '\0';
		/* RULE is [METHOD][@OBJECT_PATH]: no spaces, nothing the proxy
		 * would read as another argument. */
		if (strpbrk(eq + 1, " \t\n"))
			return sbx_error_set(e, 0, "--%s %s: not a valid rule", o->name, args[0]);
	} else if (eq) {
		return sbx_error_set(e, 0, "--%s %s: expected a bus name", o->name, args[0]);
	}
	if (!valid_bus_name(name))
		return sbx_error_set(e, 0, "--%s %s: not a valid bus name", o->name, args[0]);
	if (*n >= 256)
		return sbx_error_set(e, E2BIG, "--%s: more than 256 rules for one bus", o->name);
	*rules = xreallocarray(*rules, *n + 1, sizeof(**rules));
	(*rules)[(*n)++] = xasprintf("--%s=%s", rule_flag[kind], args[0]);
	return 0;
}

int desktop_opt_x11(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	c->x11 = true;
	if (o->data)
		c->x11_trusted = true;
	return 0;
}

void desktop_config_free(struct sbx_config *c)
{
	for (size_t i = 0; i < c->n_dbus_rules; i++)
		free(c->dbus_rules[i]);
	free(c->dbus_rules);
	for (size_t i = 0; i < c->n_dbus_system_rules; i++)
		free(c->dbus_system_rules[i]);
	free(c->dbus_system_rules);
	c->dbus_rules = c->dbus_system_rules = NULL;
	c->n_dbus_rules = c->n_dbus_system_rules = 0;
}
