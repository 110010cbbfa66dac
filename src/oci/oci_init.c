/* oci_init.c - the container's side of create: namespaces, the view, the
 * wait on the exec fifo, the process */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "oci_hooks.h"
#include "oci_init.h"
#include "oci_process.h"
#include "oci_rootfs.h"
#include "sync.h"
#include "util.h"

static _Noreturn void fail(const struct oci_init_args *a, const struct sbx_error *e)
{
	sync_send_error(a->sync_fd, (enum sync_type)OCI_SYNC_ERROR, e);
	_exit(e->exit_code ? e->exit_code : SBX_EXIT_SETUP);
}

static int expect(int fd, enum oci_sync type, int32_t *ret_value, struct sbx_error *e)
{
	struct sync_msg m;
	int r = sync_recv(fd, &m, NULL, 0);

	if (r == -EPIPE)
		_exit(SBX_EXIT_SETUP); /* create is gone: nobody to report to */
	if (r < 0)
		return sbx_error_set(e, r, "sync with create");
	if (m.type != (uint32_t)type)
		return sbx_error_set(e, EPROTO, "unexpected message %u from create", m.type);
	if (ret_value)
		*ret_value = m.value;
	return 0;
}

static bool wants_new(const struct oci_init_args *a, int type)
{
	for (size_t i = 0; i < a->spec->n_ns; i++)
		if (a->spec->ns[i].type == type)
			return a->ns_fds[i] < 0;
	return false;
}

/* Join the namespaces given by path: the user namespace first (it grants
 * the rights for the others), the mount namespace last (it changes our root). */
static int join_namespaces(const struct oci_init_args *a, struct sbx_error *e)
{
	static const int order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
				     CLONE_NEWPID, CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS };

	for (size_t o = 0; o < ARRAY_SIZE(order); o++)
		for (size_t i = 0; i < a->spec->n_ns; i++)
			if (a->spec->ns[i].type == order[o] && a->ns_fds[i] >= 0 &&
			    setns(a->ns_fds[i], order[o]) < 0)
				return sbx_error_set(e, errno, "linux.namespaces: cannot join %s",
						     a->spec->ns[i].path);
	return 0;
}

static int new_namespaces(const struct oci_init_args *a, struct sbx_error *e)
{
	static const int others[] = { CLONE_NEWNS,  CLONE_NEWUTS,    CLONE_NEWIPC, CLONE_NEWNET,
				      CLONE_NEWPID, CLONE_NEWCGROUP, CLONE_NEWTIME };
	int flags = 0;

	if (wants_new(a, CLONE_NEWUSER)) {
		int r;

		if (unshare(CLONE_NEWUSER) < 0)
			return sbx_error_set(e, errno, "cannot create a user namespace");
		r = sync_send_simple(a->sync_fd, (enum sync_type)OCI_SYNC_MAP, getpid());
		if (r < 0)
			return sbx_error_set(e, r, "sync with create");
		r = expect(a->sync_fd, OCI_SYNC_MAPPED, NULL, e);
		if (r < 0)
			return r;
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return sbx_error_set(e, errno, "linux.uidMappings: root is not mapped");
	}
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		if (wants_new(a, others[i]))
			flags |= others[i];
	if (flags && unshare(flags) < 0)
		return sbx_error_set(e, errno, "cannot create the namespaces");
	return 0;
}

/* The container's process, from the fork in stage 1 to execve. */
static _Noreturn void stage2(const struct oci_init_args *a)
{
	const struct oci_spec *s = a->spec;
	struct sbx_error e = { 0 };
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd_dir = -1;
	int r;

	/* Tell create we exist; it runs the createRuntime hooks while we wait. */
	r = sync_send_simple(a->sync_fd, (enum sync_type)OCI_SYNC_HOOKS, 0);
	if (r < 0)
		_exit(SBX_EXIT_SETUP);
	if (expect(a->sync_fd, OCI_SYNC_GO, NULL, &e) < 0)
		fail(a, &e);
	/* The fifo is reopened through the host's /proc, held from here: after
	 * the pivot, /proc is what config.json and the image make it (no proc
	 * mount, a planted /proc/self/fd/N), not a way to the fifo. */
	if (a->fifo_fd >= 0 && (fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		sbx_error_set(&e, errno, "/proc/self/fd");
		fail(a, &e);
	}
	if (oci_rootfs_prepare(s, &e) < 0)
		fail(a, &e);
	if (oci_hooks_run(s->hooks[OCI_HOOK_CREATE_CONTAINER], s->n_hooks[OCI_HOOK_CREATE_CONTAINER],
			  a->state_json, "createContainer", &e) < 0)
		fail(a, &e);
	if (oci_rootfs_enter(s, a->no_pivot, &e) < 0)
		fail(a, &e);
	if (wants_new(a, CLONE_NEWUTS) && s->hostname &&
	    sethostname(s->hostname, strlen(s->hostname)) < 0) {
		sbx_error_set(&e, errno, "hostname %s", s->hostname);
		fail(a, &e);
	}
	if (s->process.terminal && oci_process_console(&s->process, a->console_fd, &e) < 0)
		fail(a, &e);
	if (chdir(s->process.cwd) < 0) {
		sbx_error_set(&e, errno, "process.cwd %s", s->process.cwd);
		fail(a, &e);
	}
	if (oci_process_lookup(&s->process, &path, &e) < 0 || oci_process_limits(&s->process, &e) < 0)
		fail(a, &e);
	if (a->fifo_fd >= 0) {
		char fifo[40];
		_cleanup_close_ int w = -1;

		snprintf(fifo, sizeof(fifo), "%d", a->fifo_fd);
		sync_send_simple(a->sync_fd, (enum sync_type)OCI_SYNC_CREATED, 0);
		close(a->sync_fd);
		/* Blocks until start opens the fifo for reading. */
		w = openat(fd_dir, fifo, O_WRONLY | O_CLOEXEC);
		if (w < 0 || write(w, "0", 1) != 1)
			_exit(SBX_EXIT_SETUP);
		close(a->fifo_fd);
	} else {
		sync_send_simple(a->sync_fd, (enum sync_type)OCI_SYNC_CREATED, 0);
		close(a->sync_fd);
	}
	/* From here on nobody listens: a failure shows as exit status and a
	 * line on the container's stderr. */
	if (oci_hooks_run(s->hooks[OCI_HOOK_START_CONTAINER], s->n_hooks[OCI_HOOK_START_CONTAINER],
			  a->state_json, "startContainer", &e) < 0 ||
	    oci_process_become(&s->process, &s->landlock, a->filter, &e) < 0 ||
	    oci_process_exec(&s->process, path, a->preserve_fds, &e) < 0) {
		char msg[SBX_ERROR_MSG_MAX + 64];

		sbx_error_format(&e, msg, sizeof(msg));
		dprintf(STDERR_FILENO, "sbx-oci: %s\n", msg);
		_exit(e.exit_code ? e.exit_code : SBX_EXIT_CANNOT_EXEC);
	}
	_exit(SBX_EXIT_CANNOT_EXEC);
}

_Noreturn void oci_init_stage1(const struct oci_init_args *a)
{
	struct sbx_error e = { 0 };
	int order[2];
	pid_t pid;

	if (join_namespaces(a, &e) < 0 || new_namespaces(a, &e) < 0)
		fail(a, &e);
	/* The process speaks only once create knows its pid: it waits for
	 * this pipe's end, which closes when stage 1 has sent the pid. */
	if (pipe2(order, O_CLOEXEC) < 0) {
		sbx_error_set(&e, errno, "pipe");
		fail(a, &e);
	}
	pid = fork();
	if (pid < 0) {
		sbx_error_set(&e, errno, "fork");
		fail(a, &e);
	}
	if (pid == 0) {
		char c;

		close(order[1]);
		while (read(order[0], &c, 1) < 0 && errno == EINTR)
			;
		close(order[0]);
		stage2(a);
	}
	sync_send_simple(a->sync_fd, (enum sync_type)OCI_SYNC_PID, pid);
	_exit(0);
}
