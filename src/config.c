/* config.c - defaults, caller context and cross-option validation */
#include "autoconf.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desktop_opts.h"
#include "trusted_path.h"
#include "util.h"
#include "viewspec.h"

static const char *const ns_names[SBX_NS_COUNT] = {
	[SBX_NS_USER] = "user", [SBX_NS_MNT] = "mnt",
	[SBX_NS_PID] = "pid",   [SBX_NS_IPC] = "ipc",
	[SBX_NS_UTS] = "uts",   [SBX_NS_NET] = "net",
	[SBX_NS_CGROUP] = "cgroup", [SBX_NS_TIME] = "time",
};

const char *config_ns_name(enum sbx_ns ns)
{
	return ns < SBX_NS_COUNT ? ns_names[ns] : "?";
}

void config_init(struct sbx_config *c, const struct sbx_caller *caller)
{
	memset(c, 0, sizeof(*c));
	c->net = SBX_NET_NONE;
	c->mtu = SBX_MTU_DEFAULT;
	c->die_with_parent = true;
	c->host_uid = caller->uid;
	c->host_gid = caller->gid;
	c->user_name = caller->user_name ? xstrdup(caller->user_name) : NULL;
	c->home = xstrdup(caller->home && *caller->home ? caller->home : "/");
	c->cwd = caller->cwd ? xstrdup(caller->cwd) : NULL;
	c->cwd_errno = caller->cwd ? 0 : caller->cwd_errno ? caller->cwd_errno : ENOENT;
	c->shell = caller->shell && *caller->shell == '/' ? xstrdup(caller->shell) : NULL;
	c->nofile = caller->nofile;
	c->info_fd = c->json_status_fd = -1;
	c->bwrap.sync_fd = c->bwrap.block_fd = c->bwrap.userns_block_fd = c->bwrap.userns2_fd = -1;
}

/* --home DIR is a bind of DIR at $HOME that comes first among the view
 * operations wherever it was written, so every other option (--bind ~/src,
 * a profile's dotfiles) lands on top of it rather than under it. */
/* Does the view operation @m put a new directory at @dir or above it? */
static bool mounts_over(const struct sbx_mount_spec *m, const char *dir)
{
	size_t n = strlen(m->dest);

	switch (m->kind) {
	case SBX_MOUNT_BIND:
	case SBX_MOUNT_RO_BIND:
	case SBX_MOUNT_DEV_BIND:
	case SBX_MOUNT_TMPFS:
	case SBX_MOUNT_OVERLAY:
	case SBX_MOUNT_TMP_OVERLAY:
	case SBX_MOUNT_RO_OVERLAY:
		break;
	default:
		return false;
	}
	/* A -try bind may not happen: it cannot be judged here. */
	if (m->try_src || !m->dest)
		return false;
	if (strcmp(m->dest, "/") == 0)
		return true;
	return strncmp(dir, m->dest, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

static int add_home_bind(struct sbx_config *c, struct sbx_error *e)
{
	struct sbx_mount_spec home;
	_cleanup_free_ char *spec = NULL;

	/* The home bind comes first: a mount at $HOME or above it would cover
	 * it, and --home would silently do nothing. */
	for (size_t i = 0; i < c->n_mounts; i++)
		if (mounts_over(&c->mounts[i], c->home))
			return sbx_error_set(e, 0, "--home %s: hidden by --%s at %s, which covers %s",
					     c->home_dir, c->mounts[i].option, c->mounts[i].dest,
					     c->home);

	if (strcmp(c->home, "/") == 0)
		return sbx_error_set(e, 0, "--home %s: your $HOME is /, there is no home to replace",
				     c->home_dir);
	if (strchr(c->home_dir, ':') || strchr(c->home, ':'))
		return sbx_error_set(e, 0, "--home %s: a path with ':' cannot be bound at $HOME",
				     c->home_dir);
	spec = xasprintf("%s:%s", c->home_dir, c->home);
	if (viewspec_add_bind(c, SBX_MOUNT_BIND, false, "home", spec, e) < 0)
		return -EINVAL;
	home = c->mounts[c->n_mounts - 1];
	memmove(&c->mounts[1], &c->mounts[0], (c->n_mounts - 1) * sizeof(*c->mounts));
	c->mounts[0] = home;
	return 0;
}

int config_prepare_home(const struct sbx_config *c, struct sbx_error *e)
{
	const struct trusted_path_who who = { .uid = c->host_uid, .gid = c->host_gid };
	_cleanup_free_ char *what = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!c->home_dir)
		return 0;
	what = xasprintf("--home %s", c->home_dir);
	/* mkdir -p, each new directory 0700 (nobody else needs to look in),
	 * through directories no one else can change: the bind of the path,
	 * later, then finds what was checked here. */
	fd = trusted_path_open(c->home_dir, &who, true, O_PATH, &st, what, e);
	if (fd < 0)
		return fd;
	if (!S_ISDIR(st.st_mode))
		return sbx_error_set(e, ENOTDIR, "--home %s", c->home_dir);
	/* Someone else's directory as a home: their files, their traps. */
	if (st.st_uid != c->host_uid)
		return sbx_error_set(e, 0, "--home %s: owned by uid %u, not by you", c->home_dir,
				     (unsigned)st.st_uid);
	if (trusted_path_writable_by_others(&st, &who))
		return sbx_error_set(e, 0, "--home %s: writable by others (chmod go-w)",
				     c->home_dir);
	return 0;
}

int config_finish(struct sbx_config *c, struct sbx_error *e)
{
	if (!c->uid_set)
		c->uid = c->host_uid;
	if (!c->gid_set)
		c->gid = c->host_gid;

	if (c->has_time_offset && c->share[SBX_NS_TIME])
		return sbx_error_set(e, 0, "--time-offset needs a new time namespace; drop --share-time");
	if (c->hostname && c->share[SBX_NS_UTS])
		return sbx_error_set(e, 0, "--hostname needs a new UTS namespace; drop --share-uts");

	/* --allow-net (egress): implies --net slirp; the host's own network
	 * namespace cannot be filtered without privileges. */
	if (c->n_allow_net && c->net == SBX_NET_HOST)
		return sbx_error_set(e, 0, "--allow-net: rootless sbx cannot filter the host's network "
					   "(--share-net / --net host); use --net slirp");
	if (c->n_allow_net)
		c->net = SBX_NET_SLIRP;

	if (c->net != SBX_NET_SLIRP) {
		if (c->n_publish)
			return sbx_error_set(e, 0, "--publish %s: needs a private network (--net slirp)",
					     c->publish[0].spec);
		if (c->mtu_set || c->no_ipv6 || c->allow_host_loopback || c->no_tcp_bypass)
			return sbx_error_set(e, 0, "%s needs --net slirp",
					     c->mtu_set		? "--mtu"
					     : c->no_ipv6	? "--no-ipv6"
					     : c->no_tcp_bypass ? "--no-tcp-bypass"
								: "--allow-host-loopback");
	}
	if (c->net == SBX_NET_SLIRP && !c->no_ipv6 && c->mtu < 1280)
		return sbx_error_set(e, 0, "--mtu %u: IPv6 needs at least 1280 (or --no-ipv6)", c->mtu);
	if (c->seccomp == SBX_SECCOMP_PROFILE && (c->allow_userns || c->allow_io_uring))
		return sbx_error_set(e, 0, "--allow-userns and --allow-io-uring adjust the default filter; "
					   "with --seccomp FILE the profile decides");

	if (viewspec_finish(c, e) < 0)
		return -EINVAL;
	if (c->home_dir && add_home_bind(c, e) < 0)
		return -EINVAL;

	if (!c->argv || !c->argv[0]) {
		free(c->argv);
		c->argv = xreallocarray(NULL, 2, sizeof(char *));
		c->argv[0] = xstrdup(c->shell ? c->shell : "/bin/sh");
		c->argv[1] = NULL;
	}
	return 0;
}

void config_free(struct sbx_config *c)
{
	viewspec_free(c);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].src);
		free(c->mounts[i].dest);
	}
	free(c->mounts);
	for (size_t i = 0; i < c->n_env_ops; i++) {
		free(c->env_ops[i].name);
		free(c->env_ops[i].value);
	}
	free(c->env_ops);
	desktop_config_free(c);
	free(c->pass_fds);
	for (size_t i = 0; i < c->n_publish; i++)
		free(c->publish[i].spec);
	free(c->publish);
	free(c->seccomp_profile);
	free(c->allow_connect);
	free(c->allow_bind);
	free(c->allow_net);
	if (c->argv)
		for (char **a = c->argv; *a; a++)
			free(*a);
	free(c->argv);
	for (size_t i = 0; i < c->n_applied; i++) {
		for (unsigned k = 0; k < c->applied[i].nargs; k++)
			free(c->applied[i].args[k]);
		free(c->applied[i].origin);
	}
	free(c->applied);
	free(c->chdir);
	free(c->hostname);
	free(c->name);
	free(c->home_dir);
	free(c->user_name);
	free(c->home);
	free(c->cwd);
	free(c->shell);
	memset(c, 0, sizeof(*c));
}

int config_caller_from_env(struct sbx_caller *caller, char **ret_cwd, struct sbx_error *e)
{
	struct passwd *pw;
	const char *home = getenv("HOME");
	const char *shell = getenv("SHELL");
	struct rlimit nofile;
	char *cwd;

	memset(caller, 0, sizeof(*caller));
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0)
		caller->nofile = nofile.rlim_cur;
	caller->uid = getuid();
	caller->gid = getgid();
	pw = getpwuid(caller->uid);
	if (pw) {
		caller->user_name = pw->pw_name;
		if (!home || *home != '/')
			home = pw->pw_dir;
		if (!shell || *shell != '/')
			shell = pw->pw_shell;
	}
	caller->home = home && *home == '/' ? home : "/";
	caller->shell = shell;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		caller->cwd_errno = errno;
	caller->cwd = cwd;
	*ret_cwd = cwd;
	return 0;
}
