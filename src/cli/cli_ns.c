/* cli_ns.c - namespaces and identity: --userns, --share-*, --time-offset,
 * --uid/--gid/--root, --cap-add */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "cli_table.h"
#include "util.h"

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

static int parse_id(const char *option, const char *arg, unsigned long *ret, struct sbx_error *e)
{
	/* 65535 and 4294967295 are the overflow and invalid ids: never valid targets. */
	if (parse_uint(arg, 4294967294UL, ret) < 0 || *ret == 65535UL)
		return sbx_error_set(e, 0, "--%s %s: not a usable id", option, arg);
	return 0;
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

static int opt_share(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	if (o->data == SBX_NS_NET)
		c->net = SBX_NET_HOST; /* as --net host */
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

static const struct cli_option ns_userns_rows[] = {
	{ "userns", 0, 1, "keep-id|isolated|single",
	  "keep-id (default), isolated: subordinate ids only, single: your ids only", opt_userns, 0,
	  CLI_F_SINGLE },
	{ "no-userns-holder", 0, 0, NULL,
	  "run newuidmap/newgidmap at each start, not the per-user holder", cli_table_flag,
	  CLI_FLAG(no_userns_holder), 0 },
};

const struct cli_option_group cli_ns_userns_options = CLI_GROUP(ns_userns_rows);

static const struct cli_option ns_rows[] = {
	{ "share-net", 0, 0, NULL, "use the host's network namespace (= --net host)", opt_share,
	  SBX_NS_NET, CLI_F_SINGLE },
	{ "share-pid", 0, 0, NULL, "use the host's pid namespace", opt_share, SBX_NS_PID,
	  CLI_F_SINGLE },
	{ "share-ipc", 0, 0, NULL, "use the host's IPC namespace", opt_share, SBX_NS_IPC,
	  CLI_F_SINGLE },
	{ "share-uts", 0, 0, NULL, "use the host's UTS namespace (hostname)", opt_share, SBX_NS_UTS,
	  CLI_F_SINGLE },
	{ "share-cgroup", 0, 0, NULL, "use the host's cgroup namespace", opt_share, SBX_NS_CGROUP,
	  CLI_F_SINGLE },
	{ "share-time", 0, 0, NULL, "use the host's time namespace", opt_share, SBX_NS_TIME,
	  CLI_F_SINGLE },
	{ "time-offset", 0, 1, "monotonic=S,boottime=S", "shift the sandbox's clocks by S seconds",
	  opt_time_offset, 0, 0 },
	{ "uid", 0, 1, "N", "user id inside (default: yours)", opt_id, 'u', CLI_F_SINGLE },
	{ "gid", 0, 1, "N", "group id inside (default: yours)", opt_id, 'g', CLI_F_SINGLE },
	{ "root", 0, 0, NULL, "same as --uid 0 --gid 0", opt_root, 0, CLI_F_SINGLE },
	{ "cap-add", 0, 1, "CAP[,CAP...]", "keep these capabilities (default: none; ALL for every one)",
	  opt_cap_add, 0, 0 },
};

const struct cli_option_group cli_ns_options = CLI_GROUP(ns_rows);
