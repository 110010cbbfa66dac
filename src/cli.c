/* cli.c - table-driven option parser and --help */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "cli.h"
#include "util.h"
#include "viewspec.h"

enum opt_id {
	OPT_HELP,
	OPT_VERSION,
	OPT_VERBOSE,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_TMPFS,
	OPT_DEV_BIND,
	OPT_BIND_TRY,
	OPT_RO_BIND_TRY,
	OPT_DEV_BIND_TRY,
	OPT_DIR,
	OPT_SYMLINK,
	OPT_FILE,
	OPT_BIND_DATA,
	OPT_RO_BIND_DATA,
	OPT_CHMOD,
	OPT_PERMS,
	OPT_SIZE,
	OPT_REMOUNT_RO,
	OPT_OVERLAY_SRC,
	OPT_OVERLAY,
	OPT_TMP_OVERLAY,
	OPT_RO_OVERLAY,
	OPT_USERNS,
	OPT_CHDIR,
	OPT_HOSTNAME,
	OPT_SETENV,
	OPT_UNSETENV,
	OPT_CLEARENV,
	OPT_SHARE_NET,
	OPT_SHARE_PID,
	OPT_SHARE_IPC,
	OPT_SHARE_UTS,
	OPT_SHARE_CGROUP,
	OPT_SHARE_TIME,
	OPT_NET,
	OPT_TIME_OFFSET,
	OPT_UID,
	OPT_GID,
	OPT_ROOT,
	OPT_CAP_ADD,
	OPT_PASS_FD,
	OPT_DIE_WITH_PARENT,
	OPT_NO_DIE_WITH_PARENT,
	OPT_SECCOMP,
	OPT_ALLOW_USERNS,
	OPT_ALLOW_IO_URING,
	OPT_ALLOW_CONNECT,
	OPT_ALLOW_BIND,
};

struct cli_option {
	const char *name;
	char short_name;
	unsigned nargs;
	enum opt_id id;
	const char *metavar;
	const char *help;
};

/* The order here is the order of --help. */
static const struct cli_option options[] = {
	{ "bind", 0, 1, OPT_BIND, "SRC[:DEST[:OPTS]]",
	  "bind host SRC read-write at DEST (default: SRC)" },
	{ "ro-bind", 0, 1, OPT_RO_BIND, "SRC[:DEST[:OPTS]]", "bind host SRC read-only, sub-mounts too" },
	{ "dev-bind", 0, 1, OPT_DEV_BIND, "SRC[:DEST[:OPTS]]", "like --bind, device nodes usable" },
	{ "bind-try", 0, 1, OPT_BIND_TRY, "SRC[:DEST[:OPTS]]", "like --bind; skipped if SRC is missing" },
	{ "ro-bind-try", 0, 1, OPT_RO_BIND_TRY, "SRC[:DEST[:OPTS]]",
	  "like --ro-bind; skipped if SRC is missing" },
	{ "dev-bind-try", 0, 1, OPT_DEV_BIND_TRY, "SRC[:DEST[:OPTS]]",
	  "like --dev-bind; skipped if SRC is missing" },
	{ "tmpfs", 0, 1, OPT_TMPFS, "DEST", "mount an empty private tmpfs at DEST" },
	{ "dir", 0, 1, OPT_DIR, "DEST", "create directory DEST" },
	{ "symlink", 0, 2, OPT_SYMLINK, "TARGET DEST", "create symlink DEST pointing to TARGET" },
	{ "file", 0, 2, OPT_FILE, "FD DEST", "copy what fd FD reads into a new file DEST" },
	{ "bind-data", 0, 2, OPT_BIND_DATA, "FD DEST", "bind a file holding fd FD's content at DEST" },
	{ "ro-bind-data", 0, 2, OPT_RO_BIND_DATA, "FD DEST", "like --bind-data, read-only" },
	{ "chmod", 0, 2, OPT_CHMOD, "MODE PATH", "set the mode of PATH (octal)" },
	{ "perms", 0, 1, OPT_PERMS, "MODE", "mode of the next --tmpfs, --dir, --file..." },
	{ "size", 0, 1, OPT_SIZE, "BYTES", "size limit of the next --tmpfs (k/m/g suffixes)" },
	{ "remount-ro", 0, 1, OPT_REMOUNT_RO, "DEST", "make the mount at DEST read-only" },
	{ "overlay-src", 0, 1, OPT_OVERLAY_SRC, "SRC", "lower layer of the next overlay (first: bottom)" },
	{ "overlay", 0, 3, OPT_OVERLAY, "RWDIR WORKDIR DEST",
	  "overlay at DEST, changes kept in host RWDIR" },
	{ "tmp-overlay", 0, 1, OPT_TMP_OVERLAY, "DEST", "writable overlay at DEST, changes discarded" },
	{ "ro-overlay", 0, 1, OPT_RO_OVERLAY, "DEST", "read-only overlay of 2+ --overlay-src at DEST" },
	{ "userns", 0, 1, OPT_USERNS, "keep-id|isolated",
	  "isolated: subordinate ids only (default keep-id)" },
	{ "chdir", 0, 1, OPT_CHDIR, "DIR", "start the command in DIR" },
	{ "hostname", 0, 1, OPT_HOSTNAME, "NAME", "hostname inside (default: sbx)" },
	{ "setenv", 0, 2, OPT_SETENV, "VAR VALUE", "set an environment variable" },
	{ "unsetenv", 0, 1, OPT_UNSETENV, "VAR", "unset an environment variable" },
	{ "clearenv", 0, 0, OPT_CLEARENV, NULL, "start from an empty environment" },
	{ "net", 0, 1, OPT_NET, "none|host", "network: none (new namespace, lo only; default) or host" },
	{ "share-net", 0, 0, OPT_SHARE_NET, NULL, "use the host's network namespace (= --net host)" },
	{ "share-pid", 0, 0, OPT_SHARE_PID, NULL, "use the host's pid namespace" },
	{ "share-ipc", 0, 0, OPT_SHARE_IPC, NULL, "use the host's IPC namespace" },
	{ "share-uts", 0, 0, OPT_SHARE_UTS, NULL, "use the host's UTS namespace (hostname)" },
	{ "share-cgroup", 0, 0, OPT_SHARE_CGROUP, NULL, "use the host's cgroup namespace" },
	{ "share-time", 0, 0, OPT_SHARE_TIME, NULL, "use the host's time namespace" },
	{ "time-offset", 0, 1, OPT_TIME_OFFSET, "monotonic=S,boottime=S",
	  "shift the sandbox's clocks by S seconds" },
	{ "uid", 0, 1, OPT_UID, "N", "user id inside (default: yours)" },
	{ "gid", 0, 1, OPT_GID, "N", "group id inside (default: yours)" },
	{ "root", 0, 0, OPT_ROOT, NULL, "same as --uid 0 --gid 0" },
	{ "cap-add", 0, 1, OPT_CAP_ADD, "CAP[,CAP...]",
	  "keep these capabilities (default: none; ALL for every one)" },
	{ "pass-fd", 0, 1, OPT_PASS_FD, "N", "let fd N through to the command (default: 0-2 only)" },
	{ "die-with-parent", 0, 0, OPT_DIE_WITH_PARENT, NULL,
	  "kill the sandbox when sbx dies (default)" },
	{ "no-die-with-parent", 0, 0, OPT_NO_DIE_WITH_PARENT, NULL,
	  "keep the sandbox running if sbx dies" },
	{ "seccomp", 0, 1, OPT_SECCOMP, "default|unconfined|FILE",
	  "system-call filter: built-in (default), none, or a Docker JSON profile" },
	{ "allow-userns", 0, 0, OPT_ALLOW_USERNS, NULL,
	  "let the command create nested user namespaces" },
	{ "allow-io-uring", 0, 0, OPT_ALLOW_IO_URING, NULL, "let the command use io_uring" },
	{ "allow-connect", 0, 1, OPT_ALLOW_CONNECT, "PORT[,PORT...]",
	  "TCP connect only to these ports (Landlock; ranges A-B)" },
	{ "allow-bind", 0, 1, OPT_ALLOW_BIND, "PORT[,PORT...]",
	  "TCP bind only to these ports (Landlock; ranges A-B)" },
	{ "verbose", 'v', 0, OPT_VERBOSE, NULL, "say what sbx does (repeat for more)" },
	{ "version", 0, 0, OPT_VERSION, NULL, "print the version and exit" },
	{ "help", 'h', 0, OPT_HELP, NULL, "print this help and exit" },
};

void cli_print_help(FILE *out)
{
	fputs("Usage: sbx [OPTION]... [--] [COMMAND [ARG]...]\n"
	      "Run COMMAND (default: $SHELL) in a rootless sandbox: new user, mount, pid, ipc,\n"
	      "uts, net, cgroup and time namespaces; the host's /usr, /etc and /opt read-only;\n"
	      "private /tmp, /var/tmp, /run and an empty $HOME; no capabilities.\n\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct cli_option *o = &options[i];
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

static void add_env_op(struct sbx_config *c, const char *name, const char *value)
{
	struct sbx_env_op *op;

	c->env_ops = xreallocarray(c->env_ops, c->n_env_ops + 1, sizeof(*c->env_ops));
	op = &c->env_ops[c->n_env_ops++];
	op->name = xstrdup(name);
	op->value = value ? xstrdup(value) : NULL;
}

static int parse_env_name(const char *option, const char *name, struct sbx_error *e)
{
	if (!*name || strchr(name, '='))
		return sbx_error_set(e, 0, "--%s %s: not a valid variable name", option, name);
	return 0;
}

static int parse_time_offset(struct sbx_config *c, const char *arg, struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *save = NULL;

	if (!*arg)
		return sbx_error_set(e, 0, "--time-offset: expected monotonic=SECS,boottime=SECS");
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		long long secs;

		if (!eq || parse_int64(eq + 1, &secs) < 0)
			return sbx_error_set(e, 0, "--time-offset %s: expected monotonic=SECS,boottime=SECS",
					     arg);
		/* The kernel bounds offsets to a few hundred years; say so early. */
		if (secs > (1LL << 40) || secs < -(1LL << 40))
			return sbx_error_set(e, ERANGE, "--time-offset %s", arg);
		*eq = '\0';
		if (strcmp(item, "monotonic") == 0)
			c->time_offset_monotonic = secs;
		else if (strcmp(item, "boottime") == 0)
			c->time_offset_boottime = secs;
		else
			return sbx_error_set(e, 0, "--time-offset: unknown clock '%s' (monotonic, boottime)",
					     item);
	}
	c->has_time_offset = true;
	return 0;
}

static int parse_caps(struct sbx_config *c, const char *arg, struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		_cleanup_free_ char *name = NULL;
		cap_value_t cap;

		if (strcasecmp(item, "ALL") == 0) {
			for (cap_value_t i = 0; i <= CAP_LAST_CAP && i < 64; i++)
				c->cap_add |= UINT64_C(1) << i;
			continue;
		}
		name = strncasecmp(item, "cap_", 4) == 0 ? xstrdup(item) : xasprintf("cap_%s", item);
		for (char *p = name; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (cap_from_name(name, &cap) < 0 || cap < 0 || cap > 63)
			return sbx_error_set(e, 0, "--cap-add: unknown capability '%s'", item);
		c->cap_add |= UINT64_C(1) << cap;
	}
	return 0;
}

/* "80,443,8000-8010" appended to *ports; at most SBX_MAX_PORTS in all. */
static int parse_ports(const char *option, const char *arg, uint16_t **ports, size_t *n,
		       struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *save = NULL;

	if (!*arg)
		return sbx_error_set(e, 0, "--%s: expected PORT[,PORT...]", option);
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(item, '-');
		unsigned long lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_uint(item, 65535, &lo) < 0 || parse_uint(dash ? dash + 1 : item, 65535, &hi) < 0 ||
		    hi < lo)
			return sbx_error_set(e, 0, "--%s %s: not a port or LOW-HIGH range (0-65535)",
					     option, arg);
		if (*n + (hi - lo + 1) > SBX_MAX_PORTS)
			return sbx_error_set(e, 0, "--%s: more than %d ports", option, SBX_MAX_PORTS);
		*ports = xreallocarray(*ports, *n + (hi - lo + 1), sizeof(**ports));
		for (unsigned long p = lo; p <= hi; p++)
			(*ports)[(*n)++] = (uint16_t)p;
	}
	return 0;
}

static int parse_seccomp(struct sbx_config *c, const char *arg, struct sbx_error *e)
{
	free(c->seccomp_profile);
	c->seccomp_profile = NULL;
	if (strcmp(arg, "default") == 0) {
		c->seccomp = SBX_SECCOMP_DEFAULT;
	} else if (strcmp(arg, "unconfined") == 0) {
		c->seccomp = SBX_SECCOMP_UNCONFINED;
	} else if (*arg) {
		c->seccomp = SBX_SECCOMP_PROFILE;
		c->seccomp_profile = cli_resolve_path(arg, c->home, c->cwd);
	} else {
		return sbx_error_set(e, 0, "--seccomp: expected default, unconfined or a FILE");
	}
	return 0;
}

static int parse_id(const char *option, const char *arg, unsigned long *ret, struct sbx_error *e)
{
	/* 65535 and 4294967295 are the overflow and invalid ids: never valid targets. */
	if (parse_uint(arg, 4294967294UL, ret) < 0 || *ret == 65535UL)
		return sbx_error_set(e, 0, "--%s %s: not a usable id", option, arg);
	return 0;
}

static int apply_option(struct sbx_config *c, const struct cli_option *o, char *const *args,
			enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;

	switch (o->id) {
	case OPT_HELP:
		*action = CLI_HELP;
		return 0;
	case OPT_VERSION:
		*action = CLI_VERSION;
		return 0;
	case OPT_VERBOSE:
		c->verbose++;
		return 0;
	case OPT_BIND:
	case OPT_BIND_TRY:
		return viewspec_add_bind(c, SBX_MOUNT_BIND, o->id == OPT_BIND_TRY, o->name, args[0], e);
	case OPT_RO_BIND:
	case OPT_RO_BIND_TRY:
		return viewspec_add_bind(c, SBX_MOUNT_RO_BIND, o->id == OPT_RO_BIND_TRY, o->name,
					 args[0], e);
	case OPT_DEV_BIND:
	case OPT_DEV_BIND_TRY:
		return viewspec_add_bind(c, SBX_MOUNT_DEV_BIND, o->id == OPT_DEV_BIND_TRY, o->name,
					 args[0], e);
	case OPT_TMPFS:
		return viewspec_add_dest_op(c, SBX_MOUNT_TMPFS, o->name, args[0], e);
	case OPT_DIR:
		return viewspec_add_dest_op(c, SBX_MOUNT_DIR, o->name, args[0], e);
	case OPT_REMOUNT_RO:
		return viewspec_add_dest_op(c, SBX_MOUNT_REMOUNT_RO, o->name, args[0], e);
	case OPT_TMP_OVERLAY:
		return viewspec_add_dest_op(c, SBX_MOUNT_TMP_OVERLAY, o->name, args[0], e);
	case OPT_RO_OVERLAY:
		return viewspec_add_dest_op(c, SBX_MOUNT_RO_OVERLAY, o->name, args[0], e);
	case OPT_SYMLINK:
		return viewspec_add_symlink(c, o->name, args[0], args[1], e);
	case OPT_FILE:
		return viewspec_add_fd_op(c, SBX_MOUNT_FILE, o->name, args[0], args[1], e);
	case OPT_BIND_DATA:
		return viewspec_add_fd_op(c, SBX_MOUNT_BIND_DATA, o->name, args[0], args[1], e);
	case OPT_RO_BIND_DATA:
		return viewspec_add_fd_op(c, SBX_MOUNT_RO_BIND_DATA, o->name, args[0], args[1], e);
	case OPT_CHMOD:
		return viewspec_add_chmod(c, o->name, args[0], args[1], e);
	case OPT_PERMS:
		return viewspec_set_perms(c, o->name, args[0], e);
	case OPT_SIZE:
		return viewspec_set_size(c, o->name, args[0], e);
	case OPT_OVERLAY_SRC:
		return viewspec_add_overlay_src(c, o->name, args[0], e);
	case OPT_OVERLAY:
		return viewspec_add_overlay(c, o->name, args[0], args[1], args[2], e);
	case OPT_USERNS:
		if (strcmp(args[0], "keep-id") == 0)
			c->userns_mode = SBX_USERNS_KEEP_ID;
		else if (strcmp(args[0], "isolated") == 0)
			c->userns_mode = SBX_USERNS_ISOLATED;
		else
			return sbx_error_set(e, 0, "--userns %s: unknown mode (keep-id, isolated)", args[0]);
		return 0;
	case OPT_CHDIR:
		free(c->chdir);
		c->chdir = cli_resolve_path(args[0], c->home, c->cwd);
		return 0;
	case OPT_HOSTNAME:
		if (!*args[0] || strlen(args[0]) > 64)
			return sbx_error_set(e, 0, "--hostname: must be 1 to 64 characters");
		free(c->hostname);
		c->hostname = xstrdup(args[0]);
		return 0;
	case OPT_SETENV:
		if (parse_env_name(o->name, args[0], e) < 0)
			return -EINVAL;
		add_env_op(c, args[0], args[1]);
		return 0;
	case OPT_UNSETENV:
		if (parse_env_name(o->name, args[0], e) < 0)
			return -EINVAL;
		add_env_op(c, args[0], NULL);
		return 0;
	case OPT_CLEARENV:
		c->clearenv = true;
		/* Earlier --setenv/--unsetenv are void: the environment starts empty. */
		for (size_t i = 0; i < c->n_env_ops; i++) {
			free(c->env_ops[i].name);
			free(c->env_ops[i].value);
		}
		c->n_env_ops = 0;
		return 0;
	case OPT_NET:
		if (strcmp(args[0], "none") == 0) {
			c->net = SBX_NET_NONE;
			c->share[SBX_NS_NET] = false;
		} else if (strcmp(args[0], "host") == 0) {
			c->net = SBX_NET_HOST;
			c->share[SBX_NS_NET] = true;
		} else {
			return sbx_error_set(e, 0, "--net %s: unknown mode (none, host)", args[0]);
		}
		return 0;
	case OPT_SHARE_NET:
		c->net = SBX_NET_HOST;
		c->share[SBX_NS_NET] = true;
		return 0;
	case OPT_SHARE_PID:
		c->share[SBX_NS_PID] = true;
		return 0;
	case OPT_SHARE_IPC:
		c->share[SBX_NS_IPC] = true;
		return 0;
	case OPT_SHARE_UTS:
		c->share[SBX_NS_UTS] = true;
		return 0;
	case OPT_SHARE_CGROUP:
		c->share[SBX_NS_CGROUP] = true;
		return 0;
	case OPT_SHARE_TIME:
		c->share[SBX_NS_TIME] = true;
		return 0;
	case OPT_TIME_OFFSET:
		return parse_time_offset(c, args[0], e);
	case OPT_UID:
		if (parse_id(o->name, args[0], &n, e) < 0)
			return -EINVAL;
		c->uid = (uid_t)n;
		c->uid_set = true;
		return 0;
	case OPT_GID:
		if (parse_id(o->name, args[0], &n, e) < 0)
			return -EINVAL;
		c->gid = (gid_t)n;
		c->gid_set = true;
		return 0;
	case OPT_ROOT:
		c->uid = 0;
		c->gid = 0;
		c->uid_set = c->gid_set = true;
		return 0;
	case OPT_CAP_ADD:
		return parse_caps(c, args[0], e);
	case OPT_PASS_FD:
		if (parse_uint(args[0], 1 << 20, &n) < 0)
			return sbx_error_set(e, 0, "--pass-fd %s: not a file descriptor number", args[0]);
		c->pass_fds = xreallocarray(c->pass_fds, c->n_pass_fds + 1, sizeof(int));
		c->pass_fds[c->n_pass_fds++] = (int)n;
		return 0;
	case OPT_DIE_WITH_PARENT:
		c->die_with_parent = true;
		return 0;
	case OPT_NO_DIE_WITH_PARENT:
		c->die_with_parent = false;
		return 0;
	case OPT_SECCOMP:
		return parse_seccomp(c, args[0], e);
	case OPT_ALLOW_USERNS:
		c->allow_userns = true;
		return 0;
	case OPT_ALLOW_IO_URING:
		c->allow_io_uring = true;
		return 0;
	case OPT_ALLOW_CONNECT:
		return parse_ports(o->name, args[0], &c->allow_connect, &c->n_allow_connect, e);
	case OPT_ALLOW_BIND:
		return parse_ports(o->name, args[0], &c->allow_bind, &c->n_allow_bind, e);
	}
	return sbx_error_set(e, 0, "internal error: unhandled option --%s", o->name);
}

static const struct cli_option *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static const struct cli_option *find_short(char ch)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].short_name == ch)
			return &options[i];
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
				r = apply_option(c, o, (char *const *)args, ret_action, e);
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
		r = apply_option(c, o, (char *const *)args, ret_action, e);
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
