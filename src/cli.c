/* cli.c - the option parser and --help, driven by the table in cli_table.c */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_table.h"
#include "profile.h"
#include "util.h"
#include "verb.h"

void cli_print_help(FILE *out)
{
	fputs("Usage: sbx [run] [OPTION]... [--] [COMMAND [ARG]...]\n"
	      "       sbx ls|ps [--json|-q]\n"
	      "       sbx enter [--chdir DIR] NAME [COMMAND [ARG]...]\n"
	      "       sbx stop NAME [--time SECS] | sbx kill NAME [SIGNAL] | sbx logs NAME [-f]\n"
	      "Run COMMAND (default: $SHELL) in a rootless sandbox: new user, mount, pid, ipc,\n"
	      "uts, net, cgroup and time namespaces; the host's /usr, /etc and /opt read-only;\n"
	      "private /tmp, /var/tmp, /run and an empty $HOME; no capabilities.\n\n"
	      "A verb is recognised only as the very first argument; \"sbx run ...\" is the\n"
	      "explicit form of \"sbx ...\", and after an option or \"--\" every word is the\n"
	      "command's. Verbs: ls ps enter stop kill logs (for sandboxes started with\n"
	      "--name or --detach); \"sbx ls -l\" is the verb ls, which points to \"sbx -- ls -l\".\n"
	      "\"sbx bwrap ARGS...\" (or sbx run as \"bwrap\") takes bubblewrap's command line;\n"
	      "\"sbx oci ...\" (or sbx-oci) is an OCI runtime. Reserved: doctor.\n\n",
	      out);
	/* sbx doctor (issue 16) */
	fputs("sbx doctor [--json]: check what this host allows sbx to do, trying each thing.\n\n", out);
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
	      "\nA profile (--profile NAME|PATH) holds options one per line without the \"--\";\n"
	      "NAME is looked up in ~/.config/sbx, /etc/sbx and " SBX_PROFILE_DIR ". Options\n"
	      "after it add to it or, if single-valued, replace its value. See sbx-profile(5).\n"
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

enum cli_verb cli_verb(const char *arg)
{
	const struct verb *v;

	if (!arg)
		return CLI_VERB_NONE;
	if (strcmp(arg, "run") == 0)
		return CLI_VERB_RUN;
	v = verb_find(arg);
	if (!v)
		return CLI_VERB_NONE;
	return v->main ? CLI_VERB_MAIN : CLI_VERB_RESERVED;
}

char *cli_verb_hint(const char *verb)
{
	return xasprintf("'%s' is reserved as an sbx verb; running the command %s for now "
			 "(write \"sbx -- %s ...\" to keep this meaning)", verb, verb, verb);
}

/* Drop the records of option @name. */
static void forget_records(struct sbx_config *c, const char *name)
{
	size_t out = 0;

	for (size_t i = 0; i < c->n_applied; i++) {
		struct sbx_applied_opt *a = &c->applied[i];

		if (strcmp(a->name, name) == 0) {
			for (unsigned k = 0; k < a->nargs; k++)
				free(a->args[k]);
			free(a->origin);
		} else {
			c->applied[out++] = *a;
		}
	}
	c->n_applied = out;
}

/* SRC[:DEST[:OPTS]] with SRC and a non-empty DEST made absolute; *@ret_colon
 * tells whether either came to hold a ':' (a cwd or $HOME with one). */
static char *resolve_bind(const struct sbx_config *c, const char *arg, bool *ret_colon)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *src = colon ? strndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
	_cleanup_free_ char *rsrc = NULL, *dest = NULL, *rdest = NULL;
	const char *colon2 = colon ? strchr(colon + 1, ':') : NULL;

	if (!src)
		abort();
	rsrc = cli_resolve_path(src, c->home, c->cwd);
	*ret_colon = rsrc && strchr(rsrc, ':');
	if (!colon)
		return TAKE_PTR(rsrc);
	dest = colon2 ? strndup(colon + 1, (size_t)(colon2 - colon - 1)) : xstrdup(colon + 1);
	if (!dest)
		abort();
	rdest = *dest ? cli_resolve_path(dest, c->home, c->cwd) : xstrdup("");
	*ret_colon = *ret_colon || (rdest && strchr(rdest, ':'));
	return xasprintf("%s:%s%s%s", rsrc ? rsrc : src, rdest ? rdest : dest, colon2 ? ":" : "",
			 colon2 ? colon2 + 1 : "");
}

/* Remember an option that was applied, in the form --print-config shows:
 * host paths absolute, since the printed profile may be read elsewhere. */
static void record(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   const char *origin)
{
	unsigned flags = cli_option_flags(o);
	struct sbx_applied_opt *a;

	if (flags & CLI_F_CMDLINE)
		return;
	if (flags & CLI_F_SINGLE)
		forget_records(c, o->name);
	/* --clearenv voids every --setenv/--unsetenv before it. */
	if (strcmp(o->name, "clearenv") == 0) {
		forget_records(c, "setenv");
		forget_records(c, "unsetenv");
	}
	c->applied = xreallocarray(c->applied, c->n_applied + 1, sizeof(*c->applied));
	a = &c->applied[c->n_applied++];
	memset(a, 0, sizeof(*a));
	a->name = o->name;
	a->nargs = o->nargs;
	a->origin = origin ? xstrdup(origin) : NULL;
	for (unsigned k = 0; k < o->nargs; k++) {
		bool keyword = strcmp(o->name, "seccomp") == 0 &&
			       (strcmp(args[k], "default") == 0 || strcmp(args[k], "unconfined") == 0);

		if ((flags & CLI_F_BIND) && k == 0)
			a->args[k] = resolve_bind(c, args[k], &a->colon_path);
		else if ((flags & (CLI_F_PATH0 << k)) && *args[k] && !keyword)
			a->args[k] = cli_resolve_path(args[k], c->home, c->cwd);
		if (!a->args[k])
			a->args[k] = xstrdup(args[k]);
	}
}

static int apply(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		 enum cli_action *action, const char *origin, struct sbx_error *e)
{
	int r = o->apply(c, o, args, action, e);

	if (r < 0)
		return r;
	record(c, o, args, origin);
	return 0;
}

/* Is @dir the directory @path or one above it? */
static bool is_same_or_above(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* A profile's "bind ." means "the project I start sbx in" (the shipped dev
 * and build say so). Started in $HOME, or above it, it would hand the
 * sandbox all of $HOME read-write, ~/.ssh and ~/.gnupg included, which no
 * line of the profile says: refuse, naming the way to mean it. */
static int check_profile_bind(const struct sbx_config *c, const struct cli_option *o,
			      const char *const *args, struct sbx_error *e)
{
	_cleanup_free_ char *src = NULL, *abs = NULL, *real_home = NULL;
	const char *arg = args[0], *colon;

	if (!(cli_option_flags(o) & CLI_F_BIND) || arg[0] == '/' || arg[0] == '~' || !c->cwd)
		return 0;
	colon = strchr(arg, ':');
	src = colon ? strndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
	if (!src)
		abort();
	abs = cli_resolve_path(src, c->home, c->cwd);
	real_home = realpath(c->home, NULL);
	if (!abs || !(is_same_or_above(abs, c->home) ||
		      (real_home && is_same_or_above(abs, real_home))))
		return 0;
	return sbx_error_set(e, 0, "%s %s: that is %s here, which holds all of your home %s; "
				   "start sbx in a project's directory (or write --%s %s on the "
				   "command line to mean it)", o->name, arg, abs, c->home, o->name,
			     abs);
}

int cli_apply_named(struct sbx_config *c, const char *name, const char *const *args,
		    size_t nargs, const char *origin, struct sbx_error *e)
{
	const struct cli_option *o = find_long(name, strlen(name));
	enum cli_action action = CLI_RUN;

	if (!o)
		return sbx_error_set(e, 0, "unknown option '%s' (see sbx --help)", name);
	if (cli_option_flags(o) & CLI_F_CMDLINE)
		return sbx_error_set(e, 0, "'%s' works on the command line only%s", name,
				     strcmp(name, "profile") == 0 ? "; a profile uses 'include NAME'" : "");
	if (nargs != o->nargs)
		return sbx_error_set(e, 0, "'%s' takes %u argument%s (%s), not %zu", name, o->nargs,
				     o->nargs == 1 ? "" : "s", o->metavar ? o->metavar : "none", nargs);
	if (check_profile_bind(c, o, args, e) < 0)
		return -EINVAL;
	return apply(c, o, args, &action, origin, e);
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
				r = apply(c, o, args, ret_action, NULL, e);
				if (r < 0)
					return r;
			}
			if (*ret_action == CLI_HELP || *ret_action == CLI_VERSION)
				return 0;
			continue;
		}
		if (!o)
			return sbx_error_set(e, 0, "unknown option %s (see sbx --help)", arg);
		r = collect_args(o, inline_val, argc, argv, &i, args, e);
		if (r < 0)
			return r;
		r = apply(c, o, args, ret_action, NULL, e);
		if (r < 0)
			return r;
		/* --print-config reads on: what follows it is printed too. */
		if (*ret_action == CLI_HELP || *ret_action == CLI_VERSION)
			return 0;
	}
	if (*ret_action == CLI_PRINT_CONFIG && i < argc)
		return sbx_error_set(e, 0, "--print-config prints options only, not a command (%s): "
					   "a profile cannot name one", argv[i]);
	/* What cannot be read back the same is refused, not printed wrong. */
	if (*ret_action == CLI_PRINT_CONFIG && profile_check_printable(c, e) < 0)
		return -EINVAL;

	if (i < argc) {
		size_t n = (size_t)(argc - i);
		c->argv = xreallocarray(NULL, n + 1, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			c->argv[k] = xstrdup(argv[i + (int)k]);
		c->argv[n] = NULL;
	}
	return 0;
}
