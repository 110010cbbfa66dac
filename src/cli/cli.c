/* cli.c - the option parser and --help, over the groups of rows every
 * subsystem's file of options exports (cli_table.h), in --help order */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_path.h"
#include "cli_record.h"
#include "profile.h"
#include "util.h"
#include "verb.h"

static int opt_action(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		      enum cli_action *action, struct sbx_error *e)
{
	*action = (enum cli_action)o->data;
	return 0;
}

static int opt_verbose(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	c->verbose++;
	return 0;
}

/* A profile's lines are options too: profile.c applies them with
 * cli_apply_named(), handed down so that it need not know this table. */
static int opt_profile(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return profile_load(c, args[0], NULL, cli_apply_named, e);
}

static const struct cli_option profile_rows[] = {
	{ "profile", 0, 1, "NAME|PATH", "read options from a profile (repeatable; see sbx-profile(5))",
	  opt_profile, 0, CLI_F_CMDLINE },
	{ "print-config", 0, 0, NULL, "print the resolved options as a profile and exit", opt_action,
	  CLI_PRINT_CONFIG, CLI_F_CMDLINE },
};

static const struct cli_option misc_rows[] = {
	{ "verbose", 'v', 0, NULL, "say what sbx does (repeat for more)", opt_verbose, 0, 0 },
	{ "version", 0, 0, NULL, "print the version and exit", opt_action, CLI_VERSION,
	  CLI_F_CMDLINE },
	{ "help", 'h', 0, NULL, "print this help and exit", opt_action, CLI_HELP, CLI_F_CMDLINE },
};

static const struct cli_option_group profile_options = CLI_GROUP(profile_rows);
static const struct cli_option_group misc_options = CLI_GROUP(misc_rows);

/* The order of the groups is the order of --help. */
static const struct cli_option_group *const groups[] = {
	&cli_view_options,
	&cli_ns_userns_options,
	&cli_exec_env_options,
	&cli_net_options,
	&cli_ns_options,
	&cli_exec_fd_options,
	&cli_confine_seccomp_options,
	&cli_exec_status_options,
	&cli_confine_allow_options,
	&cli_limits_options,
	&cli_view_home_options,
	&cli_desktop_options,
	&profile_options,
	&cli_lifecycle_options,
	&misc_options,
};

const struct cli_option *cli_option_at(size_t i)
{
	for (size_t g = 0; g < ARRAY_SIZE(groups); i -= groups[g++]->n)
		if (i < groups[g]->n)
			return &groups[g]->rows[i];
	return NULL;
}

void cli_print_help(FILE *out)
{
	const struct cli_option *o;

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
	for (size_t i = 0; (o = cli_option_at(i)); i++) {
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

static const struct cli_option *find_long(const char *name, size_t len)
{
	const struct cli_option *o;

	for (size_t i = 0; (o = cli_option_at(i)); i++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

const struct cli_option *cli_option_find(const char *name)
{
	return find_long(name, strlen(name));
}

static const struct cli_option *find_short(char ch)
{
	const struct cli_option *o;

	for (size_t i = 0; (o = cli_option_at(i)); i++)
		if (o->short_name == ch)
			return o;
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

static int apply(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		 enum cli_action *action, const char *origin, struct sbx_error *e)
{
	int r = o->apply(c, o, args, action, e);

	if (r < 0)
		return r;
	cli_record(c, o, args, origin);
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

	if (!(o->flags & CLI_F_BIND) || arg[0] == '/' || arg[0] == '~' || !c->cwd)
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
	if (o->flags & CLI_F_CMDLINE)
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
