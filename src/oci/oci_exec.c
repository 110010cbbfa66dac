/* oci_exec.c - `exec`: a new process in a running container
 *
 * sbx-oci forks a helper that joins the container's namespaces (the user
 * namespace first, the mount namespace last) and forks the process, which
 * then is inside the container's pid namespace too; the helper reports its
 * pid and exits. With --detach sbx-oci writes the pid file and returns once
 * the execve succeeded, and the process goes to the engine's subreaper
 * (conmon); without, sbx-oci is a subreaper itself, forwards signals and
 * ends with the process's status. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci_args.h"
#include "oci_create.h"
#include "oci_exec.h"
#include "oci_json.h"
#include "oci_process.h"
#include "oci_resources.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "sync.h"
#include "util.h"

static const struct {
	const char *name;
	int type;
} exec_ns[] = {
	{ "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC },	  { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET },   { "pid", CLONE_NEWPID },	  { "cgroup", CLONE_NEWCGROUP },
	{ "time", CLONE_NEWTIME }, { "mnt", CLONE_NEWNS },
};

struct exec_plan {
	struct oci_spec spec;	  /* the container's config.json */
	struct oci_process *proc; /* what runs: &own or &spec.process */
	struct oci_process own;	  /* from --process */
	struct syscall_filter filter;
	int ns_fds[ARRAY_SIZE(exec_ns)];
	int console_fd;
	int preserve_fds;
	int pidfd; /* the container's process, opened while its state matched */
};

enum exec_flag { F_PROCESS, F_TTY, F_DETACH, F_PIDFILE, F_CONSOLE, F_CWD, F_ENV, F_USER, F_CAP,
		 F_NNP, F_PRESERVE, F_GIDS };

static int set_env(struct oci_process *p, const char *kv)
{
	size_t n = 0, klen = strcspn(kv, "=");

	for (; p->env[n]; n++)
		if (strncmp(p->env[n], kv, klen) == 0 && p->env[n][klen] == '=') {
			free(p->env[n]);
			p->env[n] = xstrdup(kv);
			return 0;
		}
	p->env = xreallocarray(p->env, n + 2, sizeof(char *));
	p->env[n] = xstrdup(kv);
	p->env[n + 1] = NULL;
	return 0;
}

/* runc's exec flags on top of the process (the container's or --process). */
static int apply_flags(struct oci_process *p, struct oci_flag *f, struct sbx_error *e)
{
	unsigned long n;

	if (f[F_TTY].set)
		p->terminal = true;
	if (f[F_CWD].value) {
		free(p->cwd);
		p->cwd = xstrdup(f[F_CWD].value);
	}
	for (int i = 0; i < f[F_ENV].n_values; i++)
		set_env(p, f[F_ENV].values[i]);
	if (f[F_USER].value) {
		_cleanup_free_ char *u = xstrdup(f[F_USER].value);
		char *colon = strchr(u, ':');

		if (colon)
			*colon = '\0';
		if (parse_uint(u, UINT32_MAX - 1, &n) < 0)
			return sbx_error_set(e, EINVAL, "exec --user %s: expected UID[:GID]", f[F_USER].value);
		p->uid = (uid_t)n;
		if (colon && parse_uint(colon + 1, UINT32_MAX - 1, &n) < 0)
			return sbx_error_set(e, EINVAL, "exec --user %s: expected UID[:GID]", f[F_USER].value);
		if (colon)
			p->gid = (gid_t)n;
	}
	for (int i = 0; i < f[F_CAP].n_values; i++) {
		int cap = oci_cap_number(f[F_CAP].values[i]);

		if (cap < 0)
			return sbx_error_set(e, EINVAL, "exec --cap %s: unknown capability", f[F_CAP].values[i]);
		for (int s = 0; s < OCI_CAP_SETS; s++)
			p->caps[s] |= UINT64_C(1) << cap;
	}
	for (int i = 0; i < f[F_GIDS].n_values; i++) {
		if (parse_uint(f[F_GIDS].values[i], UINT32_MAX - 1, &n) < 0)
			return sbx_error_set(e, EINVAL, "exec --additional-gids %s", f[F_GIDS].values[i]);
		p->groups = xreallocarray(p->groups, p->n_groups + 1, sizeof(gid_t));
		p->groups[p->n_groups++] = (gid_t)n;
	}
	if (f[F_NNP].set)
		p->no_new_privs = true;
	return 0;
}

static int open_ns(pid_t pid, struct exec_plan *x, struct sbx_error *e)
{
	struct pollfd p = { .fd = x->pidfd, .events = POLLIN };

	for (size_t i = 0; i < ARRAY_SIZE(exec_ns); i++) {
		char path[64], self[64];
		struct stat a, b;

		x->ns_fds[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, exec_ns[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", exec_ns[i].name);
		if (stat(self, &b) < 0)
			continue; /* a kind this kernel does not have */
		/* Skipping one we cannot see would run the process in ours. */
		if (stat(path, &a) < 0)
			return sbx_error_set(e, errno, "cannot open %s", path);
		if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		x->ns_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (x->ns_fds[i] < 0)
			return sbx_error_set(e, errno, "cannot open %s", path);
	}
	/* Still alive, so @pid was the container's all along (not reused). */
	if (poll(&p, 1, 0) != 0)
		return sbx_error_set(e, ESRCH, "the container's process ended");
	return 0;
}

static _Noreturn void exec_child(struct exec_plan *x, int sync_fd)
{
	struct sbx_error e = { 0 };
	_cleanup_free_ char *path = NULL;

	if (x->proc->terminal && oci_process_console(x->proc, x->console_fd, &e) < 0)
		goto fail;
	if (x->console_fd >= 0)
		close(x->console_fd);
	if (chdir(x->proc->cwd) < 0) {
		sbx_error_set(&e, errno, "cwd %s", x->proc->cwd);
		goto fail;
	}
	if (oci_process_lookup(x->proc, &path, &e) < 0 || oci_process_limits(x->proc, &e) < 0 ||
	    oci_process_become(x->proc, &x->spec.landlock, &x->filter, &e) < 0)
		goto fail;
	oci_process_exec(x->proc, path, x->preserve_fds, &e);
fail:
	sync_send_error(sync_fd, (enum sync_type)SYNC_EXEC_ERROR, &e);
	_exit(e.exit_code ? e.exit_code : SBX_EXIT_CANNOT_EXEC);
}

/* The helper: into the namespaces, fork the process, report its pid. */
static _Noreturn void exec_helper(struct exec_plan *x, int sync_fd)
{
	struct sbx_error e = { 0 };
	pid_t pid;

	for (size_t i = 0; i < ARRAY_SIZE(exec_ns); i++)
		if (x->ns_fds[i] >= 0 && setns(x->ns_fds[i], exec_ns[i].type) < 0) {
			sbx_error_set(&e, errno, "cannot join the container's %s namespace", exec_ns[i].name);
			sync_send_error(sync_fd, (enum sync_type)SYNC_SETUP_ERROR, &e);
			_exit(SBX_EXIT_SETUP);
		}
	pid = fork();
	if (pid == 0)
		exec_child(x, sync_fd);
	if (pid < 0) {
		sbx_error_set(&e, errno, "fork");
		sync_send_error(sync_fd, (enum sync_type)SYNC_SETUP_ERROR, &e);
		_exit(SBX_EXIT_SETUP);
	}
	sync_send_simple(sync_fd, SYNC_READY, pid);
	_exit(0);
}

void oci_forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD && s != SIGSEGV && s != SIGBUS &&
		    s != SIGILL && s != SIGFPE && s != SIGTTIN && s != SIGTTOU && s != SIGTSTP)
			sigaddset(set, s);
}

int oci_wait_forwarding(pid_t pid, int *ret_status, struct sbx_error *e)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), sfd = -1;
	sigset_t set;
	int status = 0;

	oci_forwarded_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (pidfd < 0 || sfd < 0)
		return sbx_error_set(e, errno, "cannot follow the process");
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return sbx_error_set(e, errno, "poll");
		if (p[0].revents)
			break;
		if ((p[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si))
			syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sbx_error_set(e, errno, "waitpid");
	*ret_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	return 0;
}

/* Run the helper; returns the process's pid once its execve succeeded. */
static int spawn(struct exec_plan *x, bool detach, pid_t *ret_pid, struct sbx_error *e)
{
	_cleanup_close_ int parent = -1, child = -1;
	struct sync_msg m;
	int fds[2], r, status;
	pid_t helper;

	if (!detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	r = sync_socketpair(fds);
	if (r < 0)
		return sbx_error_set(e, r, "socketpair");
	parent = fds[0];
	child = fds[1];
	helper = fork();
	if (helper < 0)
		return sbx_error_set(e, errno, "fork");
	if (helper == 0) {
		close(parent);
		exec_helper(x, child);
	}
	close(TAKE_FD(child));
	r = sync_recv(parent, &m, NULL, 0);
	while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0 || m.type != SYNC_READY) {
		if (r == 0)
			*e = m.error;
		else
			sbx_error_set(e, r, "the exec helper ended");
		return -(e->err ? e->err : EINVAL);
	}
	*ret_pid = m.value;
	/* EOF: the execve closed the process's copy of the socket. */
	r = sync_recv(parent, &m, NULL, 0);
	if (r == 0 && m.type == SYNC_EXEC_ERROR) {
		*e = m.error;
		return -(e->err ? e->err : EINVAL);
	}
	return 0;
}

static int plan(const char *root, char **pos, int n_pos, struct oci_flag *f,
		struct exec_plan *x, pid_t *ret_pid, struct sbx_error *e)
{
	struct oci_state st;
	_cleanup_free_ char *dir = NULL, *text = NULL;
	const char *status;
	unsigned long n = 0;
	size_t len = 0;
	int r;

	if (n_pos < 1 || (n_pos < 2 && !f[F_PROCESS].value))
		return sbx_error_set(e, EINVAL, "exec: expected ID and a command, or --process FILE");
	r = oci_state_read(root, pos[0], &st, e);
	if (r < 0)
		return r;
	oci_state_dir(root, pos[0], &dir, e);
	status = oci_state_status(dir, &st);
	*ret_pid = st.pid;
	if (strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
		r = sbx_error_set(e, EINVAL, "container %s is %s", pos[0], status);
	/* A pidfd checked after its open names this very process, whatever
	 * its pid becomes: open_ns() then knows the pid was not recycled. */
	if (r == 0 && ((x->pidfd = (int)syscall(SYS_pidfd_open, st.pid, 0)) < 0 ||
		       !oci_state_alive(&st)))
		r = sbx_error_set(e, ESRCH, "container %s is stopped", pos[0]);
	if (r == 0)
		r = oci_spec_load(st.bundle, &x->spec, e);
	oci_state_free(&st);
	if (r < 0)
		return r;
	x->proc = &x->spec.process;
	if (f[F_PROCESS].value) {
		r = oci_read_file(f[F_PROCESS].value, OCI_SPEC_MAX_BYTES, "--process", &text, &len, e);
		if (r == 0)
			r = oci_process_parse(text, len, &x->own, e);
		if (r < 0)
			return r;
		x->proc = &x->own;
	} else {
		oci_strv_free(x->proc->args);
		x->proc->args = xreallocarray(NULL, (size_t)n_pos, sizeof(char *));
		for (int i = 1; i < n_pos; i++)
			x->proc->args[i - 1] = xstrdup(pos[i]);
		x->proc->args[n_pos - 1] = NULL;
		x->proc->terminal = false;
		x->proc->n_rlimits = 0;
	}
	/* The container's limits bind what exec adds to it too. */
	r = oci_resources_join(&x->spec, dir, x->proc, e);
	if (r == 0)
		r = apply_flags(x->proc, f, e);
	if (r == 0 && f[F_PRESERVE].value && parse_uint(f[F_PRESERVE].value, 1000, &n) < 0)
		r = sbx_error_set(e, EINVAL, "--preserve-fds: not a number");
	x->preserve_fds = (int)n;
	if (r == 0)
		r = oci_process_filter(x->spec.seccomp_json, x->proc->caps[OCI_CAP_BOUNDING], &x->filter, e);
	return r;
}

int oci_exec(const char *root, int argc, char **argv, int *ret_status, struct sbx_error *e)
{
	struct oci_flag f[] = {
		[F_PROCESS] = { .name = "process", .shrt = 'p', .has_arg = true },
		[F_TTY] = { .name = "tty", .shrt = 't' },
		[F_DETACH] = { .name = "detach", .shrt = 'd' },
		[F_PIDFILE] = { .name = "pid-file", .has_arg = true },
		[F_CONSOLE] = { .name = "console-socket", .has_arg = true },
		[F_CWD] = { .name = "cwd", .has_arg = true },
		[F_ENV] = { .name = "env", .shrt = 'e', .has_arg = true, .multi = true },
		[F_USER] = { .name = "user", .shrt = 'u', .has_arg = true },
		[F_CAP] = { .name = "cap", .shrt = 'c', .has_arg = true, .multi = true },
		[F_NNP] = { .name = "no-new-privs" },
		[F_PRESERVE] = { .name = "preserve-fds", .has_arg = true },
		[F_GIDS] = { .name = "additional-gids", .shrt = 'g', .has_arg = true, .multi = true },
		{ .name = "process-label", .has_arg = true }, { .name = "apparmor", .has_arg = true },
		{ .name = "ignore-paused" }, { .name = "cgroup", .has_arg = true, .multi = true },
		{ 0 },
	};
	struct exec_plan x = { .console_fd = -1, .pidfd = -1 };
	char *pos[OCI_ARGS_MAX_POS];
	pid_t init_pid = 0, pid = 0;
	int n_pos, r;

	*ret_status = 0;
	for (size_t i = 0; i < ARRAY_SIZE(exec_ns); i++)
		x.ns_fds[i] = -1;
	r = oci_args_parse(argc, argv, f, true, pos, &n_pos, e);
	if (r == 0)
		r = plan(root, pos, n_pos, f, &x, &init_pid, e);
	if (r == 0 && x.proc->terminal && f[F_CONSOLE].value)
		r = oci_connect_console(f[F_CONSOLE].value, &x.console_fd, e);
	if (r == 0 && x.proc->terminal && !f[F_CONSOLE].value)
		x.proc->terminal = false; /* no socket: the process keeps our stdio */
	if (r == 0)
		r = open_ns(init_pid, &x, e);
	if (r == 0)
		r = spawn(&x, f[F_DETACH].set, &pid, e);
	if (r == 0 && f[F_PIDFILE].value)
		r = oci_write_pid_file(f[F_PIDFILE].value, pid, e);
	if (r == 0 && !f[F_DETACH].set)
		r = oci_wait_forwarding(pid, ret_status, e);
	for (size_t i = 0; i < ARRAY_SIZE(exec_ns); i++)
		if (x.ns_fds[i] >= 0)
			close(x.ns_fds[i]);
	if (x.console_fd >= 0)
		close(x.console_fd);
	if (x.pidfd >= 0)
		close(x.pidfd);
	syscall_filter_release(&x.filter);
	oci_process_free(&x.own);
	oci_spec_free(&x.spec);
	return r;
}
