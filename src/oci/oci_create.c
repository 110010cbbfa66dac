/* oci_create.c - `create`: the container set up and left waiting for `start`
 *
 * Theory of operation. An engine's monitor (conmon, containerd's shim) runs
 * `create`, waits for it to return, reads the pid file and from then on
 * supervises that pid as its own child: it is a subreaper, so the
 * container's process must outlive create and be re-parented to it. So, as
 * runc and crun do, create forks a first child (stage 1) that joins the
 * namespaces given by path, makes the new ones (the user namespace first,
 * with its maps written by create, outside) and forks the container's process
 * (stage 2, pid 1 of its new pid namespace); stage 1 reports that pid and
 * exits, which hands the process to the nearest subreaper. Stage 2 builds
 * the view (oci_rootfs.c), pivots, prepares its terminal, limits and program,
 * tells create it is ready and blocks opening ROOT/ID/exec.fifo for writing.
 * create records the state and returns. `start` opens the fifo for reading,
 * which releases the process: it takes its ids, capabilities and seccomp
 * filter and execs. The process is the container's pid 1 itself, as with
 * runc and crun: no sbx init stays in between (podman --init adds one).
 * The state is "created" while the fifo exists, "running" once start
 * removed it, "stopped" when the process is gone (or is another process).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci_cgroup.h"
#include "oci_create.h"
#include "oci_hooks.h"
#include "oci_init.h"
#include "oci_process.h"
#include "oci_resources.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "sync.h"
#include "userns.h"
#include "util.h"

char *oci_now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

int oci_write_pid_file(const char *path, pid_t pid, struct sbx_error *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s.sbx-tmp", path);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[16];
	int r;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = fd < 0 ? -errno : write_all(fd, buf, strlen(buf));
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return sbx_error_set(e, r, "--pid-file %s", path);
	}
	return 0;
}

int oci_connect_console(const char *path, int *ret, struct sbx_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	*ret = -1;
	if (!path)
		return 0;
	if (strlen(path) >= sizeof(sa.sun_path))
		return sbx_error_set(e, ENAMETOOLONG, "--console-socket %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return sbx_error_set(e, errno, "--console-socket %s", path);
	*ret = TAKE_FD(fd);
	return 0;
}

/* New user namespace: its maps, written from outside. As root of our own
 * namespace we write them directly; a user runs newuidmap/newgidmap. */
static int write_maps(const struct oci_spec *s, pid_t pid, struct sbx_error *e)
{
	struct idmap *u, *g;
	bool uid_ok = false, gid_ok = false;
	char path[64];
	int r;

	if (!*s->uid_map || !*s->gid_map)
		return sbx_error_set(e, EINVAL, "config.json: linux.uidMappings and gidMappings are needed with a new user namespace");
	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		r = write_file_at(AT_FDCWD, path, s->uid_map);
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		if (r == 0)
			r = write_file_at(AT_FDCWD, path, s->gid_map);
		if (r < 0)
			return sbx_error_set(e, r, "linux.uidMappings/gidMappings: cannot write them");
		return 0;
	}
	u = xreallocarray(NULL, 2, sizeof(*u));
	g = u + 1;
	r = idmap_parse(s->uid_map, u);
	if (r == 0)
		r = idmap_parse(s->gid_map, g);
	if (r == 0)
		userns_run_helpers(pid, u, g, &uid_ok, &gid_ok);
	free(u);
	if (r < 0)
		return sbx_error_set(e, r, "linux.uidMappings/gidMappings");
	if (!uid_ok || !gid_ok)
		return sbx_error_set(e, EPERM, "linux.%s: newuidmap/newgidmap refused the map (see /etc/subuid and /etc/subgid)",
				     uid_ok ? "gidMappings" : "uidMappings");
	return 0;
}

struct create_run {
	const struct oci_create_opts *o;
	const struct oci_spec *spec;
	struct oci_state *st;
	int sync_fd;
	int signal_fd; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT to create: give up cleanly */
	pid_t stage1;
	pid_t pid;
	int cgroup_fd; /* the container's own cgroup (linux.resources), or -1 */
};

static int handle(struct create_run *c, const struct sync_msg *m, bool *done, struct sbx_error *e)
{
	_cleanup_free_ char *state = NULL;
	int r;

	switch (m->type) {
	case OCI_SYNC_MAP:
		r = write_maps(c->spec, m->value, e);
		if (r < 0)
			return r;
		return sync_send_simple(c->sync_fd, (enum sync_type)OCI_SYNC_MAPPED, 0);
	case OCI_SYNC_PID:
		c->pid = m->value;
		return 0;
	case OCI_SYNC_HOOKS:
		/* The process waits for GO: it enters its cgroup before it runs
		 * anything, and all it forks is there. */
		if (c->cgroup_fd >= 0) {
			r = oci_cgroup_enter(c->cgroup_fd, c->pid, e);
			if (r < 0)
				return r;
		}
		c->st->pid = c->pid;
		state = oci_state_json_with(c->st, "creating");
		r = oci_hooks_run(c->spec->hooks[OCI_HOOK_PRESTART], c->spec->n_hooks[OCI_HOOK_PRESTART],
				  state, "prestart", e);
		if (r == 0)
			r = oci_hooks_run(c->spec->hooks[OCI_HOOK_CREATE_RUNTIME],
					  c->spec->n_hooks[OCI_HOOK_CREATE_RUNTIME], state,
					  "createRuntime", e);
		if (r < 0)
			return r;
		return sync_send_simple(c->sync_fd, (enum sync_type)OCI_SYNC_GO, c->pid);
	case OCI_SYNC_CREATED:
		*done = true;
		return 0;
	case OCI_SYNC_ERROR:
		*e = m->error;
		if (!e->exit_code)
			e->exit_code = SBX_EXIT_SETUP;
		return -(e->err ? e->err : EINVAL);
	}
	return sbx_error_set(e, EPROTO, "unexpected message %u from the container", m->type);
}

/* Talk to stage 1 and the container's process until it waits on the fifo. */
static int follow(struct create_run *c, struct sbx_error *e)
{
	bool done = false;

	while (!done) {
		struct pollfd p[2] = { { .fd = c->signal_fd, .events = POLLIN },
				       { .fd = c->sync_fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		struct sync_msg m;
		int r = poll(p, 2, -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sbx_error_set(e, errno, "poll");
		if (p[0].revents && read(c->signal_fd, &si, sizeof(si)) == sizeof(si))
			return sbx_error_set(e, EINTR, "interrupted by signal %u", si.ssi_signo);
		r = sync_recv(c->sync_fd, &m, NULL, 0);

		if (r == -EPIPE)
			return sbx_error_set(e, EPIPE, "the container's process ended during its setup");
		if (r < 0)
			return sbx_error_set(e, r, "sync with the container");
		r = handle(c, &m, &done, e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int open_namespaces(const struct oci_spec *s, struct oci_init_args *a, struct sbx_error *e)
{
	bool has_mnt = false;

	for (size_t i = 0; i < s->n_ns; i++) {
		a->ns_fds[i] = -1;
		has_mnt |= s->ns[i].type == CLONE_NEWNS && !s->ns[i].path;
		if (!s->ns[i].path)
			continue;
		a->ns_fds[i] = open(s->ns[i].path, O_RDONLY | O_CLOEXEC);
		if (a->ns_fds[i] < 0)
			return sbx_error_set(e, errno, "linux.namespaces: %s", s->ns[i].path);
	}
	if (!has_mnt)
		return sbx_error_set(e, EOPNOTSUPP, "config.json: linux.namespaces: sbx needs a new mount namespace");
	return 0;
}

static void close_namespaces(const struct oci_spec *s, struct oci_init_args *a)
{
	for (size_t i = 0; i < s->n_ns; i++)
		if (a->ns_fds[i] >= 0)
			close(a->ns_fds[i]);
}

/* Everything after the state directory exists; the caller removes it on failure. */
/* The exec fifo of create --wait-fifo ("start" opens it): made here, held
 * by stage 1 through an O_PATH fd. */
static int make_exec_fifo(const char *path, int *ret_fd, struct sbx_error *e)
{
	if (mkfifo(path, 0600) < 0)
		return sbx_error_set(e, errno, "mkfifo %s", path);
	*ret_fd = open(path, O_PATH | O_CLOEXEC);
	if (*ret_fd < 0)
		return sbx_error_set(e, errno, "%s", path);
	return 0;
}

/* Fork stage 1 (it enters @a's namespaces and does not return) and follow it
 * (follow()); on failure stage 1 and the container's process are killed.
 * Stage 1 is reaped either way; the socket pair @fds is closed here. */
static int run_stage1(struct create_run *c, struct oci_init_args *a, const sigset_t *o_mask,
		      const int fds[2], struct sbx_error *e)
{
	_cleanup_close_ int pair0 = fds[0], pair1 = fds[1];
	int status, r;

	a->sync_fd = pair1;
	c->sync_fd = pair0;
	c->stage1 = fork();
	if (c->stage1 < 0) {
		close_namespaces(a->spec, a);
		return sbx_error_set(e, errno, "fork");
	}
	if (c->stage1 == 0) {
		sigprocmask(SIG_SETMASK, o_mask, NULL);
		close(pair0);
		oci_init_stage1(a);
	}
	close_namespaces(a->spec, a);
	close(TAKE_FD(pair1));
	r = follow(c, e);
	if (r < 0) {
		/* Stage 1 may still wait for us (its maps): it goes too. */
		kill(c->stage1, SIGKILL);
		if (c->pid > 0)
			kill(c->pid, SIGKILL);
	}
	close(TAKE_FD(pair0));
	while (waitpid(c->stage1, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

/* The container's process @pid waits on the fifo: its pid and start time
 * into the state, then the pid file; on failure it is killed. */
static int record_created(const struct oci_create_opts *o, const char *dir, struct oci_state *st,
			  pid_t pid, pid_t *ret_pid, struct sbx_error *e)
{
	int r;

	st->pid = pid;
	st->start_time = oci_proc_start_time(pid, NULL);
	r = oci_state_write(dir, st, e);
	if (r == 0 && o->pid_file)
		r = oci_write_pid_file(o->pid_file, pid, e);
	if (r < 0) {
		kill(pid, SIGKILL);
		return r;
	}
	*ret_pid = pid;
	return 0;
}

static int create_in(const struct oci_create_opts *o, const struct oci_spec *s, const char *dir,
		     struct oci_state *st, int signal_fd, const sigset_t *o_mask, int cgroup_fd,
		     pid_t *ret_pid, struct sbx_error *e)
{
	__attribute__((cleanup(syscall_filter_release))) struct syscall_filter filter = { 0 };
	_cleanup_close_ int fifo = -1, console = -1;
	_cleanup_free_ char *fifo_path = xasprintf("%s/exec.fifo", dir);
	_cleanup_free_ char *hook_state = NULL;
	struct oci_init_args a = { .spec = s, .fifo_fd = -1, .no_pivot = o->no_pivot,
				   .preserve_fds = o->preserve_fds, .filter = &filter };
	struct create_run c = { .o = o, .spec = s, .st = st, .signal_fd = signal_fd,
				.cgroup_fd = cgroup_fd };
	int fds[2], r;

	r = oci_process_filter(s->seccomp_json, s->process.caps[OCI_CAP_BOUNDING], &filter, e);
	if (r == 0)
		r = oci_connect_console(s->process.terminal ? o->console_socket : NULL, &console, e);
	if (r == 0)
		r = oci_state_write(dir, st, e);
	if (r == 0 && o->wait_fifo)
		r = make_exec_fifo(fifo_path, &fifo, e);
	if (r < 0)
		return r;
	r = open_namespaces(s, &a, e);
	if (r < 0) {
		close_namespaces(s, &a);
		return r;
	}
	r = sync_socketpair(fds);
	if (r < 0) {
		close_namespaces(s, &a);
		return sbx_error_set(e, r, "socketpair");
	}
	hook_state = oci_state_json_with(st, "creating");
	a.fifo_fd = fifo;
	a.console_fd = console;
	a.state_json = hook_state;
	r = run_stage1(&c, &a, o_mask, fds, e);
	if (r < 0)
		return r;
	return record_created(o, dir, st, c.pid, ret_pid, e);
}

/* mkdir -p, 0700: containerd names a --root whose parent is not there yet. */
static int mkdir_parents(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700);
}

int oci_create(const struct oci_create_opts *o, pid_t *ret_pid, struct sbx_error *e)
{
	struct oci_spec spec;
	struct oci_state st = { 0 };
	_cleanup_free_ char *dir = NULL, *bundle = NULL;
	char real[PATH_MAX];
	sigset_t stop, old_mask;
	int r, signal_fd, cgroup_fd = -1;

	if (!realpath(o->bundle ? o->bundle : ".", real))
		return sbx_error_set(e, errno, "--bundle %s", o->bundle ? o->bundle : ".");
	bundle = xstrdup(real);
	r = oci_state_dir(o->root, o->id, &dir, e);
	if (r < 0)
		return r;
	r = oci_spec_load(bundle, &spec, e);
	if (r == 0)
		r = oci_landlock_check(&spec.landlock, e);
	if (r < 0) {
		oci_spec_free(&spec);
		return r;
	}
	if (mkdir_parents(o->root) < 0 && errno != EEXIST) {
		oci_spec_free(&spec);
		return sbx_error_set(e, errno, "--root %s", o->root);
	}
	r = oci_state_check_root(o->root, e);
	if (r < 0) {
		oci_spec_free(&spec);
		return r == -ENOENT ? sbx_error_set(e, ENOENT, "--root %s", o->root) : r;
	}
	if (mkdir(dir, 0700) < 0) {
		oci_spec_free(&spec);
		if (errno == EEXIST)
			return sbx_error_set(e, 0, "container %s already exists", o->id);
		return sbx_error_set(e, errno, "%s", dir);
	}
	/* linux.resources: the container's cgroup, recorded in @dir (so that
	 * oci_state_remove() takes it away too), or the fallback's rlimits. */
	r = oci_resources_setup(&spec, o->id, dir, &cgroup_fd, e);
	if (r < 0) {
		oci_state_remove(dir);
		oci_spec_free(&spec);
		return r;
	}
	st.id = xstrdup(o->id);
	st.bundle = xstrdup(bundle);
	st.created = oci_now_rfc3339();
	st.annotations = xstrdup(spec.annotations_json);
	/* A signal from here on ends create through its own clean-up: nothing
	 * half-made stays (the state, a process waiting for a start). */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old_mask);
	signal_fd = signalfd(-1, &stop, SFD_CLOEXEC);
	r = signal_fd < 0 ? sbx_error_set(e, errno, "signalfd")
			  : create_in(o, &spec, dir, &st, signal_fd, &old_mask, cgroup_fd, ret_pid, e);
	if (r < 0)
		oci_state_remove(dir);
	if (signal_fd >= 0)
		close(signal_fd);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	oci_state_free(&st);
	oci_spec_free(&spec);
	return r;
}
