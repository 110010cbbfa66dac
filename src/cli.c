/* cli.c - the option parser and --help, driven by the table in cli_table.c */
#include "autoconf.h"

#include <errno.h>
#include <string.h>

#include "cli_table.h"
#include "util.h"

void cli_print_help(FILE *out)
{
	fputs("Usage: sbx [OPTION]... [--] [COMMAND [ARG]...]\n"
	      "Run COMMAND (default: $SHELL) in a rootless sandbox: new user, mount, pid, ipc,\n"
	      "uts, net, cgroup and time namespaces; the host's /usr, /etc and /opt read-only;\n"
	      "private /tmp, /var/tmp, /run and an empty $HOME; no capabilities.\n\n",
	      out);
	for (size_t i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];
		char lhs[64];

		if (o->short_name)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->short_name, o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name, o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
		if (strlen(lhs) > 29)
			fprintf(out, "  %s\n  %-29s %s\n", lhs, "", o->help);
		else
			fprintf(out, "  %-29s %s\n", lhs, o->help);
	}
	fputs("\nBind OPTS, comma-separated: idmap (your ids -> the sandbox user's),\n"
	      "idmap=HOST:SANDBOX:N[,...], uidmap=..., gidmap=..., sandbox-src (SRC is a path\n"
	      "in the sandbox, e.g. a --tmpfs: the only idmap the kernel allows non-root).\n"
	      "\nExit status: the command's, 128+N if it died of signal N; 125 when sbx itself\n"
	      "fails, 126 when the command cannot be executed, 127 when it is not found.\n"
	      "See sbx(1).\n",
	      out);
}

static void append_str(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

char *cli_resolve_path(const char *path, const char *home, const char *cwd)
{
	_cleanup_free_ char *joined = NULL;
	char *out = NULL;
	size_t len = 0, cap = 0;
	const char *p;

	if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
		joined = xasprintf("%s/%s", home, path + 1);
	else if (path[0] != '/' && !cwd)
		return NULL;
	else if (path[0] != '/')
		joined = xasprintf("%s/%s", cwd, path);
	else
		joined = xstrdup(path);

	append_str(&out, &len, &cap, "", 0);
	for (p = joined; *p;) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
		} else {
			append_str(&out, &len, &cap, "/", 1);
			append_str(&out, &len, &cap, p, n);
		}
		p = end;
	}
	if (len == 0)
		append_str(&out, &len, &cap, "/", 1);
	return out;
}

int cli_resolve_arg(const struct sbx_config *c, const char *option, const char *path, char **ret,
		    struct sbx_error *e)
{
	*ret = cli_resolve_path(path, c->home, c->cwd);
	if (!*ret)
		return sbx_error_set(e, c->cwd_errno, "--%s %s: a relative path, but the current "
						       "directory cannot be found", option, path);
	return 0;
}

static const struct cli_option *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < cli_n_options; i++)
		if (strlen(cli_options[i].name) == len && strncmp(cli_options[i].name, name, len) == 0)
			return &cli_options[i];
	return NULL;
}

static const struct cli_option *find_short(char ch)
{
	for (size_t i = 0; i < cli_n_options; i++)
		if (cli_options[i].short_name == ch)
			return &cli_options[i];
	return NULL;
}

/* Point @ret_args at the option's arguments: "--opt=VALUE" or the next nargs words. */
static int collect_args(const struct cli_option *o, const char *inline_val, int argc,
			char *const argv[], int *i, const char **ret_args, struct sbx_error *e)
{
	unsigned have = 0;

	if (inline_val) {
		if (o->nargs == 0)
			return sbx_error_set(e, 0, "--%s takes no argument", o->name);
		ret_args[have++] = inline_val;
	}
	while (have < o->nargs) {
		if (*i + 1 >= argc)
			return sbx_error_set(e, 0, "--%s: missing argument %s", o->name,
					     o->metavar ? o->metavar : "");
		ret_args[have++] = argv[++*i];
	}
	return 0;
}

int cli_parse(struct sbx_config *c, int argc, char *const argv[], enum cli_action *ret_action,
	      struct sbx_error *e)
{
	int i;

	*ret_action = CLI_RUN;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct cli_option *o = NULL;
		const char *inline_val = NULL;
		const char *args[3] = { NULL, NULL, NULL };
		int r;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		if (arg[1] == '-') {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			o = find_long(arg + 2, len);
			inline_val = eq ? eq + 1 : NULL;
		} else if (arg[2] == '\0') {
			o = find_short(arg[1]);
		} else {
			/* Bundled flags such as -vv: every letter must be a flag. */
			for (const char *ch = arg + 1; *ch; ch++) {
				o = find_short(*ch);
				if (!o || o->nargs)
					return sbx_error_set(e, 0, "unknown option %s (see sbx --help)", arg);
				r = o->apply(c, o, args, ret_action, e);
				if (r < 0)
					return r;
			}
			if (*ret_action != CLI_RUN)
				return 0;
			continue;
		}
		if (!o)
			return sbx_error_set(e, 0, "unknown option %s (see sbx --help)", arg);
		r = collect_args(o, inline_val, argc, argv, &i, args, e);
		if (r < 0)
			return r;
		r = o->apply(c, o, args, ret_action, e);
		if (r < 0)
			return r;
		if (*ret_action != CLI_RUN)
			return 0;
	}

	if (i < argc) {
		size_t n = (size_t)(argc - i);
		c->argv = xreallocarray(NULL, n + 1, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			c->argv[k] = xstrdup(argv[i + (int)k]);
		c->argv[n] = NULL;
	}
	return 0;
}
