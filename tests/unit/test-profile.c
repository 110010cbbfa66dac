/* test-profile - the profile lexer, file lookup and bounds, overriding, and
 * --print-config read back as a profile */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-harness.h"
#include "profile.h"
#include "tap.h"
#include "util.h"

static char tmp[] = "/tmp/test-profile.XXXXXX";
static struct sbx_caller caller;

static void write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, name);
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	free(path);
}

/* Parse "sbx ARGS..." (NULL-terminated) for a caller that owns the files. */
static int parse(struct sbx_config *c, struct sbx_error *e, enum cli_action *act, ...)
{
	va_list ap;
	int r;

	va_start(ap, act);
	r = parse_args_as(&caller, c, e, act, ap);
	va_end(ap);
	return r;
}

/* parse() for another caller. */
static int parse_as(const struct sbx_caller *who, struct sbx_config *c, struct sbx_error *e,
		    enum cli_action *act, ...)
{
	va_list ap;
	int r;

	va_start(ap, act);
	r = parse_args_as(who, c, e, act, ap);
	va_end(ap);
	return r;
}

/* Lex @line; the words joined with "|", or "ERR:" and the message. */
static char *lex(const char *line)
{
	char *words[PROFILE_MAX_WORDS], *out = xstrdup("");
	struct sbx_error e = { 0 };
	size_t n;

	if (profile_lex_line(line, "/home/u", words, &n, &e) < 0) {
		free(out);
		return xasprintf("ERR:%s", e.msg);
	}
	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%s", out, i ? "|" : "", words[i]);
		free(out);
		free(words[i]);
		out = next;
	}
	return out;
}

static void test_lex(void)
{
	char *p;

#define LEX(in, want)                                                          \
	p = lex(in);                                                           \
	is_str(p, want, "lex [%s]", in);                                       \
	free(p)
	setenv("SBX_T_SRC", "/srv/a b", 1);
	setenv("SBX_T_EMPTY", "", 1);
	unsetenv("SBX_T_UNSET");
	LEX("", "");
	LEX("   # a comment", "");
	LEX("bind ~/src # trailing", "bind|/home/u/src");
	LEX("bind ~", "bind|/home/u");
	LEX("bind ~x a#b", "bind|~x|a#b");
	LEX("bind x~/y", "bind|x~/y");
	LEX("\tsetenv  A   B\t", "setenv|A|B");
	LEX("setenv A \"hello world\"", "setenv|A|hello world");
	LEX("setenv A 'no ${X} here'", "setenv|A|no ${X} here");
	LEX("setenv A \"q\\\"\\\\\\$x\\n\"", "setenv|A|q\"\\$x\n");
	LEX("setenv A a\\ b", "setenv|A|a b");
	LEX("bind ${SBX_T_SRC}:/dst", "bind|/srv/a b:/dst");
	LEX("setenv A \"${SBX_T_SRC}\"", "setenv|A|/srv/a b");
	LEX("setenv A ${SBX_T_EMPTY}", "setenv|A|");
	LEX("setenv A \"\"", "setenv|A|");
	LEX("setenv A $HOME$", "setenv|A|$HOME$");
	LEX("bind ${SBX_T_UNSET}", "ERR:${SBX_T_UNSET}: not set in the environment");
	LEX("bind ${SBX_T_SRC", "ERR:'${' without its '}'");
	LEX("bind ${1X}", "ERR:${1X}: not a variable name");
	LEX("bind ${A-B}", "ERR:${A-B}: not a variable name");
	LEX("setenv A \"open", "ERR:a '\"' without its closing quote");
	LEX("setenv A 'open", "ERR:a \"'\" without its closing quote");
	LEX("setenv A x\\", "ERR:a '\\' at the end of the line");
	LEX("a b c d e", "ERR:more than 4 words: an option takes at most 3 arguments");
#undef LEX
}

static void test_quote(void)
{
	static const char *const words[] = { "plain/path-1.2", "", "a b", "~x", "#c", "$x",
					     "${HOME}", "q\"\\'", "tab\there", "nl\nx", "a=b,c:d" };

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		char *q = profile_quote(words[i]), *line = xasprintf("x %s", q);
		char *got = lex(line), *want = xasprintf("x|%s", words[i]);

		is_str(got, want, "quote round trip %zu (%s)", i, q);
		free(q), free(line), free(got), free(want);
	}
}

/* A profile at tmp/@name whose loading fails: the error message. */
static char *load_error(const char *name)
{
	char *path = xasprintf("%s/%s", tmp, name), *msg;
	struct sbx_error e = { 0 };
	enum cli_action act;
	struct sbx_config c;

	if (parse(&c, &e, &act, "--profile", path, NULL) == 0)
		msg = xstrdup("(loaded)");
	else
		msg = xasprintf("%s|%d", e.msg, e.exit_code);
	config_free(&c);
	free(path);
	return msg;
}

/* @pattern with its one "%s" standing for the temporary directory. */
static char *with_tmp(const char *pattern)
{
	const char *at = strstr(pattern, "%s");

	if (!at)
		return xstrdup(pattern);
	return xasprintf("%.*s%s%s", (int)(at - pattern), pattern, tmp, at + 2);
}

static void expect_error(const char *name, const char *text, const char *want_pattern)
{
	char *want, *got;

	write_file(name, text);
	want = with_tmp(want_pattern);
	got = load_error(name);
	is_str(got, want, "bad profile %s", name);
	free(want), free(got);
}

static void test_errors(void)
{
	char *big;

	expect_error("bad-opt.conf", "# ok\n\nbind /x\nfrobnicate 1\n",
		     "%s/bad-opt.conf:4: unknown option 'frobnicate' (see sbx --help)|125");
	expect_error("bad-nargs.conf", "setenv A\n",
		     "%s/bad-nargs.conf:1: 'setenv' takes 2 arguments (VAR VALUE), not 1|125");
	expect_error("bad-flag-arg.conf", "share-net yes\n",
		     "%s/bad-flag-arg.conf:1: 'share-net' takes 0 arguments (none), not 1|125");
	expect_error("bad-value.conf", "net\tmoon\n",
		     "%s/bad-value.conf:1: --net moon: unknown mode (none, host, slirp)|125");
	expect_error("nested-profile.conf", "profile dev\n",
		     "%s/nested-profile.conf:1: 'profile' works on the command line only; a profile "
		     "uses 'include NAME'|125");
	expect_error("help.conf", "help\n", "%s/help.conf:1: 'help' works on the command line only|125");
	expect_error("var.conf", "bind /a\r\nbind ${SBX_T_UNSET}\r\n",
		     "%s/var.conf:2: ${SBX_T_UNSET}: not set in the environment|125");
	write_file("cycle-a.conf", "net none\ninclude ./cycle-b.conf\n");
	write_file("cycle-b.conf", "\ninclude ./cycle-a.conf\n");
	big = load_error("cycle-a.conf");
	{
		char *want = xasprintf("%s/cycle-b.conf:2: include ./cycle-a.conf: %s/cycle-a.conf "
				       "includes itself|125", tmp, tmp);
		is_str(big, want, "an include cycle names the innermost line");
		free(want);
	}
	free(big);
	write_file("self.conf", "include self\n");
	write_file("sbx/self.conf", "include self\n");
	big = load_error("self.conf");
	ok(strstr(big, "self.conf:1: include self: ") != NULL, "a NAME include of itself: %s",
	   big);
	free(big);
	/* d0 includes d1 ... d9: nine levels. */
	for (int i = 0; i < 10; i++) {
		char name[16], text[32];

		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), i < 9 ? "include ./d%d.conf\n" : "net none\n", i + 1);
		write_file(name, text);
	}
	expect_error("d0.conf", "include ./d1.conf\n",
		     "%s/d7.conf:1: include ./d8.conf: profiles nested more than 8 deep|125");
	big = load_error("d2.conf");
	is_str(big, "(loaded)", "eight levels of include are fine");
	free(big);
	/* Diamonds: each file includes the next twice; 2^6 files in all. */
	for (int i = 0; i < 7; i++) {
		char name[16], text[64];

		snprintf(name, sizeof(name), "w%d.conf", i);
		snprintf(text, sizeof(text), i < 6 ? "include ./w%d.conf\ninclude ./w%d.conf\n" : "\n",
			 i + 1, i + 1);
		write_file(name, text);
	}
	big = load_error("w0.conf");
	ok(strstr(big, "more than 32 profile files in one run") != NULL, "file count bound: %s",
	   big);
	free(big);

	big = xreallocarray(NULL, PROFILE_MAX_LINE + 16, 1);
	memset(big, 'a', PROFILE_MAX_LINE + 1);
	strcpy(big + PROFILE_MAX_LINE + 1, "\n");
	expect_error("long.conf", big, "%s/long.conf:1: a line longer than 4096 bytes|125");
	free(big);
	big = xreallocarray(NULL, PROFILE_MAX_FILE + 64, 1);
	for (size_t i = 0; i < PROFILE_MAX_FILE + 40; i += 9)
		memcpy(big + i, "net none\n", 9);
	big[PROFILE_MAX_FILE + 45] = '\0';
	expect_error("huge.conf", big, "profile %s/huge.conf: larger than 65536 bytes|125");
	free(big);
}

static void test_special_files(void)
{
	char *path = xasprintf("%s/fifo.conf", tmp), *got;

	ok(mkfifo(path, 0600) == 0, "mkfifo");
	got = load_error("fifo.conf");
	ok(strstr(got, "fifo.conf: not a regular file") != NULL, "a FIFO is refused: %s", got);
	free(got), free(path);
	write_file("nul.conf", "net none\n");
	path = xasprintf("%s/nul.conf", tmp);
	{
		FILE *f = fopen(path, "ae");
		fputc('\0', f);
		fclose(f);
	}
	got = load_error("nul.conf");
	ok(strstr(got, "a NUL byte") != NULL, "a NUL byte is refused: %s", got);
	free(got);
	write_file("ww.conf", "net none\n");
	free(path);
	path = xasprintf("%s/ww.conf", tmp);
	chmod(path, 0666);
	got = load_error("ww.conf");
	ok(strstr(got, "writable by everyone") != NULL, "a world-writable profile is refused: %s",
	   got);
	free(got), free(path);
	got = load_error("missing.conf");
	ok(strstr(got, "profile ") && strstr(got, "/missing.conf|125"), "missing: %s", got);
	free(got);
}

static void mkdir_mode(const char *name, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmp, name);

	if (mkdir(path, 0700) < 0 || chmod(path, mode) < 0)
		abort();
	free(path);
}

static void chmod_tmp(const char *name, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmp, name);

	if (chmod(path, mode) < 0)
		abort();
	free(path);
}

/* Where a profile lies: no directory or link on the way that someone else
 * can change (the kernel's own lookup would go through them). */
static void test_trust(void)
{
	char *got, *link;

	mkdir_mode("open", 0777);
	write_file("open/p.conf", "net none\n");
	got = load_error("open/p.conf");
	ok(strstr(got, "/open is writable by others|125") != NULL,
	   "a profile in a directory everyone can write is refused: %s", got);
	free(got);
	link = xasprintf("%s/via-open.conf", tmp);
	ok(symlink("open/p.conf", link) == 0, "symlink");
	got = load_error("via-open.conf");
	ok(strstr(got, "/open is writable by others|125") != NULL,
	   "... also through a symbolic link from a safe place: %s", got);
	free(got), free(link);
	mkdir_mode("sticky", 01777);
	write_file("sticky/p.conf", "net none\n");
	got = load_error("sticky/p.conf");
	is_str(got, "(loaded)", "a sticky directory (/tmp) is fine: others cannot replace a name");
	free(got);
	link = xasprintf("%s/ok-link.conf", tmp);
	ok(symlink("sticky/./p.conf", link) == 0, "symlink");
	got = load_error("ok-link.conf");
	is_str(got, "(loaded)", "a link of yours to a file of yours is followed");
	free(got), free(link);

	/* Group-writable: fine for your own group (umask 002), not another. */
	mkdir_mode("grp", 0770);
	write_file("grp/p.conf", "net none\n");
	chmod_tmp("grp/p.conf", 0664);
	got = load_error("grp/p.conf");
	is_str(got, "(loaded)", "group-writable by your own group: fine");
	free(got);
	caller.gid += 1;
	got = load_error("grp/p.conf");
	ok(strstr(got, "/grp is writable by others|125") != NULL,
	   "a directory writable by another group is refused: %s", got);
	free(got);
	write_file("p-grp.conf", "net none\n");
	chmod_tmp("p-grp.conf", 0664);
	got = load_error("p-grp.conf");
	ok(strstr(got, "p-grp.conf: writable by group ") != NULL,
	   "a profile writable by another group is refused: %s", got);
	free(got);
	caller.gid -= 1;

	if (getuid() == 0) {
		link = xasprintf("%s/theirs-link.conf", tmp);
		ok(symlink("sticky/p.conf", link) == 0 && lchown(link, 65534, 65534) == 0,
		   "a link owned by uid 65534");
		got = load_error("theirs-link.conf");
		ok(strstr(got, "the symbolic link ") && strstr(got, "is owned by uid 65534"),
		   "a symbolic link of someone else's is not followed: %s", got);
		free(got), free(link);
		mkdir_mode("theirs", 0755);
		write_file("theirs/p.conf", "net none\n");
		link = xasprintf("%s/theirs", tmp);
		ok(chown(link, 65534, 65534) == 0, "a directory owned by uid 65534");
		free(link);
		got = load_error("theirs/p.conf");
		ok(strstr(got, "/theirs is owned by uid 65534, neither you nor root|125") != NULL,
		   "a root-owned profile in someone else's directory is refused: %s", got);
		free(got);
	} else {
		for (int i = 0; i < 4; i++)
			ok(1, "links and directories of another uid # SKIP chown needs root");
	}
}

/* A profile's relative bind SRC naming $HOME or above: refused. */
static void test_bind_home(void)
{
	struct sbx_caller at = caller;
	struct sbx_config c;
	struct sbx_error e = { 0 };
	enum cli_action act;
	char *path = xasprintf("%s/dot.conf", tmp), *up = xasprintf("%s/up.conf", tmp);
	char *try = xasprintf("%s/dot-try.conf", tmp), *sub = xasprintf("%s/sub.conf", tmp);
	char *tilde = xasprintf("%s/tilde.conf", tmp);

	write_file("dot.conf", "net none\nbind .\n");
	write_file("up.conf", "bind ..\n");
	write_file("dot-try.conf", "ro-bind-try .:/mnt\n");
	write_file("sub.conf", "bind ./proj\n");
	write_file("tilde.conf", "bind ~\n");
	at.cwd = "/home/u";
	ok(parse_as(&at, &c, &e, &act, "--profile", path, NULL) < 0,
	   "bind . started in $HOME: refused");
	ok(strstr(e.msg, "dot.conf:2: bind .: that is /home/u here, which holds all of your home "
			 "/home/u; start sbx in a project's directory") != NULL, "... saying why: %s",
	   e.msg);
	config_free(&c);
	ok(parse_as(&at, &c, &e, &act, "--profile", try, NULL) < 0,
	   "ro-bind-try .:/mnt in $HOME: refused too");
	config_free(&c);
	ok(parse_as(&at, &c, &e, &act, "--profile", sub, NULL) == 0,
	   "bind ./proj in $HOME: a project, fine");
	config_free(&c);
	ok(parse_as(&at, &c, &e, &act, "--profile", tilde, NULL) == 0,
	   "bind ~ written out: meant, fine");
	config_free(&c);
	at.cwd = "/";
	ok(parse_as(&at, &c, &e, &act, "--profile", path, NULL) < 0, "bind . started in /: refused");
	config_free(&c);
	at.cwd = "/home/u/proj";
	ok(parse_as(&at, &c, &e, &act, "--profile", up, NULL) < 0,
	   "bind .. from a project in $HOME: refused");
	config_free(&c);
	ok(parse_as(&at, &c, &e, &act, "--profile", path, NULL) == 0, "bind . in a project: fine");
	config_free(&c);
	free(path), free(up), free(try), free(sub), free(tilde);
}

static void test_lookup(void)
{
	struct sbx_config c;
	struct sbx_error e = { 0 };
	enum cli_action act;
	char *dir;

	dir = xasprintf("%s/xdg", tmp);
	mkdir(dir, 0700);
	free(dir);
	dir = xasprintf("%s/xdg/sbx", tmp);
	mkdir(dir, 0700);
	free(dir);
	dir = xasprintf("%s/shipped", tmp);
	mkdir(dir, 0700);
	write_file("shipped/both.conf", "hostname shipped\n");
	write_file("shipped/only.conf", "hostname only-shipped\n");
	write_file("xdg/sbx/both.conf", "hostname mine\n");
	setenv("SBX_PROFILES_DIR", dir, 1);
	free(dir);
	dir = xasprintf("%s/xdg", tmp);
	setenv("XDG_CONFIG_HOME", dir, 1);
	free(dir);

	ok(parse(&c, &e, &act, "--profile", "both", NULL) == 0, "by name");
	is_str(c.hostname, "mine", "$XDG_CONFIG_HOME/sbx comes before the shipped one");
	config_free(&c);
	ok(parse(&c, &e, &act, "--profile", "only", NULL) == 0, "by name, shipped only");
	is_str(c.hostname, "only-shipped", "the shipped directory is the last one looked in");
	config_free(&c);
	ok(parse(&c, &e, &act, "--profile", "nope", NULL) < 0, "an unknown name fails");
	ok(strstr(e.msg, "--profile nope: no nope.conf in ") != NULL, "... saying where: %s", e.msg);
	config_free(&c);
	ok(parse(&c, &e, &act, "--profile", "../x", NULL) < 0, "a relative path with '/' is a path");
	config_free(&c);
	ok(parse(&c, &e, &act, "--profile", ".hidden", NULL) < 0, "a NAME cannot start with '.'");
	ok(strstr(e.msg, "not a profile NAME") != NULL, "... %s", e.msg);
	config_free(&c);
	ok(parse(&c, &e, &act, "--profile", "both.conf", NULL) < 0, "NAME.conf is not NAME");
	ok(strstr(e.msg, "write ./both.conf for a file") != NULL, "... and says so: %s", e.msg);
	config_free(&c);
}

static void test_override(void)
{
	struct sbx_config c;
	struct sbx_error e = { 0 };
	enum cli_action act;
	char *path = xasprintf("%s/ov.conf", tmp);

	write_file("ov.conf", "net none\nhostname prof\nbind rel\nsetenv A 1\nchdir .\n");
	ok(parse(&c, &e, &act, "--net", "slirp", "--profile", path, "--hostname", "cli", "--bind",
		 "/b", "--setenv", "A", "2", NULL) == 0,
	   "profile between options");
	ok(c.net == SBX_NET_NONE, "the profile overrides what came before it");
	is_str(c.hostname, "cli", "a single-valued option after it replaces the profile's");
	ok(c.n_mounts == 2, "repeatable options add to the profile's");
	is_str(c.mounts[0].src, "/home/u/proj/rel", "a relative path resolves against the cwd");
	is_str(c.mounts[1].src, "/b", "the command line's bind comes after, on top");
	ok(c.n_env_ops == 2 && strcmp(c.env_ops[1].value, "2") == 0, "setenv: both, in order");
	is_str(c.chdir, "/home/u/proj", "chdir . is the caller's cwd");
	config_free(&c);
	free(path);
}

/* Lines of --print-config, comments dropped. */
static char *print_options(const struct sbx_config *c)
{
	char *buf = NULL, *out = xstrdup("");
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	profile_print(f, c);
	fclose(f);
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *next;
		if (l[0] == '#')
			continue;
		next = xasprintf("%s%s\n", out, l);
		free(out);
		out = next;
	}
	free(buf);
	return out;
}

static void test_print_roundtrip(void)
{
	struct sbx_config c, c2;
	struct sbx_error e = { 0 };
	enum cli_action act;
	char *first, *second, *path = xasprintf("%s/printed.conf", tmp);
	char *rt = xasprintf("%s/rt.conf", tmp);

	setenv("SBX_T_SRC", "/srv/a b", 1);
	write_file("rt.conf", "net none\nbind ~/src\nro-bind-try .\nsetenv S \"${SBX_T_SRC} $x\"\n"
			      "hostname one\nclearenv\nsetenv K \"tab\\tand\\nnewline\"\n"
			      "tmpfs rel/t\nuserns isolated\nseccomp default\n");
	ok(parse(&c, &e, &act, "--profile", rt, "--hostname", "two",
		 "-v", "--publish", "127.0.0.1:8080:80", "--net", "slirp", "--allow-connect", "80,443",
		 "--home", "h", "--print-config", NULL) == 0,
	   "profile plus options with --print-config: %s", e.msg);
	ok(act == CLI_PRINT_CONFIG, "the action is print-config");
	first = print_options(&c);
	is_str(first, "bind /home/u/src\nro-bind-try /home/u/proj\nclearenv\n"
		      "setenv K \"tab\\tand\\nnewline\"\ntmpfs /home/u/proj/rel/t\n"
		      "userns isolated\nseccomp default\nhostname two\nverbose\n"
		      "publish 127.0.0.1:8080:80\nnet slirp\nallow-connect 80,443\n"
		      "home /home/u/proj/h\n",
	       "printed: singles in their last place, env ops before clearenv gone");
	{
		FILE *f = fopen(path, "we");
		fputs(first, f);
		fclose(f);
	}
	ok(parse(&c2, &e, &act, "--profile", path, NULL) == 0, "the printed profile loads: %s",
	   e.msg);
	second = print_options(&c2);
	is_str(second, first, "printing it again gives the same options");
	ok(c2.net == c.net && c2.n_mounts == c.n_mounts && c2.n_env_ops == c.n_env_ops &&
		   c2.clearenv && strcmp(c2.hostname, "two") == 0 &&
		   strcmp(c2.env_ops[0].value, "tab\tand\nnewline") == 0 &&
		   c2.userns_mode == SBX_USERNS_ISOLATED && c2.verbose == 1 && c2.n_publish == 1 &&
		   strcmp(c2.home_dir, "/home/u/proj/h") == 0 && c2.n_allow_connect == 2,
	   "and the same config");
	for (size_t i = 0; i < c.n_mounts && i < c2.n_mounts; i++)
		ok(c.mounts[i].kind == c2.mounts[i].kind && strcmp(c.mounts[i].dest, c2.mounts[i].dest) == 0,
		   "mount %zu the same (%s)", i, c.mounts[i].dest);
	free(first), free(second), free(path), free(rt);
	config_free(&c);
	config_free(&c2);

	/* What the profile syntax cannot say is refused, not printed wrong. */
	{
		struct sbx_caller at = caller;
		char *big = xreallocarray(NULL, PROFILE_MAX_LINE + 1, 1);
		char *nl = xasprintf("%s/x\nshare-net\n.conf", tmp), *buf = NULL;
		size_t len = 0;
		FILE *f;

		at.cwd = "/home/u/a:b";
		ok(parse_as(&at, &c, &e, &act, "--bind", ".", NULL) == 0, "a cwd with ':': bind . runs");
		config_free(&c);
		ok(parse_as(&at, &c, &e, &act, "--bind", ".", "--print-config", NULL) < 0 &&
			   strstr(e.msg, "bind /home/u/a:b: a path with ':' cannot be written"),
		   "... but is not printed as 'bind /home/u/a:b' (SRC /home/u/a, DEST b): %s", e.msg);
		config_free(&c);
		memset(big, 'v', PROFILE_MAX_LINE);
		big[PROFILE_MAX_LINE] = '\0';
		ok(parse(&c, &e, &act, "--setenv", "V", big, "--print-config", NULL) < 0 &&
			   strstr(e.msg, "setenv: longer than a profile line may be"),
		   "a line too long to read back is refused: %s", e.msg);
		config_free(&c);
		free(big);
		f = fopen(nl, "we");
		fputs("hostname h\n", f);
		fclose(f);
		ok(parse(&c, &e, &act, "--profile", nl, "--print-config", NULL) == 0, "a profile "
		   "named with a newline: %s", e.msg);
		f = open_memstream(&buf, &len);
		profile_print(f, &c);
		fclose(f);
		ok(strstr(buf, "\nshare-net\n") == NULL && strstr(buf, "\\nshare-net\\n"),
		   "... its name in the comment does not start a line of its own");
		free(buf), free(nl);
		config_free(&c);
	}
	ok(parse(&c, &e, &act, "--print-config", "ls", NULL) < 0, "--print-config with a command");
	ok(strstr(e.msg, "not a command (ls)") != NULL, "... is refused: %s", e.msg);
	config_free(&c);
}

static void test_home(void)
{
	struct sbx_config c;
	struct sbx_error e = { 0 };
	enum cli_action act;
	char *dir = xasprintf("%s/homes/a/b", tmp), *file = xasprintf("%s/notadir", tmp);
	struct stat st;

	ok(parse(&c, &e, &act, "--bind", "/x:/home/u/x", "--home", dir, NULL) == 0, "--home");
	ok(c.n_mounts == 2 && strcmp(c.mounts[0].src, dir) == 0 &&
		   strcmp(c.mounts[0].dest, "/home/u") == 0,
	   "--home is the first view operation, wherever it was written");
	ok(config_prepare_home(&c, &e) == 0, "created: %s", e.msg);
	{
		struct sbx_config c2;

		ok(parse(&c2, &e, &act, "--home", dir, "--ro-bind", "/srv:/home", NULL) < 0 &&
			   strstr(e.msg, "hidden by --ro-bind at /home, which covers /home/u"),
		   "a mount above $HOME would hide --home: refused: %s", e.msg);
		config_free(&c2);
		ok(parse(&c2, &e, &act, "--tmpfs", "/home/u", "--home", dir, NULL) < 0,
		   "... and one at $HOME, written before it too");
		config_free(&c2);
		ok(parse(&c2, &e, &act, "--home", dir, "--ro-bind-try", "/nope:/home/u", "--tmpfs",
			 "/home/u/t", NULL) == 0,
		   "a -try bind (it may not happen) and a mount below $HOME: fine");
		config_free(&c2);
	}
	ok(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "0700, parents too");
	ok(config_prepare_home(&c, &e) == 0, "an existing one is fine");
	config_free(&c);
	write_file("notadir", "x");
	ok(parse(&c, &e, &act, "--home", file, NULL) == 0 && config_prepare_home(&c, &e) == -ENOTDIR,
	   "a file is refused");
	config_free(&c);
	caller.uid += 1;
	ok(parse(&c, &e, &act, "--home", dir, NULL) == 0 && config_prepare_home(&c, &e) < 0 &&
		   strstr(e.msg, "owned by uid "),
	   "someone else's directory is refused: %s", e.msg);
	caller.uid -= 1;
	config_free(&c);
	free(dir), free(file);

	/* tmp/open (test_trust()) is 0777: whoever can write there could swap
	 * the home for theirs between the check and the bind. */
	dir = xasprintf("%s/open/h/a", tmp);
	ok(parse(&c, &e, &act, "--home", dir, NULL) == 0 && config_prepare_home(&c, &e) < 0 &&
		   strstr(e.msg, "/open is writable by others"),
	   "--home under a directory others can write is refused: %s", e.msg);
	free(dir);
	dir = xasprintf("%s/open/h", tmp);
	ok(access(dir, F_OK) < 0, "... and nothing is created there");
	config_free(&c);
	free(dir);
	mkdir_mode("wwhome", 0777);
	dir = xasprintf("%s/wwhome", tmp);
	ok(parse(&c, &e, &act, "--home", dir, NULL) == 0 && config_prepare_home(&c, &e) < 0 &&
		   strstr(e.msg, "writable by others"),
	   "a home everyone can write to is refused: %s", e.msg);
	config_free(&c);
	free(dir);
	/* A link in a sticky directory (think /tmp/h -> ~/.ssh) that is not yours. */
	dir = xasprintf("%s/sticky/h", tmp);
	file = xasprintf("%s/homes", tmp);
	if (getuid() == 0) {
		ok(symlink(file, dir) == 0 && lchown(dir, 65534, 65534) == 0, "a planted link");
		ok(parse(&c, &e, &act, "--home", dir, NULL) == 0 &&
			   config_prepare_home(&c, &e) < 0 && strstr(e.msg, "the symbolic link "),
		   "--home through someone else's link is refused: %s", e.msg);
		config_free(&c);
	} else {
		for (int i = 0; i < 2; i++)
			ok(1, "--home through another uid's link # SKIP lchown needs root");
	}
	free(dir), free(file);
}

int main(void)
{
	caller = test_caller;
	caller.uid = getuid();
	caller.gid = getgid();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmp))
		return 99;
	{
		char *dir = xasprintf("%s/sbx", tmp);
		mkdir(dir, 0700);
		free(dir);
	}
	setenv("XDG_CONFIG_HOME", tmp, 1);
	setenv("SBX_PROFILES_DIR", tmp, 1);
	test_lex();
	test_quote();
	test_errors();
	test_special_files();
	test_trust();
	test_bind_home();
	test_lookup();
	test_override();
	test_print_roundtrip();
	test_home();
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
		free(cmd);
	}
	return tap_done();
}
