/* bwrap_cli.c - `sbx bwrap` and sbx run as "bwrap": bubblewrap's command line
 *
 * bwrap_args.c reads the options; this file decides what bubblewrap would
 * (which namespaces, ids and capabilities), refuses what it refuses, with its
 * wording and exit status 1, and runs the sandbox through sandbox_run() with
 * the knobs of struct sbx_bwrap: an empty root, the caller's fds inherited,
 * no seccomp filter or Landlock of sbx's own.
 */
#include "autoconf.h"

#include <errno.h>
#include <sched.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bwrap_args.h"
#include "bwrap_cli.h"
#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"

/* bubblewrap's version whose command line this is. */
#define BWRAP_COMPAT_VERSION "0.11.0"

static void usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n", argv0);
	fputs("sbx speaking bubblewrap " BWRAP_COMPAT_VERSION "'s command line "
	      "(see sbx(1), \"bwrap compatibility\")\n"
	      "    --help                       Print this help\n"
	      "    --version                    Print version\n"
	      "    --args FD                    Parse NUL-separated args from FD\n"
	      "    --argv0 VALUE                Set argv[0] to VALUE before running the program\n"
	      "    --level-prefix               Prefix messages with <3> (syslog's error level)\n"
	      "    --unshare-all                Unshare every namespace we support by default\n"
	      "    --share-net                  Keep the network namespace (after --unshare-all)\n"
	      "    --unshare-user, --unshare-user-try, --unshare-ipc, --unshare-pid,\n"
	      "    --unshare-net, --unshare-uts, --unshare-cgroup, --unshare-cgroup-try\n"
	      "                                 Create a new namespace of that kind\n"
	      "    --userns FD, --userns2 FD, --pidns FD\n"
	      "                                 Create the sandbox in that namespace\n"
	      "    --disable-userns             Forbid more user namespaces in the sandbox\n"
	      "    --assert-userns-disabled     Fail unless that is already so\n"
	      "    --uid UID, --gid GID         Ids inside the sandbox (needs a user namespace)\n"
	      "    --hostname NAME              Host name (needs --unshare-uts)\n"
	      "    --chdir DIR                  Working directory of the command\n"
	      "    --clearenv, --setenv VAR VALUE, --unsetenv VAR\n"
	      "                                 The command's environment\n"
	      "    --lock-file DEST             Hold a lock on DEST while the sandbox runs\n"
	      "    --sync-fd FD                 Keep FD open while the sandbox runs\n"
	      "    --bind[-try] SRC DEST, --ro-bind[-try] SRC DEST, --dev-bind[-try] SRC DEST\n"
	      "    --bind-fd FD DEST, --ro-bind-fd FD DEST, --remount-ro DEST\n"
	      "    --overlay-src SRC, --overlay RWSRC WORKDIR DEST, --tmp-overlay DEST,\n"
	      "    --ro-overlay DEST, --proc DEST, --dev DEST, --tmpfs DEST, --mqueue DEST,\n"
	      "    --dir DEST, --file FD DEST, --bind-data FD DEST, --ro-bind-data FD DEST,\n"
	      "    --symlink SRC DEST, --chmod OCTAL PATH, --perms OCTAL, --size BYTES\n"
	      "                                 Build the root, in order\n"
	      "    --exec-label LABEL, --file-label LABEL\n"
	      "                                 SELinux labels (accepted)\n"
	      "    --seccomp FD, --add-seccomp-fd FD\n"
	      "                                 Load the BPF program(s) read from FD\n"
	      "    --block-fd FD                Wait for data on FD before running the command\n"
	      "    --userns-block-fd FD         Leave the id maps to the caller: wait for data on FD\n"
	      "    --info-fd FD                 Write information about the sandbox to FD\n"
	      "    --json-status-fd FD          Write its status, then the exit code, to FD\n"
	      "    --new-session                New terminal session for the command\n"
	      "    --die-with-parent            End the sandbox when the caller dies\n"
	      "    --as-pid-1                   The command is pid 1 (needs --unshare-pid)\n"
	      "    --cap-add CAP, --cap-drop CAP\n"
	      "                                 Capabilities of the command (ALL for all)\n",
	      f);
}

static bool userns_possible(void)
{
	FILE *f;
	char buf[32] = "";

	f = fopen("/proc/sys/user/max_user_namespaces", "re");
	if (!f)
		return access("/proc/self/ns/user", F_OK) == 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strcmp(buf, "0\n") != 0;
}

/* bubblewrap's checks, in its words. */
static int check_combinations(const struct sbx_config *c, const struct bwrap_opts *o,
			      bool unshare_user, struct sbx_error *e)
{
	if (o->userns_fd >= 0 && o->unshare_user)
		return sbx_error_set(e, 0, "--userns not compatible --unshare-user");
	if (o->userns_fd >= 0 && o->unshare_user_try)
		return sbx_error_set(e, 0, "--userns not compatible --unshare-user-try");
	if (c->bwrap.userns_block_fd >= 0 && !unshare_user)
		return sbx_error_set(e, 0, "--userns-block-fd requires --unshare-user");
	if (c->bwrap.userns_block_fd >= 0 && c->info_fd < 0)
		return sbx_error_set(e, 0, "--userns-block-fd requires --info-fd");
	if (c->bwrap.disable_userns && !unshare_user)
		return sbx_error_set(e, 0, "--disable-userns requires --unshare-user");
	if (c->bwrap.disable_userns && c->bwrap.userns_block_fd >= 0)
		return sbx_error_set(e, 0, "--disable-userns is not compatible with  --userns-block-fd");
	if (!unshare_user && o->userns_fd < 0 && o->uid_set && o->uid != c->host_uid)
		return sbx_error_set(e, 0, "Specifying --uid requires --unshare-user or --userns");
	if (!unshare_user && o->userns_fd < 0 && o->gid_set && o->gid != c->host_gid)
		return sbx_error_set(e, 0, "Specifying --gid requires --unshare-user or --userns");
	if (!o->unshare_uts && c->hostname)
		return sbx_error_set(e, 0, "Specifying --hostname requires --unshare-uts");
	if (c->bwrap.as_pid_1 && !o->unshare_pid)
		return sbx_error_set(e, 0, "Specifying --as-pid-1 requires --unshare-pid");
	if (c->bwrap.as_pid_1 && c->bwrap.n_lock_files)
		return sbx_error_set(e, 0, "Specifying --as-pid-1 and --lock-file is not permitted");
	if (c->view_pending.has_perms || c->view_pending.size)
		return sbx_error_set(e, 0, "%s must be followed by an option that creates a file",
				     c->view_pending.has_perms ? "--perms" : "--size");
	return 0;
}

/* Bind sources are found before anything starts, with bwrap's message. */
static int check_sources(const struct sbx_config *c, struct sbx_error *e)
{
	struct stat st;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sbx_mount_spec *m = &c->mounts[i];

		if (m->kind != SBX_MOUNT_BIND && m->kind != SBX_MOUNT_RO_BIND &&
		    m->kind != SBX_MOUNT_DEV_BIND)
			continue;
		if (stat(m->src, &st) < 0 && !(m->try_src && errno == ENOENT))
			return sbx_error_set(e, errno, "Can't find source path %s", m->src);
	}
	return 0;
}

static uint64_t all_caps(void)
{
	unsigned long last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	if (f) {
		if (fscanf(f, "%lu", &last) != 1 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last >= 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1;
}

/* From bwrap's decisions to sbx's config. */
static int translate(struct sbx_config *c, struct bwrap_opts *o, char **cmd, int ncmd,
		     struct sbx_error *e)
{
	bool unshare_user = o->userns_fd < 0 && (o->unshare_user || c->host_uid != 0 ||
						  (o->unshare_user_try && userns_possible()));
	int r = check_combinations(c, o, unshare_user, e);

	if (r < 0)
		return r;
	c->bwrap.no_userns = !unshare_user;
	c->share[SBX_NS_USER] = !unshare_user;
	c->share[SBX_NS_PID] = !o->unshare_pid;
	c->share[SBX_NS_NET] = !o->unshare_net;
	c->net = o->unshare_net ? SBX_NET_NONE : SBX_NET_HOST;
	c->share[SBX_NS_IPC] = !o->unshare_ipc;
	c->share[SBX_NS_UTS] = !o->unshare_uts;
	c->share[SBX_NS_CGROUP] = !(o->unshare_cgroup ||
				    (o->unshare_cgroup_try && access("/proc/self/ns/cgroup", F_OK) == 0));
	c->share[SBX_NS_TIME] = true;
	c->uid = o->uid_set ? (uid_t)o->uid : c->host_uid;
	c->gid = o->gid_set ? (gid_t)o->gid : c->host_gid;
	c->uid_set = c->gid_set = true;

	/* bwrap: uid 0 in the sandbox keeps every capability by default. */
	c->bwrap.keep_caps = c->uid == 0;
	c->bwrap.caps = c->uid == 0 ? all_caps() : 0;
	if (o->cap_add_all)
		c->bwrap.caps = all_caps();
	if (o->cap_drop_all)
		c->bwrap.caps = 0;
	c->bwrap.caps = (c->bwrap.caps | o->cap_add) & ~o->cap_drop;
	c->bwrap.caps_requested = o->cap_add || o->cap_drop || o->cap_add_all || o->cap_drop_all;
	if ((o->cap_add || o->cap_add_all) && !unshare_user && c->host_uid != 0)
		return sbx_error_set(e, 0, "--cap-add needs a user namespace");

	if (ncmd <= 0)
		return -EINVAL; /* usage */
	c->argv = xreallocarray(NULL, (size_t)ncmd + 1, sizeof(char *));
	for (int i = 0; i < ncmd; i++)
		c->argv[i] = xstrdup(cmd[i]);
	c->argv[ncmd] = NULL;
	/* sbx's own binary run again (bubblewrap's tests nest this way) must
	 * still be bwrap: its name decides. */
	if (o->argv0 || strcmp(cmd[0], "/proc/self/exe") == 0) {
		c->bwrap.exec_path = xstrdup(cmd[0]);
		free(c->argv[0]);
		c->argv[0] = xstrdup(o->argv0 ? o->argv0 : "bwrap");
	}
	return check_sources(c, e);
}

/* --userns FD, --pidns FD: sbx itself joins them before the clone, so the
 * sandbox is created inside (the pid namespace for its children only). */
static int join_namespaces(const struct bwrap_opts *o, struct sbx_error *e)
{
	if (o->userns_fd >= 0 && setns(o->userns_fd, CLONE_NEWUSER) < 0) {
		if (errno == EINVAL)
			return sbx_error_set(e, 0, "Joining the specified user namespace failed, it might not be a descendant of the current user namespace.");
		return sbx_error_set(e, errno, "Joining specified user namespace failed");
	}
	if (o->pidns_fd >= 0 && setns(o->pidns_fd, CLONE_NEWPID) < 0)
		return sbx_error_set(e, errno, "Setting pidns failed");
	return 0;
}

static void init_bwrap(struct sbx_config *c, struct bwrap_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->userns_fd = o->userns2_fd = o->pidns_fd = -1;
	c->bwrap = (struct sbx_bwrap){
		.enabled = true,
		.empty_root = true,
		.inherit_fds = true,
		.set_pwd = true,
		.sync_fd = -1,
		.block_fd = -1,
		.userns_block_fd = -1,
		.userns2_fd = -1,
	};
	c->die_with_parent = false;
	c->seccomp = SBX_SECCOMP_UNCONFINED;
	c->no_userns_holder = true;
}

int bwrap_main(int argc, char **argv)
{
	struct sbx_error e = { 0 };
	struct sbx_caller caller;
	struct sbx_config c;
	struct bwrap_opts o;
	char *cwd = NULL, **cmd = NULL;
	int ncmd = 0, status = 1, r;

	log_prefix = "bwrap";
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("bubblewrap %s (sbx %s)\n", BWRAP_COMPAT_VERSION, PACKAGE_VERSION);
		return 0;
	}
	if (argc < 2) {
		usage(stderr, argv[0]);
		return 1;
	}
	config_caller_from_env(&caller, &cwd, &e);
	config_init(&c, &caller);
	free(cwd);
	init_bwrap(&c, &o);

	r = bwrap_args_parse(&c, &o, argc - 1, argv + 1, &cmd, &ncmd, &e);
	if (o.level_prefix) /* syslog's "error" level, as bwrap's die() */
		log_prefix = "<3>bwrap";
	if (r == 0 && o.help) {
		usage(stdout, argv[0]);
		status = 0;
		goto out;
	}
	if (r == 0 && o.version) {
		printf("bubblewrap %s (sbx %s)\n", BWRAP_COMPAT_VERSION, PACKAGE_VERSION);
		status = 0;
		goto out;
	}
	if (r == 0)
		r = translate(&c, &o, cmd, ncmd, &e);
	if (r == -EINVAL && !e.msg[0]) {
		usage(stderr, argv[0]);
		goto out;
	}
	if (r < 0) {
		log_error(&e);
		goto out;
	}
	/* bwrap --die-with-parent: the whole sandbox, sbx included, ends
	 * with the caller (pid 1 already dies with sbx). */
	if (c.die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 &&
	    getppid() == 1)
		goto out;
	fflush(stdout);
	c.bwrap.userns2_fd = o.userns2_fd;
	if (join_namespaces(&o, &e) < 0 || sandbox_run(&c, NULL, NULL, &status, &e) < 0) {
		log_error(&e);
		status = 1;
	}
out:
	bwrap_args_free(&c, &o);
	config_free(&c);
	return status;
}
