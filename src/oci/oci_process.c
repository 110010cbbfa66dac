/* oci_process.c - the container's process, last steps: terminal, limits, ids,
 * capabilities, seccomp, execve (shared by the container's init and exec) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "oci_process.h"
#include "seccomp_profile.h"
#include "util.h"

int oci_process_filter(const char *json, uint64_t caps, struct syscall_filter *f,
		       struct sbx_error *e)
{
	memset(f, 0, sizeof(*f));
	if (!json)
		return 0;
	return seccomp_profile_build(json, strlen(json), caps, "config.json linux.seccomp", f, e);
}

static int send_master(int sock, int master, const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int oci_process_console(const struct oci_process *p, int console_sock, struct sbx_error *e)
{
	_cleanup_close_ int master = -1, peer = -1;
	char name[64];
	int unlock = 0, n;

	if (console_sock < 0)
		return sbx_error_set(e, EINVAL, "process.terminal is set: --console-socket is needed");
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return sbx_error_set(e, errno, "cannot open the container's /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
		return sbx_error_set(e, errno, "cannot unlock the pty");
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		peer = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return sbx_error_set(e, errno, "cannot open %s", name);
	if (p->rows && p->cols) {
		struct winsize ws = { .ws_row = p->rows, .ws_col = p->cols };

		ioctl(peer, TIOCSWINSZ, &ws);
	}
	if (send_master(console_sock, master, name) < 0)
		return sbx_error_set(e, errno, "cannot send the pty to the console socket");
	if (setsid() < 0 && errno != EPERM)
		return sbx_error_set(e, errno, "setsid");
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return sbx_error_set(e, errno, "cannot make %s the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(peer, fd) < 0)
			return sbx_error_set(e, errno, "dup2");
	return 0;
}

static const char *env_path(const struct oci_process *p)
{
	for (char **v = p->env; v && *v; v++)
		if (strncmp(*v, "PATH=", 5) == 0)
			return *v + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int oci_process_lookup(const struct oci_process *p, char **ret, struct sbx_error *e)
{
	const char *prog = p->args[0], *path = env_path(p);
	struct stat st;

	if (strchr(prog, '/')) {
		if (stat(prog, &st) < 0) {
			sbx_error_set(e, errno, "%s", prog);
			e->exit_code = errno == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
			return -e->err;
		}
		*ret = xstrdup(prog);
		return 0;
	}
	while (*path) {
		size_t n = strcspn(path, ":");
		_cleanup_free_ char *cand = xasprintf("%.*s/%s", (int)n, n ? path : ".", prog);

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			*ret = TAKE_PTR(cand);
			return 0;
		}
		path += n + (path[n] == ':');
	}
	sbx_error_set(e, ENOENT, "%s: executable file not found in $PATH", prog);
	e->err = 0;
	e->exit_code = SBX_EXIT_NOT_FOUND;
	return -ENOENT;
}

int oci_process_limits(const struct oci_process *p, struct sbx_error *e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return sbx_error_set(e, errno, "process.rlimits: cannot set limit %d to %llu/%llu",
					     p->rlimits[i].resource, (unsigned long long)rl.rlim_cur,
					     (unsigned long long)rl.rlim_max);
	}
	if (p->has_oom_score_adj) {
		char buf[16];
		int r;

		snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
		r = write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf);
		if (r < 0)
			return sbx_error_set(e, r, "process.oomScoreAdj %d", p->oom_score_adj);
	}
	if (p->has_umask)
		umask(p->umask);
	return 0;
}

static void cleanup_cap(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

/* Before the ids change: dropping from the bounding set needs CAP_SETPCAP,
 * which a non-root uid no longer has in its effective set. */
static int drop_bounding(const struct oci_process *p, struct sbx_error *e)
{
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;

	for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
		if (p->caps[OCI_CAP_BOUNDING] & (UINT64_C(1) << cap))
			continue;
		if (cap_drop_bound(cap) < 0 && errno != EINVAL)
			return sbx_error_set(e, errno, "process.capabilities.bounding: cannot drop %d", cap);
	}
	return 0;
}

static int set_caps(const struct oci_process *p, struct sbx_error *e)
{
	static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED };
	static const int sets[] = { OCI_CAP_EFFECTIVE, OCI_CAP_INHERITABLE, OCI_CAP_PERMITTED };
	__attribute__((cleanup(cleanup_cap))) cap_t caps = cap_init();
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;

	if (!caps)
		return sbx_error_set(e, errno, "cap_init");
	for (size_t s = 0; s < ARRAY_SIZE(flags); s++)
		for (cap_value_t cap = 0; cap <= last && cap < 64; cap++)
			if ((p->caps[sets[s]] & (UINT64_C(1) << cap)) &&
			    cap_set_flag(caps, flags[s], 1, &cap, CAP_SET) < 0)
				return sbx_error_set(e, errno, "cap_set_flag");
	if (cap_set_proc(caps) < 0)
		return sbx_error_set(e, errno, "process.capabilities: cannot set them");
	/* The kernel only raises an ambient capability that is permitted and
	 * inheritable; runc's own `runc spec` asks for others, which runc
	 * (and so sbx) skips with a warning. */
	for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
		uint64_t bit = UINT64_C(1) << cap;

		if (!(p->caps[OCI_CAP_AMBIENT] & bit))
			continue;
		if (!(p->caps[OCI_CAP_PERMITTED] & p->caps[OCI_CAP_INHERITABLE] & bit)) {
			char *name = cap_to_name(cap);

			dprintf(STDERR_FILENO, "sbx-oci: warning: process.capabilities.ambient: %s is not also permitted and inheritable, skipped\n",
				name ? name : "?");
			cap_free(name);
			continue;
		}
		if (cap_set_ambient(cap, CAP_SET) < 0)
			return sbx_error_set(e, errno, "process.capabilities.ambient: cannot raise %d", cap);
	}
	return 0;
}

static int set_ids(const struct oci_process *p, struct sbx_error *e)
{
	/* Where setgroups is denied (a single-id map) the list cannot change;
	 * an empty request is then no error. The kernel says so (EPERM), not
	 * /proc/self/setgroups: after the pivot that is the image's to plant. */
	if (setgroups(p->n_groups, p->groups) < 0 && !(errno == EPERM && p->n_groups == 0))
		return sbx_error_set(e, errno, "process.user.additionalGids: setgroups%s",
				     errno == EPERM ? " is denied in this user namespace" : "");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return sbx_error_set(e, errno, "process.user.gid %u", (unsigned)p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return sbx_error_set(e, errno, "process.user.uid %u", (unsigned)p->uid);
	return 0;
}

int oci_process_become(const struct oci_process *p, const struct oci_landlock *ll,
		       const struct syscall_filter *f, struct sbx_error *e)
{
	int r = oci_landlock_apply(ll, e);

	if (r < 0)
		return r;
	/* Without no_new_privs only CAP_SYS_ADMIN may load a filter: load it
	 * while we still have every capability (as runc does); the profile
	 * must then allow the calls below, which engines' profiles do. */
	if (!p->no_new_privs && f->n_progs) {
		r = syscall_filter_load(f, e);
		if (r < 0)
			return r;
	}
	r = drop_bounding(p, e);
	if (r < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "PR_SET_KEEPCAPS");
	r = set_ids(p, e);
	if (r < 0)
		return r;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	r = set_caps(p, e);
	if (r < 0)
		return r;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "process.noNewPrivileges");
	if (p->no_new_privs && f->n_progs)
		return syscall_filter_load(f, e);
	return 0;
}

int oci_process_exec(const struct oci_process *p, const char *path, int preserve_fds,
		     struct sbx_error *e)
{
	/* Fds 3..3+N-1 are the engine's (--preserve-fds, LISTEN_FDS); every
	 * other one above 2 is ours and goes. */
	for (int fd = 3; fd < 3 + preserve_fds; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (close_range(3 + (unsigned)preserve_fds, ~0U, 0) < 0 && preserve_fds == 0)
		close_all_except(NULL, 0);
	execve(path, p->args, p->env);
	sbx_error_set(e, errno, "exec %s", path);
	e->exit_code = errno == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
	return -e->err;
}
