/* test-cli - option parsing, path resolution and config validation */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_path.h"
#include "cli_table.h"
#include "verb.h"
#include "util.h"
#include "config.h"
#include "cli-harness.h"
#include "tap.h"

/* Parse a NULL-terminated argument list into @c. */
static int parse(struct sbx_config *c, struct sbx_error *e, enum cli_action *act, ...)
{
	va_list ap;
	int r;

	va_start(ap, act);
	r = parse_args(c, e, act, ap);
	va_end(ap);
	return r;
}

/* The same for a caller whose working directory was deleted. */
static int parse_no_cwd(struct sbx_config *c, struct sbx_error *e, enum cli_action *act, ...)
{
	struct sbx_caller caller = test_caller;
	va_list ap;
	int r;

	caller.cwd = NULL;
	caller.cwd_errno = ENOENT;
	va_start(ap, act);
	r = parse_args_as(&caller, c, e, act, ap);
	va_end(ap);
	return r;
}

static void test_resolve(void)
{
	char *p;

#define RES(in, want)                                                          \
	p = cli_resolve_path(in, "/home/u", "/home/u/proj");                   \
	is_str(p, want, "resolve %s", in);                                     \
	free(p)
	RES("~", "/home/u");
	RES("~/src", "/home/u/src");
	RES("~src", "/home/u/proj/~src");
	RES(".", "/home/u/proj");
	RES("../x/./y//z/", "/home/u/x/y/z");
	RES("/a/../../b", "/b");
	RES("/", "/");
	RES("//usr///lib", "/usr/lib");
#undef RES
	ok(cli_resolve_path("rel", "/home/u", NULL) == NULL, "no cwd: a relative path gives NULL");
	p = cli_resolve_path("~/x", "/home/u", NULL);
	is_str(p, "/home/u/x", "no cwd: ~ still resolves");
	free(p);
}

static void test_no_cwd(void)
{
	struct sbx_config c;
	struct sbx_error e;
	enum cli_action act;

	ok(parse_no_cwd(&c, &e, &act, "--version", NULL) == 0 && act == CLI_VERSION,
	   "deleted cwd: --version parses");
	config_free(&c);
	ok(parse_no_cwd(&c, &e, &act, "--help", NULL) == 0 && act == CLI_HELP,
	   "deleted cwd: --help parses");
	config_free(&c);
	ok(parse_no_cwd(&c, &e, &act, "--bind", "/a", "--tmpfs", "~/t", "true", NULL) == 0 &&
		   c.cwd == NULL,
	   "deleted cwd: absolute and ~ paths parse; no cwd (the start falls back to $HOME)");
	config_free(&c);
	static const char *const rel[][3] = {
		{ "--bind", "data", "--bind data: a relative path, but the current directory" },
		{ "--ro-bind", "/a:b", "--ro-bind b: a relative" },
		{ "--tmpfs", "t", "--tmpfs t: a relative" },
		{ "--chdir", "sub", "--chdir sub: a relative" },
		{ "--overlay-src", "l", "--overlay-src l: a relative" },
		{ "--seccomp", "p.json", "--seccomp p.json: a relative" },
	};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		ok(parse_no_cwd(&c, &e, &act, rel[i][0], rel[i][1], NULL) < 0 &&
			   strstr(e.msg, rel[i][2]) && e.err == ENOENT,
		   "deleted cwd: %s %s refused: %s", rel[i][0], rel[i][1], e.msg);
		config_free(&c);
	}
}

static void test_defaults(void)
{
	struct sbx_config c;
	struct sbx_error e;
	enum cli_action act;

	ok(parse(&c, &e, &act, NULL) == 0, "no arguments parse");
	is_str(c.argv[0], "/bin/bash", "default command is $SHELL");
	ok(c.uid == 1000 && c.gid == 1000, "keep-id by default");
	ok(c.die_with_parent, "die-with-parent by default");
	ok(c.cap_add == 0, "no capabilities by default");
	int all_new = 1;
	for (int ns = 0; ns < SBX_NS_COUNT; ns++)
		all_new &= !c.share[ns];
	ok(all_new, "every namespace new by default");
	ok(c.net == SBX_NET_NONE, "--net none by default");
	config_free(&c);
}

static void test_mounts(void)
{
	struct sbx_config c;
	struct sbx_error e;
	enum cli_action act;

	ok(parse(&c, &e, &act, "--bind", "~/src", "--ro-bind", "data:/data", "--tmpfs", "/scratch",
		 "--bind=.", "make", "-j2", NULL) == 0,
	   "binds parse");
	ok(c.n_mounts == 4, "four mounts");
	is_str(c.mounts[0].src, "/home/u/src", "~ expanded in SRC");
	is_str(c.mounts[0].dest, "/home/u/src", "DEST defaults to SRC");
	ok(c.mounts[0].kind == SBX_MOUNT_BIND, "--bind is read-write");
	is_str(c.mounts[1].src, "/home/u/proj/data", "relative SRC against the cwd");
	is_str(c.mounts[1].dest, "/data", "explicit DEST");
	ok(c.mounts[1].kind == SBX_MOUNT_RO_BIND, "--ro-bind is read-only");
	ok(c.mounts[2].kind == SBX_MOUNT_TMPFS && !c.mounts[2].src, "--tmpfs has no source");
	is_str(c.mounts[3].src, "/home/u/proj", "--bind=. inline value");
	is_str(c.argv[0], "make", "command after options");
	is_str(c.argv[1], "-j2", "command arguments kept, even option-like ones");
	config_free(&c);

	ok(parse(&c, &e, &act, "--bind", "/a:", NULL) < 0, "empty DEST rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--bind", "/a:/", NULL) < 0, "DEST / rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--bind", NULL) < 0, "missing argument rejected");
	ok(strstr(e.msg, "--bind") != NULL, "error names the option: %s", e.msg);
	config_free(&c);
}

static void test_options(void)
{
	struct sbx_config c;
	struct sbx_error e;
	enum cli_action act;

	ok(parse(&c, &e, &act, "--share-net", "--share-pid", "--share-ipc", "--share-uts",
		 "--share-cgroup", "--share-time", "--", "true", NULL) == 0,
	   "all --share-* parse");
	ok(c.share[SBX_NS_NET] && c.share[SBX_NS_PID] && c.share[SBX_NS_IPC] &&
		   c.share[SBX_NS_UTS] && c.share[SBX_NS_CGROUP] && c.share[SBX_NS_TIME],
	   "each --share-* sets its namespace");
	ok(c.net == SBX_NET_HOST, "--share-net is --net host");
	config_free(&c);

	ok(parse(&c, &e, &act, "--net", "host", "true", NULL) == 0 && c.share[SBX_NS_NET],
	   "--net host shares the network");
	config_free(&c);
	ok(parse(&c, &e, &act, "--net", "bogus", NULL) < 0, "unknown --net mode rejected");
	config_free(&c);

	ok(parse(&c, &e, &act, "--root", NULL) == 0 && c.uid == 0 && c.gid == 0, "--root is 0:0");
	config_free(&c);
	ok(parse(&c, &e, &act, "--uid", "5", "--gid", "7", NULL) == 0 && c.uid == 5 && c.gid == 7,
	   "--uid/--gid");
	config_free(&c);
	ok(parse(&c, &e, &act, "--uid", "65535", NULL) < 0, "overflow uid rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--uid", "-1", NULL) < 0, "negative uid rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--uid", "12x", NULL) < 0, "garbage uid rejected");
	config_free(&c);

	ok(parse(&c, &e, &act, "--cap-add", "net_admin,CAP_SYS_ADMIN", NULL) == 0 &&
		   c.cap_add == ((UINT64_C(1) << 12) | (UINT64_C(1) << 21)),
	   "--cap-add names with and without CAP_");
	config_free(&c);
	ok(parse(&c, &e, &act, "--cap-add", "cap_nonsense", NULL) < 0, "unknown capability rejected");
	config_free(&c);
	static const char *const empty_caps[] = { ",", "", "net_raw,", ",net_raw", "a,,b" };
	for (size_t i = 0; i < sizeof(empty_caps) / sizeof(empty_caps[0]); i++) {
		ok(parse(&c, &e, &act, "--cap-add", empty_caps[i], NULL) < 0 &&
			   strstr(e.msg, "--cap-add"),
		   "--cap-add '%s': an empty item is refused (%s)", empty_caps[i], e.msg);
		config_free(&c);
	}

	ok(parse(&c, &e, &act, "--time-offset", "monotonic=100,boottime=-5", NULL) == 0 &&
		   c.has_time_offset && c.time_offset_monotonic == 100 &&
		   c.time_offset_boottime == -5,
	   "--time-offset both clocks");
	config_free(&c);
	ok(parse(&c, &e, &act, "--time-offset", "realtime=1", NULL) < 0,
	   "realtime offset rejected");
	config_free(&c);
	static const char *const empty_offsets[] = { "monotonic=5,", ",monotonic=5",
						     "monotonic=5,,boottime=1", "," };
	for (size_t i = 0; i < sizeof(empty_offsets) / sizeof(empty_offsets[0]); i++) {
		ok(parse(&c, &e, &act, "--time-offset", empty_offsets[i], NULL) < 0,
		   "--time-offset %s: an empty item is refused (%s)", empty_offsets[i], e.msg);
		config_free(&c);
	}
	ok(parse(&c, &e, &act, "--chdir", "", NULL) < 0 && strcmp(e.msg, "--chdir: empty path") == 0,
	   "--chdir '': refused, naming the empty argument, not the cwd (%s)", e.msg);
	config_free(&c);
	ok(parse(&c, &e, &act, "--time-offset", "monotonic=1", "--share-time", NULL) < 0,
	   "--time-offset with --share-time rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--hostname", "box", "--share-uts", NULL) < 0,
	   "--hostname with --share-uts rejected");
	config_free(&c);

	ok(parse(&c, &e, &act, "--setenv", "A", "1 2", "--unsetenv", "B", NULL) == 0 &&
		   c.n_env_ops == 2 && strcmp(c.env_ops[0].value, "1 2") == 0 &&
		   c.env_ops[1].value == NULL,
	   "--setenv takes two words, --unsetenv one");
	config_free(&c);
	ok(parse(&c, &e, &act, "--setenv", "A=B", "x", NULL) < 0, "variable name with = rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--setenv", "A", NULL) < 0, "--setenv with one word rejected");
	config_free(&c);

	ok(parse(&c, &e, &act, "--pass-fd", "3", "--pass-fd", "9", NULL) == 0 &&
		   c.n_pass_fds == 2 && c.pass_fds[1] == 9,
	   "--pass-fd repeatable");
	config_free(&c);
	ok(parse(&c, &e, &act, "--no-die-with-parent", NULL) == 0 && !c.die_with_parent,
	   "--no-die-with-parent");
	config_free(&c);
	ok(parse(&c, &e, &act, "-v", "-v", NULL) == 0 && c.verbose == 2, "-v counts");
	config_free(&c);
	ok(parse(&c, &e, &act, "-vvv", NULL) == 0 && c.verbose == 3, "-vvv bundles");
	config_free(&c);
	ok(parse(&c, &e, &act, "-vx", NULL) < 0, "unknown letter in a bundle rejected");
	config_free(&c);

	ok(parse(&c, &e, &act, "--frobnicate", NULL) < 0 && strstr(e.msg, "--frobnicate"),
	   "unknown option named in the error");
	config_free(&c);
	ok(parse(&c, &e, &act, "--clearenv=1", NULL) < 0, "flag with inline value rejected");
	config_free(&c);
	ok(parse(&c, &e, &act, "--help", "--bogus", NULL) == 0 && act == CLI_HELP,
	   "--help stops parsing");
	config_free(&c);
	ok(parse(&c, &e, &act, "--version", NULL) == 0 && act == CLI_VERSION, "--version");
	config_free(&c);
}

static void test_verbs(void)
{
	struct sbx_config c;
	struct sbx_error e;
	enum cli_action act;
	char *hint;

	ok(cli_verb("run") == CLI_VERB_RUN, "run is the verb");
	ok(cli_verb("ls") == CLI_VERB_MAIN && cli_verb("enter") == CLI_VERB_MAIN &&
		   cli_verb("ps") == CLI_VERB_MAIN && cli_verb("stop") == CLI_VERB_MAIN &&
		   cli_verb("kill") == CLI_VERB_MAIN && cli_verb("logs") == CLI_VERB_MAIN,
	   "ls, ps, enter, stop, kill, logs are verbs");
	ok(cli_verb("bwrap") == CLI_VERB_MAIN && cli_verb("oci") == CLI_VERB_MAIN,
	   "bwrap and oci are verbs with their main (issues 14, 15)");
	ok(cli_verb("lsx") == CLI_VERB_NONE && cli_verb("/bin/ls") == CLI_VERB_NONE &&
		   cli_verb("--") == CLI_VERB_NONE && cli_verb(NULL) == CLI_VERB_NONE &&
		   cli_verb("RUN") == CLI_VERB_NONE,
	   "other words, paths and options are no verb");
	ok(verb_find("doctor") && !verb_find("doctor")->main ? cli_verb("doctor") == CLI_VERB_RESERVED
							      : cli_verb("doctor") == CLI_VERB_MAIN,
	   "doctor: reserved until it is implemented");
	hint = cli_verb_hint("doctor");
	ok(strstr(hint, "'doctor' is reserved") && strstr(hint, "sbx -- doctor") &&
		   !strchr(hint, '\n'),
	   "the hint is one line and names the way to keep the meaning: %s", hint);
	free(hint);
	/* After an option no verb: "run" here is the command. */
	ok(parse(&c, &e, &act, "-v", "run", NULL) == 0 && strcmp(c.argv[0], "run") == 0,
	   "sbx -v run: the command run");
	config_free(&c);
	ok(parse(&c, &e, &act, "--", "ls", NULL) == 0 && strcmp(c.argv[0], "ls") == 0,
	   "sbx -- ls: the command ls");
	config_free(&c);
}

/* Every option whose argument is a host or sandbox path is marked so, or
 * --print-config would print it relative to a directory the printed profile
 * knows nothing of. */
static void test_print_flags(void)
{
	static const char *const path_words[] = { "SRC", "DEST", "DIR", "PATH", "FILE" };
	const struct cli_option *o;

	for (size_t i = 0; (o = cli_option_at(i)); i++) {
		unsigned flags = o->flags;
		bool pathish = false;

		for (size_t k = 0; o->metavar && k < ARRAY_SIZE(path_words); k++)
			pathish |= strstr(o->metavar, path_words[k]) != NULL;
		if (pathish && !(flags & CLI_F_CMDLINE) && strcmp(o->name, "symlink") != 0)
			ok(flags & (CLI_F_PATH0 | CLI_F_PATH1 | CLI_F_PATH2 | CLI_F_BIND),
			   "--%s %s: printed with absolute paths", o->name, o->metavar);
	}
	ok(cli_option_find("net")->flags & CLI_F_SINGLE,
	   "net is single-valued");
	ok(cli_option_find("profile")->flags & CLI_F_CMDLINE,
	   "profile is for the command line");
}

int main(void)
{
	test_resolve();
	test_no_cwd();
	test_defaults();
	test_mounts();
	test_options();
	test_verbs();
	test_print_flags();
	return tap_done();
}
