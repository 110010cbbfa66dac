/* cli_table.c - every option: its row in the table and what it does */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "cli_table.h"
#include "limits_parse.h"
#include "desktop_opts.h"
#include "profile.h"
#include "publish_spec.h"
#include "registry.h"
#include "util.h"
#include "viewspec.h"

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

/* Comma lists are split with strsep(), not strtok_r(): an empty item ("a,",
 * ",", "a,,b") is a mistake to refuse, not something to skip in silence. */
static int parse_time_offset(struct sbx_config *c, const char *arg, struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *rest = copy;

	if (!*arg)
		return sbx_error_set(e, 0, "--time-offset: expected monotonic=SECS,boottime=SECS");
	for (char *item; (item = strsep(&rest, ","));) {
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
	char *rest = copy;

	for (char *item; (item = strsep(&rest, ","));) {
		_cleanup_free_ char *name = NULL;
		cap_value_t cap;

		if (!*item)
			return sbx_error_set(e, 0, "--cap-add '%s': expected CAP[,CAP...]", arg);
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
	char *rest = copy;

	if (!*arg)
		return sbx_error_set(e, 0, "--%s: expected PORT[,PORT...]", option);
	for (char *item; (item = strsep(&rest, ","));) {
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
		return cli_resolve_arg(c, "seccomp", arg, &c->seccomp_profile, e);
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

/* --- handlers: one per kind of option ----------------------------------- */

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

/* A flag that sets the bool at offset o->data of the config. */
static int opt_flag(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	*(bool *)((char *)c + o->data) = true;
	return 0;
}

#define TRY_FLAG 0x100 /* in o->data of the --*-bind-try rows */

static int opt_bind(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_bind(c, (enum sbx_mount_kind)(o->data & ~TRY_FLAG),
				 (o->data & TRY_FLAG) != 0, o->name, args[0], e);
}

static int opt_dest_op(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_dest_op(c, (enum sbx_mount_kind)o->data, o->name, args[0], e);
}

static int opt_fd_op(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_fd_op(c, (enum sbx_mount_kind)o->data, o->name, args[0], args[1], e);
}

static int opt_symlink(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_symlink(c, o->name, args[0], args[1], e);
}

static int opt_chmod(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_chmod(c, o->name, args[0], args[1], e);
}

static int opt_perms(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	return viewspec_set_perms(c, o->name, args[0], e);
}

static int opt_size(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	return viewspec_set_size(c, o->name, args[0], e);
}

static int opt_overlay_src(struct sbx_config *c, const struct cli_option *o,
			   const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_overlay_src(c, o->name, args[0], e);
}

static int opt_overlay(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_overlay(c, o->name, args[0], args[1], args[2], e);
}

static int opt_userns(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		      enum cli_action *action, struct sbx_error *e)
{
	if (strcmp(args[0], "keep-id") == 0)
		c->userns_mode = SBX_USERNS_KEEP_ID;
	else if (strcmp(args[0], "isolated") == 0)
		c->userns_mode = SBX_USERNS_ISOLATED;
	else if (strcmp(args[0], "single") == 0)
		c->userns_mode = SBX_USERNS_SINGLE;
	else
		return sbx_error_set(e, 0, "--userns %s: unknown mode (keep-id, isolated, single)",
				     args[0]);
	return 0;
}

static int opt_chdir(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	free(c->chdir);
	c->chdir = NULL;
	/* "" would resolve to the caller's directory and be named in the error. */
	if (!*args[0])
		return sbx_error_set(e, 0, "--chdir: empty path");
	return cli_resolve_arg(c, "chdir", args[0], &c->chdir, e);
}

static int opt_hostname(struct sbx_config *c, const struct cli_option *o, const char *const *args,
			enum cli_action *action, struct sbx_error *e)
{
	if (!*args[0] || strlen(args[0]) > 64)
		return sbx_error_set(e, 0, "--hostname: must be 1 to 64 characters");
	free(c->hostname);
	c->hostname = xstrdup(args[0]);
	return 0;
}

/* --setenv VAR VALUE (two words) and --unsetenv VAR (one). */
static int opt_env(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	if (parse_env_name(o->name, args[0], e) < 0)
		return -EINVAL;
	add_env_op(c, args[0], o->nargs == 2 ? args[1] : NULL);
	return 0;
}

static int opt_clearenv(struct sbx_config *c, const struct cli_option *o, const char *const *args,
			enum cli_action *action, struct sbx_error *e)
{
	c->clearenv = true;
	/* Earlier --setenv/--unsetenv are void: the environment starts empty. */
	for (size_t i = 0; i < c->n_env_ops; i++) {
		free(c->env_ops[i].name);
		free(c->env_ops[i].value);
	}
	c->n_env_ops = 0;
	return 0;
}

static void set_net(struct sbx_config *c, enum sbx_net_mode mode)
{
	c->net = mode;
	c->share[SBX_NS_NET] = mode == SBX_NET_HOST;
}

static int opt_net(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	if (strcmp(args[0], "none") == 0)
		set_net(c, SBX_NET_NONE);
	else if (strcmp(args[0], "host") == 0)
		set_net(c, SBX_NET_HOST);
	else if (strcmp(args[0], "slirp") == 0 || strcmp(args[0], "user") == 0)
		set_net(c, SBX_NET_SLIRP);
	else
		return sbx_error_set(e, 0, "--net %s: unknown mode (none, host, slirp)", args[0]);
	return 0;
}

static int opt_mtu(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		   enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;

	if (parse_uint(args[0], SBX_MTU_DEFAULT, &n) < 0 || n < 576)
		return sbx_error_set(e, 0, "--mtu %s: expected 576 to %u", args[0], SBX_MTU_DEFAULT);
	c->mtu = (unsigned)n;
	c->mtu_set = true;
	return 0;
}

static int opt_publish(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	struct sbx_publish p;
	int r;

	if (c->n_publish >= SBX_PUBLISH_MAX)
		return sbx_error_set(e, 0, "--publish %s: at most %d ports", args[0], SBX_PUBLISH_MAX);
	r = publish_spec_parse(args[0], &p, e);
	if (r < 0)
		return r;
	c->publish = xreallocarray(c->publish, c->n_publish + 1, sizeof(*c->publish));
	c->publish[c->n_publish++] = p;
	return 0;
}

static int opt_share(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	if (o->data == SBX_NS_NET)
		set_net(c, SBX_NET_HOST);
	c->share[o->data] = true;
	return 0;
}

static int opt_time_offset(struct sbx_config *c, const struct cli_option *o,
			   const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	return parse_time_offset(c, args[0], e);
}

static int opt_id(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		  enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;

	if (parse_id(o->name, args[0], &n, e) < 0)
		return -EINVAL;
	if (o->data == 'u') {
		c->uid = (uid_t)n;
		c->uid_set = true;
	} else {
		c->gid = (gid_t)n;
		c->gid_set = true;
	}
	return 0;
}

static int opt_root(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	c->uid = 0;
	c->gid = 0;
	c->uid_set = c->gid_set = true;
	return 0;
}

static int opt_cap_add(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return parse_caps(c, args[0], e);
}

static int opt_pass_fd(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;

	if (parse_uint(args[0], 1 << 20, &n) < 0)
		return sbx_error_set(e, 0, "--pass-fd %s: not a file descriptor number", args[0]);
	c->pass_fds = xreallocarray(c->pass_fds, c->n_pass_fds + 1, sizeof(int));
	c->pass_fds[c->n_pass_fds++] = (int)n;
	return 0;
}

static int opt_die_with_parent(struct sbx_config *c, const struct cli_option *o,
			       const char *const *args, enum cli_action *action,
			       struct sbx_error *e)
{
	c->die_with_parent = o->data != 0;
	return 0;
}

/* --- --info-fd, --json-status-fd (status_fd.c; issue 12/14) --------------- */
static int opt_status_fd(struct sbx_config *c, const struct cli_option *o,
			 const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	int *slot = o->data ? &c->json_status_fd : &c->info_fd;
	unsigned long n;

	if (parse_uint(args[0], 1 << 20, &n) < 0)
		return sbx_error_set(e, 0, "--%s %s: not a file descriptor number", o->name, args[0]);
	if (fcntl((int)n, F_GETFD) < 0)
		return sbx_error_set(e, errno, "--%s %s", o->name, args[0]);
	/* Ours to write, not the command's. */
	fcntl((int)n, F_SETFD, FD_CLOEXEC);
	*slot = (int)n;
	return 0;
}

static int opt_seccomp(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return parse_seccomp(c, args[0], e);
}

static int opt_ports(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	if (o->data == 'c')
		return parse_ports(o->name, args[0], &c->allow_connect, &c->n_allow_connect, e);
	return parse_ports(o->name, args[0], &c->allow_bind, &c->n_allow_bind, e);
}

/* --- egress (--allow-net, --allow-host): src/net/egress*.c --- */
static int opt_allow_net(struct sbx_config *c, const struct cli_option *o,
			 const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	struct egress_rule r;

	if (egress_rule_parse(args[0], &r, e) < 0)
		return -EINVAL;
	if (c->n_allow_net == EGRESS_MAX_RULES)
		return sbx_error_set(e, 0, "--allow-net: more than %d rules", EGRESS_MAX_RULES);
	c->allow_net = xreallocarray(c->allow_net, c->n_allow_net + 1, sizeof(*c->allow_net));
	c->allow_net[c->n_allow_net++] = r;
	return 0;
}

static int opt_home(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	free(c->home_dir);
	c->home_dir = NULL;
	if (!*args[0])
		return sbx_error_set(e, 0, "--home: empty path");
	return cli_resolve_arg(c, "home", args[0], &c->home_dir, e);
}

static int opt_profile(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return profile_load(c, args[0], NULL, e);
}

/* --- resource limits (issue 11, src/limits/) ------------------------------- */

static int opt_limit(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	unsigned long n;
	int r;

	switch (o->data) {
	case 'm':
	case 's':
		r = limits_parse_size(args[0], o->data == 'm' ? &c->limit_memory
							      : &c->limit_memory_swap);
		if (r == -ERANGE || (r == 0 && o->data == 'm' && c->limit_memory < LIMITS_MEMORY_MIN))
			return sbx_error_set(e, 0, "--%s %s: out of range (4M to 1024P)", o->name,
					     args[0]);
		if (r < 0)
			return sbx_error_set(e, 0, "--%s %s: expected a size such as 512M or 1.5G",
					     o->name, args[0]);
		c->limit_memory_swap_set |= o->data == 's';
		return 0;
	case 'p':
		/* pid 1 and the command are two already. */
		if (parse_uint(args[0], LIMITS_PIDS_MAX, &n) < 0 || n < 2)
			return sbx_error_set(e, 0, "--pids %s: expected 2 to %lu", args[0],
					     LIMITS_PIDS_MAX);
		c->limit_pids = n;
		return 0;
	case 'c':
		if (limits_parse_cpus(args[0], &c->limit_cpus_milli) < 0)
			return sbx_error_set(e, 0, "--cpus %s: expected 0.01 to 1024, such as 0.5 or 2",
					     args[0]);
		return 0;
	default:
		if (strcmp(args[0], "strict") != 0 && strcmp(args[0], "auto") != 0)
			return sbx_error_set(e, 0, "--limits %s: expected strict or auto", args[0]);
		c->limits_strict = strcmp(args[0], "strict") == 0;
		return 0;
	}
}

/* --- named sandboxes (src/lifecycle/) --- */
static int opt_name(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	int r = registry_check_name(args[0], e);

	if (r < 0)
		return sbx_error_set(e, 0, "--name %s: letters, digits, '_', '.', '-' (1 to %d, "
					   "the first a letter or digit)",
				     args[0], REGISTRY_NAME_MAX);
	free(c->name);
	c->name = xstrdup(args[0]);
	return 0;
}

#define BIND_META "SRC[:DEST[:OPTS]]"
#define FLAG(field) ((long)offsetof(struct sbx_config, field))

const struct cli_option cli_options[] = {
	{ "bind", 0, 1, BIND_META, "bind host SRC read-write at DEST (default: SRC)", opt_bind,
	  SBX_MOUNT_BIND },
	{ "ro-bind", 0, 1, BIND_META, "bind host SRC read-only, sub-mounts too", opt_bind,
	  SBX_MOUNT_RO_BIND },
	{ "dev-bind", 0, 1, BIND_META, "like --bind, device nodes usable", opt_bind,
	  SBX_MOUNT_DEV_BIND },
	{ "bind-try", 0, 1, BIND_META, "like --bind; skipped if SRC is missing", opt_bind,
	  SBX_MOUNT_BIND | TRY_FLAG },
	{ "ro-bind-try", 0, 1, BIND_META, "like --ro-bind; skipped if SRC is missing", opt_bind,
	  SBX_MOUNT_RO_BIND | TRY_FLAG },
	{ "dev-bind-try", 0, 1, BIND_META, "like --dev-bind; skipped if SRC is missing", opt_bind,
	  SBX_MOUNT_DEV_BIND | TRY_FLAG },
	{ "tmpfs", 0, 1, "DEST", "mount an empty private tmpfs at DEST", opt_dest_op,
	  SBX_MOUNT_TMPFS },
	{ "dir", 0, 1, "DEST", "create directory DEST", opt_dest_op, SBX_MOUNT_DIR },
	{ "symlink", 0, 2, "TARGET DEST", "create symlink DEST pointing to TARGET", opt_symlink, 0 },
	{ "file", 0, 2, "FD DEST", "copy what fd FD reads (16 MiB at most) into a new file DEST",
	  opt_fd_op, SBX_MOUNT_FILE },
	{ "bind-data", 0, 2, "FD DEST",
	  "bind a file holding fd FD's content (16 MiB at most) at DEST", opt_fd_op,
	  SBX_MOUNT_BIND_DATA },
	{ "ro-bind-data", 0, 2, "FD DEST", "like --bind-data, read-only", opt_fd_op,
	  SBX_MOUNT_RO_BIND_DATA },
	{ "chmod", 0, 2, "MODE PATH", "set the mode of PATH (octal)", opt_chmod, 0 },
	{ "perms", 0, 1, "MODE", "mode of the next --tmpfs, --dir, --file...", opt_perms, 0 },
	{ "size", 0, 1, "BYTES", "size limit of the next --tmpfs (k/m/g suffixes)", opt_size, 0 },
	{ "remount-ro", 0, 1, "DEST", "make the mount at DEST read-only", opt_dest_op,
	  SBX_MOUNT_REMOUNT_RO },
	{ "overlay-src", 0, 1, "SRC", "lower layer of the next overlay (first: bottom)",
	  opt_overlay_src, 0 },
	{ "overlay", 0, 3, "RWDIR WORKDIR DEST", "overlay at DEST, changes kept in host RWDIR",
	  opt_overlay, 0 },
	{ "tmp-overlay", 0, 1, "DEST", "writable overlay at DEST, changes discarded", opt_dest_op,
	  SBX_MOUNT_TMP_OVERLAY },
	{ "ro-overlay", 0, 1, "DEST", "read-only overlay of 2+ --overlay-src at DEST", opt_dest_op,
	  SBX_MOUNT_RO_OVERLAY },
	{ "userns", 0, 1, "keep-id|isolated|single",
	  "keep-id (default), isolated: subordinate ids only, single: your ids only", opt_userns, 0 },
	{ "no-userns-holder", 0, 0, NULL,
	  "run newuidmap/newgidmap at each start, not the per-user holder", opt_flag,
	  FLAG(no_userns_holder) },
	{ "chdir", 0, 1, "DIR", "start the command in DIR", opt_chdir, 0 },
	{ "hostname", 0, 1, "NAME", "hostname inside (default: sbx)", opt_hostname, 0 },
	{ "setenv", 0, 2, "VAR VALUE", "set an environment variable", opt_env, 0 },
	{ "unsetenv", 0, 1, "VAR", "unset an environment variable", opt_env, 0 },
	{ "clearenv", 0, 0, NULL, "start from an empty environment", opt_clearenv, 0 },
	{ "net", 0, 1, "none|host|slirp",
	  "network: none (lo only; default), host, or slirp (= user: private, NATed)", opt_net, 0 },
	{ "publish", 'p', 1, "[IP:]PORT:PORT[/udp]",
	  "--net slirp: forward host IP:PORT (default 0.0.0.0) to the sandbox's PORT", opt_publish,
	  0 },
	{ "mtu", 0, 1, "N", "--net slirp: MTU of tap0 (default 65520)", opt_mtu, 0 },
	{ "no-ipv6", 0, 0, NULL, "--net slirp: IPv4 only", opt_flag, FLAG(no_ipv6) },
	{ "no-tcp-bypass", 0, 0, NULL,
	  "--net slirp: TCP through libslirp and the relay, not on host sockets", opt_flag,
	  FLAG(no_tcp_bypass) },
	{ "allow-host-loopback", 0, 0, NULL,
	  "--net slirp: let 10.0.2.2, fd00::2 reach the host's loopback, and its addresses", opt_flag,
	  FLAG(allow_host_loopback) },
	/* egress: the host's addresses and the allow-list (src/net/egress*.c) */
	{ "allow-host", 0, 0, NULL, "--net slirp: = --allow-host-loopback", opt_flag,
	  FLAG(allow_host_loopback) },
	{ "allow-net", 0, 1, "HOST[:PORTS]",
	  "--net slirp (implied): reach only these names, *.names, IPs, CIDRs (repeatable)",
	  opt_allow_net, 0 },
	{ "share-net", 0, 0, NULL, "use the host's network namespace (= --net host)", opt_share,
	  SBX_NS_NET },
	{ "share-pid", 0, 0, NULL, "use the host's pid namespace", opt_share, SBX_NS_PID },
	{ "share-ipc", 0, 0, NULL, "use the host's IPC namespace", opt_share, SBX_NS_IPC },
	{ "share-uts", 0, 0, NULL, "use the host's UTS namespace (hostname)", opt_share, SBX_NS_UTS },
	{ "share-cgroup", 0, 0, NULL, "use the host's cgroup namespace", opt_share, SBX_NS_CGROUP },
	{ "share-time", 0, 0, NULL, "use the host's time namespace", opt_share, SBX_NS_TIME },
	{ "time-offset", 0, 1, "monotonic=S,boottime=S", "shift the sandbox's clocks by S seconds",
	  opt_time_offset, 0 },
	{ "uid", 0, 1, "N", "user id inside (default: yours)", opt_id, 'u' },
	{ "gid", 0, 1, "N", "group id inside (default: yours)", opt_id, 'g' },
	{ "root", 0, 0, NULL, "same as --uid 0 --gid 0", opt_root, 0 },
	{ "cap-add", 0, 1, "CAP[,CAP...]", "keep these capabilities (default: none; ALL for every one)",
	  opt_cap_add, 0 },
	{ "pass-fd", 0, 1, "N", "let fd N through to the command (default: 0-2 only)", opt_pass_fd,
	  0 },
	{ "die-with-parent", 0, 0, NULL, "kill the sandbox when sbx dies (default)",
	  opt_die_with_parent, 1 },
	{ "no-die-with-parent", 0, 0, NULL, "keep the sandbox running if sbx dies",
	  opt_die_with_parent, 0 },
	{ "seccomp", 0, 1, "default|unconfined|FILE",
	  "system-call filter: built-in (default), none, or a Docker JSON profile", opt_seccomp, 0 },
	/* status for programs (issue 12/14): bubblewrap's formats */
	{ "info-fd", 0, 1, "FD", "write the sandbox's pid and namespace ids to FD as JSON",
	  opt_status_fd, 0 },
	{ "json-status-fd", 0, 1, "FD",
	  "write JSON lines to FD: pid and namespaces at the start, the exit code at the end",
	  opt_status_fd, 1 },
	{ "allow-userns", 0, 0, NULL, "let the command create nested user namespaces", opt_flag,
	  FLAG(allow_userns) },
	{ "allow-io-uring", 0, 0, NULL, "let the command use io_uring", opt_flag,
	  FLAG(allow_io_uring) },
	{ "allow-connect", 0, 1, "PORT[,PORT...]", "TCP connect only to these ports (Landlock; ranges A-B)",
	  opt_ports, 'c' },
	{ "allow-bind", 0, 1, "PORT[,PORT...]", "TCP bind only to these ports (Landlock; ranges A-B)",
	  opt_ports, 'b' },
	/* resource limits (issue 11) */
	{ "memory", 0, 1, "SIZE", "limit the sandbox's memory (512M, 1.5G; cgroup v2)", opt_limit,
	  'm' },
	{ "memory-swap", 0, 1, "SIZE", "swap the sandbox may use beyond --memory (default: 0)",
	  opt_limit, 's' },
	{ "pids", 0, 1, "N", "limit the sandbox to N processes and threads", opt_limit, 'p' },
	{ "cpus", 0, 1, "N", "limit the sandbox to N CPUs' worth of time (0.5; cgroup v2)",
	  opt_limit, 'c' },
	{ "limits", 0, 1, "strict|auto",
	  "no cgroup v2: refuse to start, or fall back to rlimits (default: auto)",
	  opt_limit, 'l' },
	{ "home", 0, 1, "DIR", "bind host DIR (created 0700 if missing) as the sandbox's $HOME",
	  opt_home, 0 },
	/* Desktop apps (src/desktop/, issue 13) */
	{ "wayland", 0, 0, NULL, "the Wayland compositor's socket, in a private $XDG_RUNTIME_DIR",
	  opt_flag, FLAG(wayland) },
	{ "x11", 0, 0, NULL, "the X display's socket with an untrusted cookie (no keylogging)",
	  desktop_opt_x11, 0 },
	{ "x11-trusted", 0, 0, NULL, "--x11 with your own cookie: full access to the display",
	  desktop_opt_x11, 1 },
	{ "audio", 0, 0, NULL, "the PulseAudio socket and cookie, the PipeWire socket", opt_flag,
	  FLAG(audio) },
	{ "gpu", 0, 0, NULL, "GPU device nodes (/dev/dri, /dev/nvidia*, /dev/kfd), their /sys entries",
	  opt_flag, FLAG(gpu) },
	{ "gui", 0, 0, NULL, "wayland, x11, audio, gpu, portals, fonts and themes: what exists here",
	  opt_flag, FLAG(gui) },
	{ "dbus-talk", 0, 1, "NAME", "session bus through xdg-dbus-proxy: may talk to NAME",
	  desktop_opt_dbus, 0 },
	{ "dbus-own", 0, 1, "NAME", "session bus: may own NAME", desktop_opt_dbus, 1 },
	{ "dbus-see", 0, 1, "NAME", "session bus: may see NAME", desktop_opt_dbus, 2 },
	{ "dbus-call", 0, 1, "NAME=RULE", "session bus: may call NAME's RULE ([METHOD][@PATH])",
	  desktop_opt_dbus, 3 },
	{ "dbus-broadcast", 0, 1, "NAME=RULE", "session bus: receives NAME's broadcasts matching RULE",
	  desktop_opt_dbus, 4 },
	{ "dbus-system-talk", 0, 1, "NAME", "system bus through xdg-dbus-proxy: may talk to NAME",
	  desktop_opt_dbus, DESKTOP_DBUS_SYSTEM | 0 },
	{ "dbus-system-own", 0, 1, "NAME", "system bus: may own NAME", desktop_opt_dbus,
	  DESKTOP_DBUS_SYSTEM | 1 },
	{ "dbus-system-see", 0, 1, "NAME", "system bus: may see NAME", desktop_opt_dbus,
	  DESKTOP_DBUS_SYSTEM | 2 },
	{ "dbus-system-call", 0, 1, "NAME=RULE", "system bus: may call NAME's RULE",
	  desktop_opt_dbus, DESKTOP_DBUS_SYSTEM | 3 },
	{ "dbus-system-broadcast", 0, 1, "NAME=RULE",
	  "system bus: receives NAME's broadcasts matching RULE", desktop_opt_dbus,
	  DESKTOP_DBUS_SYSTEM | 4 },
	{ "dbus-session-unfiltered", 0, 0, NULL, "the real session bus, unfiltered (a warning)",
	  opt_flag, FLAG(dbus_session_unfiltered) },
	{ "profile", 0, 1, "NAME|PATH", "read options from a profile (repeatable; see sbx-profile(5))",
	  opt_profile, 0 },
	{ "print-config", 0, 0, NULL, "print the resolved options as a profile and exit", opt_action,
	  CLI_PRINT_CONFIG },
	/* named sandboxes (src/lifecycle/) */
	{ "name", 0, 1, "NAME", "register the sandbox as NAME (sbx ls, enter, stop, kill, logs)",
	  opt_name, 0 },
	{ "detach", 'd', 0, NULL, "run in the background: print the name, output to its log",
	  opt_flag, FLAG(detach) },
	{ "verbose", 'v', 0, NULL, "say what sbx does (repeat for more)", opt_verbose, 0 },
	{ "version", 0, 0, NULL, "print the version and exit", opt_action, CLI_VERSION },
	{ "help", 'h', 0, NULL, "print this help and exit", opt_action, CLI_HELP },
};

const size_t cli_n_options = ARRAY_SIZE(cli_options);

/* How each option is printed by --print-config and where it may appear: kept
 * apart from the rows so that a new row needs no flags (it is then a
 * repeatable option whose arguments are printed as given). */
static const struct {
	const char *name;
	unsigned flags;
} option_flags[] = {
	{ "bind", CLI_F_BIND },
	{ "ro-bind", CLI_F_BIND },
	{ "dev-bind", CLI_F_BIND },
	{ "bind-try", CLI_F_BIND },
	{ "ro-bind-try", CLI_F_BIND },
	{ "dev-bind-try", CLI_F_BIND },
	{ "tmpfs", CLI_F_PATH0 },
	{ "dir", CLI_F_PATH0 },
	{ "symlink", CLI_F_PATH1 },
	{ "file", CLI_F_PATH1 },
	{ "bind-data", CLI_F_PATH1 },
	{ "ro-bind-data", CLI_F_PATH1 },
	{ "chmod", CLI_F_PATH1 },
	{ "remount-ro", CLI_F_PATH0 },
	{ "overlay-src", CLI_F_PATH0 },
	{ "overlay", CLI_F_PATH0 | CLI_F_PATH1 | CLI_F_PATH2 },
	{ "tmp-overlay", CLI_F_PATH0 },
	{ "ro-overlay", CLI_F_PATH0 },
	{ "userns", CLI_F_SINGLE },
	{ "chdir", CLI_F_PATH0 | CLI_F_SINGLE },
	{ "hostname", CLI_F_SINGLE },
	{ "clearenv", CLI_F_SINGLE },
	{ "net", CLI_F_SINGLE },
	{ "mtu", CLI_F_SINGLE },
	{ "no-ipv6", CLI_F_SINGLE },
	{ "no-tcp-bypass", CLI_F_SINGLE },
	{ "allow-host-loopback", CLI_F_SINGLE },
	{ "allow-host", CLI_F_SINGLE },
	{ "share-net", CLI_F_SINGLE },
	{ "share-pid", CLI_F_SINGLE },
	{ "share-ipc", CLI_F_SINGLE },
	{ "share-uts", CLI_F_SINGLE },
	{ "share-cgroup", CLI_F_SINGLE },
	{ "share-time", CLI_F_SINGLE },
	{ "uid", CLI_F_SINGLE },
	{ "gid", CLI_F_SINGLE },
	{ "root", CLI_F_SINGLE },
	{ "die-with-parent", CLI_F_SINGLE },
	{ "no-die-with-parent", CLI_F_SINGLE },
	{ "seccomp", CLI_F_PATH0 | CLI_F_SINGLE },
	{ "allow-userns", CLI_F_SINGLE },
	{ "allow-io-uring", CLI_F_SINGLE },
	{ "home", CLI_F_PATH0 | CLI_F_SINGLE },
	{ "memory", CLI_F_SINGLE },
	{ "memory-swap", CLI_F_SINGLE },
	{ "pids", CLI_F_SINGLE },
	{ "cpus", CLI_F_SINGLE },
	{ "limits", CLI_F_SINGLE },
	/* Desktop apps (issue 13) */
	{ "wayland", CLI_F_SINGLE },
	{ "x11", CLI_F_SINGLE },
	{ "x11-trusted", CLI_F_SINGLE },
	{ "audio", CLI_F_SINGLE },
	{ "gpu", CLI_F_SINGLE },
	{ "gui", CLI_F_SINGLE },
	{ "dbus-session-unfiltered", CLI_F_SINGLE },
	{ "info-fd", CLI_F_CMDLINE | CLI_F_SINGLE },
	{ "json-status-fd", CLI_F_CMDLINE | CLI_F_SINGLE },
	{ "profile", CLI_F_CMDLINE },
	{ "print-config", CLI_F_CMDLINE },
	{ "name", CLI_F_CMDLINE },
	{ "detach", CLI_F_CMDLINE },
	{ "version", CLI_F_CMDLINE },
	{ "help", CLI_F_CMDLINE },
};

unsigned cli_option_flags(const struct cli_option *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_flags); i++)
		if (strcmp(option_flags[i].name, o->name) == 0)
			return option_flags[i].flags;
	return 0;
}
