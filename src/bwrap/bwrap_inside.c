/* bwrap_inside.c - the in-sandbox steps only bwrap's command line asks for */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bwrap_inside.h"
#include "caps.h"
#include "util.h"

static int write_proc(int procfd, const char *path, const char *text)
{
	_cleanup_close_ int fd = openat(procfd, path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return write_all(fd, text, strlen(text));
}

int bwrap_inside_userns(const struct sbx_config *c, int procfd, struct sbx_error *e)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int r;

	if (c->bwrap.disable_userns) {
		r = write_proc(procfd, "sys/user/max_user_namespaces", "1");
		if (r < 0)
			return sbx_error_set(e, r, "sysctl user.max_user_namespaces = 1");
		if (unshare(CLONE_NEWUSER) < 0)
			return sbx_error_set(e, errno, "unshare user ns");
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
		r = write_proc(procfd, "self/uid_map", map);
		if (r == 0) {
			write_proc(procfd, "self/setgroups", "deny");
			snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
			r = write_proc(procfd, "self/gid_map", map);
		}
		if (r < 0)
			return sbx_error_set(e, r, "cannot write the nested user namespace's maps");
	}
	if (c->bwrap.userns2_fd >= 0 && setns(c->bwrap.userns2_fd, CLONE_NEWUSER) < 0)
		return sbx_error_set(e, errno, "Setting userns2 failed");
	if ((c->bwrap.disable_userns || c->bwrap.assert_userns_disabled) &&
	    unshare(CLONE_NEWUSER) == 0)
		return sbx_error_set(e, 0, "creation of new user namespaces was not disabled as requested");
	return 0;
}

int bwrap_inside_lock_files(const struct sbx_config *c, struct sbx_error *e)
{
	for (size_t i = 0; i < c->bwrap.n_lock_files; i++) {
		struct flock lock = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
		/* Not closed: the lock lasts as long as pid 1. */
		int fd = open(c->bwrap.lock_files[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return sbx_error_set(e, errno, "Unable to open lock file %s",
					     c->bwrap.lock_files[i]);
		if (fcntl(fd, F_SETLKW, &lock) < 0)
			return sbx_error_set(e, errno, "Unable to lock file %s", c->bwrap.lock_files[i]);
	}
	return 0;
}

/* Sandbox uid 0 keeps its capabilities as bwrap leaves them: all it has,
 * untouched, unless --cap-add/--cap-drop asked for a set: then that set is
 * permitted, effective, inheritable and ambient. The bounding set stays. */
static int keep_root_caps(uint64_t keep, bool requested, struct sbx_error *e)
{
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;
	cap_t caps;
	int r = 0;

	/* Only what this process holds can be kept. */
	for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
		int in_bound = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

		if (in_bound < 0 && errno != EINVAL)
			return sbx_error_set(e, errno, "cannot read the bounding set");
		if (in_bound <= 0)
			keep &= ~(UINT64_C(1) << cap);
	}
	if (requested) {
		caps = cap_get_proc();
		if (!caps)
			return sbx_error_set(e, errno, "cap_get_proc");
		for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
			cap_flag_value_t have = CAP_CLEAR;

			cap_get_flag(caps, cap, CAP_PERMITTED, &have);
			if (have != CAP_SET)
				keep &= ~(UINT64_C(1) << cap);
		}
		cap_clear(caps);
		for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
			if (!(keep & (UINT64_C(1) << cap)))
				continue;
			if (cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET) < 0 ||
			    cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET) < 0 ||
			    cap_set_flag(caps, CAP_INHERITABLE, 1, &cap, CAP_SET) < 0)
				r = -errno;
		}
		if (r == 0 && cap_set_proc(caps) < 0)
			r = -errno;
		cap_free(caps);
		for (cap_value_t cap = 0; r == 0 && cap <= last && cap < 64; cap++)
			if ((keep & (UINT64_C(1) << cap)) && cap_set_ambient(cap, CAP_SET) < 0)
				r = -errno;
		if (r < 0)
			return sbx_error_set(e, -r, "cannot set the command's capabilities");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "prctl(PR_SET_NO_NEW_PRIVS) failed");
	return 0;
}

int bwrap_inside_exec_prepare(const struct sbx_config *c, const sigset_t *orig_mask,
			      struct sbx_error *e)
{
	char cwd[PATH_MAX];
	int r;

	if (c->bwrap.new_session && setsid() < 0)
		return sbx_error_set(e, errno, "setsid");
	if (c->bwrap.set_pwd && getcwd(cwd, sizeof(cwd)) && setenv("PWD", cwd, 1) < 0)
		return sbx_error_set(e, errno, "setenv PWD");
	if (c->bwrap.block_fd >= 0) {
		sigset_t blocked;
		char b;
		ssize_t n;

		/* The wait may last for ever (bwrap's contract), but a signal
		 * sbx forwards (SIGTERM...) must still end it: the caller's
		 * mask, so default actions apply, for the wait only. */
		sigprocmask(SIG_SETMASK, orig_mask, &blocked);
		do
			n = read(c->bwrap.block_fd, &b, 1);
		while (n < 0 && errno == EINTR);
		sigprocmask(SIG_SETMASK, &blocked, NULL);
		close(c->bwrap.block_fd);
	}
	if (c->bwrap.sync_fd >= 0 && !c->bwrap.as_pid_1)
		close(c->bwrap.sync_fd);
	/* --exec-label: the SELinux context the command is executed in. */
	if (c->bwrap.exec_label) {
		_cleanup_close_ int fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);

		r = fd < 0 ? -errno : write_all(fd, c->bwrap.exec_label, strlen(c->bwrap.exec_label));
		if (r < 0)
			return sbx_error_set(e, -r, "label_exec %s", c->argv[0]);
	}
	r = c->bwrap.keep_caps ? keep_root_caps(c->bwrap.caps, c->bwrap.caps_requested, e)
			       : caps_drop_for_exec(c->bwrap.caps, e);
	return r;
}

int bwrap_inside_seccomp(const struct sbx_config *c, struct sbx_error *e)
{
	for (size_t i = 0; i < c->bwrap.n_seccomp; i++)
		/* prctl(), not seccomp(): bwrap documents that every program
		 * but the last must allow prctl, and callers' filters do. */
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &c->bwrap.seccomp[i], 0, 0) < 0)
			return sbx_error_set(e, errno, "Unable to apply seccomp filter");
	return 0;
}
