/* oci_cmds.c - the small commands: start, state, kill, delete, list, features */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci_cmds.h"
#include "oci_hooks.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "util.h"

/* A pidfd for the container's process, only while it is the one created. */
static int open_container(const struct oci_state *st, int *ret)
{
	int fd;

	*ret = -1;
	if (st->pid <= 0)
		return -ESRCH;
	fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return -errno;
	/* Checked after the open: the fd keeps naming this very process. */
	if (!oci_state_alive(st)) {
		close(fd);
		return -ESRCH;
	}
	*ret = fd;
	return 0;
}

static int run_state_hooks(const char *dir, const struct oci_state *st, int kind, const char *what,
			   struct sbx_error *e)
{
	struct oci_spec spec;
	_cleanup_free_ char *state = NULL;
	int r;

	r = oci_spec_load(st->bundle, &spec, e);
	if (r == 0 && spec.n_hooks[kind]) {
		state = oci_state_json(dir, st);
		r = oci_hooks_run(spec.hooks[kind], spec.n_hooks[kind], state, what, e);
	}
	oci_spec_free(&spec);
	return r;
}

int oci_start(const char *root, const char *id, struct sbx_error *e)
{
	struct oci_state st;
	_cleanup_free_ char *dir = NULL, *fifo_path = NULL;
	_cleanup_close_ int fifo = -1, pidfd = -1, lock = -1;
	const char *status;
	char byte;
	int r = oci_state_read(root, id, &st, e);

	if (r < 0)
		return r;
	oci_state_dir(root, id, &dir, e);
	/* One start at a time: a second one reading the fifo too could take
	 * the byte, or be left to poll a hung-up fifo. */
	lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		r = sbx_error_set(e, errno == EWOULDBLOCK ? 0 : errno,
				  "container %s is being started by another call", id);
		goto out;
	}
	status = oci_state_status(dir, &st);
	if (strcmp(status, "created") != 0) {
		r = sbx_error_set(e, 0, "container %s is %s, not created", id, status);
		goto out;
	}
	fifo_path = xasprintf("%s/exec.fifo", dir);
	r = open_container(&st, &pidfd);
	fifo = open(fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r < 0 || fifo < 0) {
		r = sbx_error_set(e, r < 0 ? r : errno, "container %s cannot be started", id);
		goto out;
	}
	/* The process opens its end once ours is open, writes a byte and
	 * goes on to exec; or it dies, which the pidfd tells. */
	for (;;) {
		struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = sbx_error_set(e, errno, "poll");
			goto out;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fifo, &byte, 1);

			if (n == 1)
				break;
			/* A writer came and went without the byte: not the
			 * container's process (it writes before it closes). */
			if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				r = sbx_error_set(e, n == 0 ? 0 : errno,
						  "container %s: its exec fifo was opened by another process (started already?)",
						  id);
				goto out;
			}
		}
		if (p[1].revents) {
			r = sbx_error_set(e, ESRCH, "container %s ended before it started", id);
			goto out;
		}
	}
	unlink(fifo_path);
	r = run_state_hooks(dir, &st, OCI_HOOK_POSTSTART, "poststart", e);
out:
	oci_state_free(&st);
	return r;
}

int oci_state_print(const char *root, const char *id, FILE *out, struct sbx_error *e)
{
	struct oci_state st;
	_cleanup_free_ char *dir = NULL, *json = NULL;
	int r = oci_state_read(root, id, &st, e);

	if (r < 0)
		return r;
	oci_state_dir(root, id, &dir, e);
	json = oci_state_json(dir, &st);
	fprintf(out, "%s\n", json);
	oci_state_free(&st);
	return 0;
}

int oci_parse_signal(const char *s)
{
	unsigned long n;

	if (parse_uint(s, _NSIG - 1, &n) == 0)
		return n ? (int)n : -EINVAL;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && strcasecmp(name, s) == 0)
			return sig;
	}
	return -EINVAL;
}

static bool same_pidns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

/* --all: every process in the container's pid namespace, when it has one of
 * its own (else only its process: sbx has no cgroup to find the others). */
static void kill_all(const struct oci_state *st, int sig)
{
	char path[64];
	struct stat ns, self;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)st->pid);
	if (stat(path, &ns) < 0 || stat("/proc/self/ns/pid", &self) < 0 || ns.st_ino == self.st_ino)
		return;
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned long pid;

		_cleanup_close_ int fd = -1;

		if (parse_uint(de->d_name, INT32_MAX, &pid) < 0 || (pid_t)pid == st->pid)
			continue;
		/* The pidfd first: checked in the namespace after its open, it
		 * cannot name a process that took a recycled pid outside it. */
		fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (fd >= 0 && same_pidns((pid_t)pid, &ns))
			syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	}
	closedir(d);
}

int oci_kill(const char *root, const char *id, int sig, bool all, struct sbx_error *e)
{
	struct oci_state st;
	_cleanup_close_ int pidfd = -1;
	int r = oci_state_read(root, id, &st, e);

	if (r < 0)
		return r;
	r = open_container(&st, &pidfd);
	if (r < 0) {
		r = sbx_error_set(e, ESRCH, "container %s is not running", id);
		goto out;
	}
	if (all)
		kill_all(&st, sig);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		r = sbx_error_set(e, errno, "kill %s", id);
out:
	oci_state_free(&st);
	return r;
}

int oci_delete(const char *root, const char *id, bool force, struct sbx_error *e)
{
	struct oci_state st;
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int pidfd = -1;
	const char *status;
	int r = oci_state_read(root, id, &st, e);

	if (r == -ENOENT && force)
		return 0;
	if (r < 0)
		return r;
	oci_state_dir(root, id, &dir, e);
	status = oci_state_status(dir, &st);
	if (strcmp(status, "running") == 0 && !force) {
		r = sbx_error_set(e, 0, "container %s is running (stop it, or delete --force)", id);
		goto out;
	}
	if (open_container(&st, &pidfd) == 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		kill_all(&st, SIGKILL);
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		/* A pidfd polls readable once the process has exited. */
		while (poll(&p, 1, 10000) < 0 && errno == EINTR)
			;
	}
	r = run_state_hooks(dir, &st, OCI_HOOK_POSTSTOP, "poststop", e);
	/* A failed poststop hook is reported, but the container goes anyway. */
	oci_state_remove(dir);
out:
	oci_state_free(&st);
	return r;
}

int oci_list(const char *root, bool json, bool quiet, FILE *out, struct sbx_error *e)
{
	DIR *d = NULL;
	struct dirent *de;
	bool first = true;
	int r = oci_state_check_root(root, e);

	if (r < 0 && r != -ENOENT)
		return r;
	d = r == 0 ? opendir(root) : NULL;
	if (!d && r == 0)
		return sbx_error_set(e, errno, "--root %s", root);
	if (json)
		fputs("[", out);
	else if (!quiet)
		fprintf(out, "%-24s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	while (d && (de = readdir(d))) {
		struct oci_state st;
		struct sbx_error ignored = { 0 };
		_cleanup_free_ char *dir = NULL;

		if (de->d_name[0] == '.' || oci_state_read(root, de->d_name, &st, &ignored) < 0)
			continue;
		oci_state_dir(root, de->d_name, &dir, &ignored);
		if (json) {
			_cleanup_free_ char *s = oci_state_json(dir, &st);

			fprintf(out, "%s%s", first ? "" : ",", s);
		} else if (quiet) {
			fprintf(out, "%s\n", st.id);
		} else {
			fprintf(out, "%-24s %-8d %-10s %-40s %s\n", st.id, (int)st.pid,
				oci_state_status(dir, &st), st.bundle, st.created);
		}
		first = false;
		oci_state_free(&st);
	}
	if (json)
		fputs("]\n", out);
	if (d)
		closedir(d);
	return 0;
}

void oci_features(FILE *out)
{
	fputs("{\n"
	      "  \"ociVersionMin\": \"1.0.0\",\n"
	      "  \"ociVersionMax\": \"1.2.0\",\n"
	      "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", \"poststart\", \"poststop\"],\n"
	      "  \"mountOptions\": [\"ro\", \"rw\", \"nosuid\", \"suid\", \"nodev\", \"dev\", \"noexec\", \"exec\", \"sync\", \"async\", \"dirsync\", \"remount\", \"mand\", \"nomand\", \"atime\", \"noatime\", \"diratime\", \"nodiratime\", \"relatime\", \"norelatime\", \"strictatime\", \"nostrictatime\", \"bind\", \"rbind\", \"private\", \"rprivate\", \"shared\", \"rshared\", \"slave\", \"rslave\", \"unbindable\", \"runbindable\", \"tmpcopyup\"],\n"
	      "  \"linux\": {\n"
	      "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"user\", \"uts\", \"time\"],\n"
	      "    \"capabilities\": [],\n"
	      "    \"cgroup\": { \"v1\": false, \"v2\": true, \"systemd\": false, \"systemdUser\": false, \"rdma\": false },\n"
	      "    \"seccomp\": { \"enabled\": true, \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_TRAP\"], \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_NE\", \"SCMP_CMP_LT\", \"SCMP_CMP_LE\", \"SCMP_CMP_GT\", \"SCMP_CMP_GE\", \"SCMP_CMP_MASKED_EQ\"] },\n"
	      "    \"apparmor\": { \"enabled\": false },\n"
	      "    \"selinux\": { \"enabled\": false },\n"
	      "    \"intelRdt\": { \"enabled\": false },\n"
	      "    \"mountExtensions\": { \"idmap\": { \"enabled\": false } }\n"
	      "  },\n"
	      "  \"annotations\": {\n"
	      "    \"org.sbx.landlock.fs\": \"ro:PATH:...;rw:PATH:... (Landlock ABI 1)\",\n"
	      "    \"org.sbx.landlock.net\": \"connect:PORT:...;bind:PORT:... (Landlock ABI 4)\"\n"
	      "  }\n"
	      "}\n",
	      out);
}
