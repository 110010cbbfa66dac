/* oci_main.c - `sbx oci` / `sbx-oci`: the OCI runtime command line engines call */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "oci_args.h"
#include "oci_cloned.h"
#include "oci_cmds.h"
#include "oci_create.h"
#include "oci_exec.h"
#include "oci_main.h"
#include "util.h"

struct oci_globals {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
};

static void report(const struct oci_globals *g, const struct sbx_error *e)
{
	char msg[SBX_ERROR_MSG_MAX + 128];
	FILE *f;

	sbx_error_format(e, msg, sizeof(msg));
	fprintf(stderr, "sbx-oci: %s\n", msg);
	if (!g->log || !(f = fopen(g->log, "ae")))
		return;
	if (g->log_json) {
		_cleanup_free_ char *now = oci_now_rfc3339();

		fputs("{\"level\":\"error\",\"msg\":\"", f);
		for (const char *p = msg; *p; p++)
			fprintf(f, (*p == '"' || *p == '\\') ? "\\%c" : ((unsigned char)*p < 0x20) ? "\\u%04x" : "%c", *p);
		fprintf(f, "\",\"time\":\"%s\"}\n", now);
	} else {
		fprintf(f, "sbx-oci: %s\n", msg);
	}
	fclose(f);
}

static int fail(const struct oci_globals *g, const struct sbx_error *e)
{
	report(g, e);
	return e->exit_code ? e->exit_code : SBX_EXIT_SETUP;
}

static int usage_error(const struct oci_globals *g, const char *cmd, const char *what)
{
	struct sbx_error e = { 0 };

	sbx_error_set(&e, 0, "%s: %s", cmd, what);
	return fail(g, &e);
}

static const char usage[] =
	"Usage: sbx oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID ...\n"
	"       sbx-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID ...\n"
	"\n"
	"sbx as an OCI runtime (runtime-spec 1.0-1.2), for podman, containerd, CRI-O.\n"
	"\n"
	"Commands:\n"
	"  create --bundle DIR [--pid-file F] [--console-socket S] [--no-pivot] ID\n"
	"  start ID            run the created container's process\n"
	"  state ID            its state, as runtime-spec JSON\n"
	"  kill ID [SIGNAL] [--all]\n"
	"  delete [--force] ID\n"
	"  run [create's options] [--detach] ID\n"
	"  exec [--process FILE | ID ARGS...] [--tty] [--detach] [--pid-file F] ID\n"
	"  list [--format table|json] [--quiet]\n"
	"  features            what this runtime supports (runtime-spec features.md)\n"
	"\n"
	"Global options: --root DIR (default $XDG_RUNTIME_DIR/sbx-oci), --log FILE,\n"
	"  --log-format text|json, --debug, --systemd-cgroup, --cgroup-manager M\n"
	"See sbx(1), section OCI RUNTIME.\n";

/* The flags create and run share; what engines pass that changes nothing
 * here is accepted (--no-new-keyring: sbx makes no session keyring). */
#define CREATE_FLAGS                                                                         \
	{ .name = "bundle", .shrt = 'b', .has_arg = true }, { .name = "pid-file", .has_arg = true }, \
	{ .name = "console-socket", .has_arg = true }, { .name = "no-pivot" },                       \
	{ .name = "no-new-keyring" }, { .name = "preserve-fds", .has_arg = true },                   \
	{ .name = "detach", .shrt = 'd' }, { .name = "keep" }

static int parse_create(const struct oci_globals *g, const char *cmd, int argc, char **argv,
			struct oci_create_opts *o, bool *ret_detach, struct sbx_error *e)
{
	struct oci_flag flags[] = { CREATE_FLAGS, { 0 } };
	char *pos[OCI_ARGS_MAX_POS];
	unsigned long n = 0;
	int n_pos, r = oci_args_parse(argc, argv, flags, false, pos, &n_pos, e);

	if (r < 0)
		return r;
	if (n_pos != 1)
		return sbx_error_set(e, EINVAL, "%s: expected one container ID", cmd);
	*o = (struct oci_create_opts){
		.root = g->root,
		.id = pos[0],
		.bundle = oci_flag(flags, "bundle")->value,
		.pid_file = oci_flag(flags, "pid-file")->value,
		.console_socket = oci_flag(flags, "console-socket")->value,
		.no_pivot = oci_flag(flags, "no-pivot")->set,
		.wait_fifo = true,
	};
	if (oci_flag(flags, "preserve-fds")->value &&
	    parse_uint(oci_flag(flags, "preserve-fds")->value, 1000, &n) < 0)
		return sbx_error_set(e, EINVAL, "--preserve-fds: not a number");
	o->preserve_fds = (int)n;
	*ret_detach = oci_flag(flags, "detach")->set;
	return 0;
}

static int cmd_create(const struct oci_globals *g, int argc, char **argv)
{
	struct oci_create_opts o;
	struct sbx_error e = { 0 };
	bool detach;
	pid_t pid;

	if (parse_create(g, "create", argc, argv, &o, &detach, &e) < 0 || oci_create(&o, &pid, &e) < 0)
		return fail(g, &e);
	return 0;
}

/* run in the foreground: sbx-oci stays the container's parent (a
 * subreaper, since its process is forked by stage 1), forwards the signals
 * it gets, as runc run does, and ends with the container's status. */
static int cmd_run(const struct oci_globals *g, int argc, char **argv)
{
	struct oci_create_opts o;
	struct sbx_error e = { 0 };
	bool detach;
	pid_t pid;
	int status = 0;

	if (parse_create(g, "run", argc, argv, &o, &detach, &e) < 0)
		return fail(g, &e);
	if (!detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (oci_create(&o, &pid, &e) < 0) {
		oci_delete(g->root, o.id, true, &(struct sbx_error){ 0 });
		return fail(g, &e);
	}
	/* From start on, a signal is the container's (the engine's stop, or a
	 * test's TERM as soon as it runs): blocked until the forwarding reads
	 * it, never the default action on sbx-oci itself. (Not before create:
	 * the container's process would inherit the mask.) */
	if (!detach) {
		sigset_t fwd;

		oci_forwarded_signals(&fwd);
		sigprocmask(SIG_BLOCK, &fwd, NULL);
	}
	if (oci_start(g->root, o.id, &e) < 0) {
		oci_delete(g->root, o.id, true, &(struct sbx_error){ 0 });
		return fail(g, &e);
	}
	if (detach)
		return 0;
	if (oci_wait_forwarding(pid, &status, &e) < 0) {
		report(g, &e);
		status = SBX_EXIT_SETUP;
	}
	oci_delete(g->root, o.id, true, &e);
	return status;
}

static int one_id(const struct oci_globals *g, const char *cmd, int argc, char **argv,
		  struct oci_flag *flags, char **pos, int *n_pos, int min, int max)
{
	struct sbx_error e = { 0 };

	if (oci_args_parse(argc, argv, flags, false, pos, n_pos, &e) < 0)
		return fail(g, &e);
	if (*n_pos < min || *n_pos > max)
		return usage_error(g, cmd, min == max ? "expected one container ID" : "expected ID [SIGNAL]");
	return 0;
}

static int cmd_simple(const struct oci_globals *g, const char *cmd, int argc, char **argv)
{
	struct oci_flag flags[] = { { .name = "force", .shrt = 'f' }, { .name = "all", .shrt = 'a' },
				    { 0 } };
	char *pos[OCI_ARGS_MAX_POS];
	struct sbx_error e = { 0 };
	bool is_kill = strcmp(cmd, "kill") == 0;
	int n_pos, sig = 15, r;

	r = one_id(g, cmd, argc, argv, flags, pos, &n_pos, 1, is_kill ? 2 : 1);
	if (r)
		return r;
	if (strcmp(cmd, "start") == 0)
		r = oci_start(g->root, pos[0], &e);
	else if (strcmp(cmd, "state") == 0)
		r = oci_state_print(g->root, pos[0], stdout, &e);
	else if (strcmp(cmd, "delete") == 0)
		r = oci_delete(g->root, pos[0], oci_flag(flags, "force")->set, &e);
	else {
		sig = n_pos == 2 ? oci_parse_signal(pos[1]) : 15;
		r = sig < 0 ? sbx_error_set(&e, EINVAL, "kill: unknown signal %s", pos[1])
			    : oci_kill(g->root, pos[0], sig, oci_flag(flags, "all")->set, &e);
	}
	return r < 0 ? fail(g, &e) : 0;
}

static int cmd_list(const struct oci_globals *g, int argc, char **argv)
{
	struct oci_flag flags[] = { { .name = "format", .shrt = 'f', .has_arg = true },
				    { .name = "quiet", .shrt = 'q' }, { 0 } };
	char *pos[OCI_ARGS_MAX_POS];
	struct sbx_error e = { 0 };
	const char *fmt;
	int n_pos;

	if (oci_args_parse(argc, argv, flags, false, pos, &n_pos, &e) < 0)
		return fail(g, &e);
	fmt = oci_flag(flags, "format")->value;
	if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "table") != 0)
		return usage_error(g, "list", "--format is table or json");
	if (oci_list(g->root, fmt && strcmp(fmt, "json") == 0, oci_flag(flags, "quiet")->set, stdout,
		     &e) < 0)
		return fail(g, &e);
	return 0;
}

static int parse_globals(int argc, char **argv, struct oci_globals *g, char **root_buf,
			 int *ret_cmd, struct sbx_error *e)
{
	struct oci_flag flags[] = {
		{ .name = "root", .has_arg = true },	   { .name = "log", .has_arg = true },
		{ .name = "log-format", .has_arg = true }, { .name = "debug" },
		{ .name = "systemd-cgroup" },		   { .name = "cgroup-manager", .has_arg = true },
		{ .name = "rootless", .has_arg = true },   { .name = "criu", .has_arg = true },
		{ .name = "version", .shrt = 'v' },	   { .name = "help", .shrt = 'h' },
		{ 0 },
	};
	char *pos[OCI_ARGS_MAX_POS];
	const char *fmt, *xdg = getenv("XDG_RUNTIME_DIR");
	int n_pos, r = oci_args_parse(argc, argv, flags, true, pos, &n_pos, e);

	if (r < 0)
		return r;
	fmt = oci_flag(flags, "log-format")->value;
	if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "text") != 0)
		return sbx_error_set(e, EINVAL, "--log-format is text or json");
	g->log = oci_flag(flags, "log")->value;
	g->log_json = fmt && strcmp(fmt, "json") == 0;
	g->debug = oci_flag(flags, "debug")->set;
	g->root = oci_flag(flags, "root")->value;
	if (!g->root) {
		/* runc's default for root is /run/runc; a user has no /run/sbx-oci. */
		*root_buf = geteuid() == 0 && (!xdg || !*xdg) ? xstrdup("/run/sbx-oci")
				: xasprintf("%s/sbx-oci", xdg && *xdg ? xdg : "/tmp");
		g->root = *root_buf;
	}
	if (oci_flag(flags, "version")->set)
		*ret_cmd = -1;
	else if (oci_flag(flags, "help")->set || n_pos == 0)
		*ret_cmd = -2;
	else
		*ret_cmd = argc - n_pos;
	return 0;
}

int oci_main(int argc, char **argv)
{
	struct oci_globals g = { 0 };
	struct sbx_error e = { 0 };
	_cleanup_free_ char *root_buf = NULL;
	char **argv_all = argv;
	const char *cmd;
	int i, argc_all = argc;

	if (parse_globals(argc - 1, argv + 1, &g, &root_buf, &i, &e) < 0)
		return fail(&g, &e);
	if (i == -1) {
		printf("sbx-oci version %s\nspec: 1.2.0\n", PACKAGE_VERSION);
		return 0;
	}
	if (i == -2) {
		fputs(usage, stdout);
		return 0;
	}
	i++; /* argv[0] is the verb */
	cmd = argv[i];
	argc -= i + 1;
	argv += i + 1;
	/* What forks the container's processes runs from a sealed copy of sbx
	 * (CVE-2019-5736). Where that cannot be (a kernel refusing executable
	 * memfds) sbx-oci goes on as it is. */
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0)
		oci_cloned_reexec(argc_all, argv_all);
	if (strcmp(cmd, "create") == 0)
		return cmd_create(&g, argc, argv);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(&g, argc, argv);
	if (strcmp(cmd, "exec") == 0) {
		int status = 0;

		if (oci_exec(g.root, argc, argv, &status, &e) < 0)
			return fail(&g, &e);
		return status;
	}
	if (strcmp(cmd, "start") == 0 || strcmp(cmd, "state") == 0 || strcmp(cmd, "kill") == 0 ||
	    strcmp(cmd, "delete") == 0)
		return cmd_simple(&g, cmd, argc, argv);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(&g, argc, argv);
	if (strcmp(cmd, "features") == 0) {
		oci_features(stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	sbx_error_set(&e, 0, "unknown command '%s' (see sbx oci --help)", cmd);
	return fail(&g, &e);
}
