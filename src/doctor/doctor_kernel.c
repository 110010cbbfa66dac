/* doctor_kernel.c - `sbx doctor`'s kernel checks, each tried in a throwaway child:
 * user namespaces (with the sysctls and the AppArmor rule behind a refusal),
 * Landlock, seccomp, the new mount API */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apparmor.h"
#include "doctor_kernel.h"
#include "util.h"

/* What a trial child reports: the step it failed at (0: none) and errno. */
struct trial {
	int step;
	int err;
};

/* Run @fn in a forked child; it returns 0 or a step number with errno set. */
static struct trial trial_run(int (*fn)(void))
{
	struct trial t = { .step = -1, .err = EIO };
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return (struct trial){ -1, errno };
	pid = fork();
	if (pid < 0) {
		t.err = errno;
		close(fds[0]);
		close(fds[1]);
		return t;
	}
	if (pid == 0) {
		struct trial r = { 0, 0 };

		close(fds[0]);
		r.step = fn();
		r.err = r.step ? errno : 0;
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &t, sizeof(t)) != sizeof(t))
		t = (struct trial){ -1, EIO };
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return t;
}

static int write_str(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	return write_all(fd, s, strlen(s)) < 0 ? -1 : 0;
}

/* A user namespace as sbx makes one: created, mapped, able to mount. */
static int try_userns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 1;
	if (write_str("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return 2;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_str("/proc/self/uid_map", map) < 0)
		return 2;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_str("/proc/self/gid_map", map) < 0)
		return 2;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/tmp", "tmpfs", 0, NULL) < 0)
		return 3;
	return 0;
}

static long read_sysctl(const char *path)
{
	char buf[32] = "";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void check_userns(struct doctor_report *r)
{
	static const char *const steps[] = { "", "creating one", "writing its id maps", "mounting in it" };
	long max = read_sysctl("/proc/sys/user/max_user_namespaces");
	long clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone");
	int aa = apparmor_userns_restricted(APPARMOR_USERNS_SYSCTL);
	struct trial t = trial_run(try_userns);
	const char *hint;

	if (t.step == 0) {
		doctor_add(r, "user namespaces", DOCTOR_OK, NULL,
			   "created, mapped, mounted in (user.max_user_namespaces=%ld%s)", max,
			   aa > 0 ? "; AppArmor restriction on, sbx's profile lets it" : "");
		return;
	}
	hint = apparmor_userns_hint(t.err, aa);
	if (t.step == 3 && aa > 0)
		/* Ubuntu without sbx's profile: the namespace is made, but
		 * confined by "unprivileged_userns", which denies mounting. */
		hint = apparmor_userns_hint(EACCES, aa);
	doctor_add(r, "user namespaces", DOCTOR_FAIL,
		   hint ? hint :
		   max == 0 ? "sudo sysctl -w user.max_user_namespaces=15000 (and set it in /etc/sysctl.d/)" :
		   clone == 0 ? "sudo sysctl -w kernel.unprivileged_userns_clone=1 (and set it in /etc/sysctl.d/)" :
				"ask the administrator: unprivileged user namespaces are refused",
		   "%s failed: %s (user.max_user_namespaces=%ld%s%s)", steps[t.step > 0 && t.step < 4 ? t.step : 1],
		   strerror(t.err), max, clone == 0 ? ", kernel.unprivileged_userns_clone=0" : "",
		   aa > 0 ? ", kernel.apparmor_restrict_unprivileged_userns=1" : "");
}

static int try_landlock(void)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE };
	int fd;

	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return 1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 2;
	if (syscall(SYS_landlock_restrict_self, fd, 0) < 0)
		return 3;
	return 0;
}

static void check_landlock(struct doctor_report *r)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int err = errno;
	struct trial t;

	if (abi < 0) {
		doctor_add(r, "Landlock", DOCTOR_WARN,
			   err == EOPNOTSUPP ? "add landlock to the kernel's lsm= boot parameter" :
					       "a kernel with CONFIG_SECURITY_LANDLOCK (Linux >= 5.13)",
			   "unavailable (%s): sbx confines by its mount view and seccomp only",
			   err == EOPNOTSUPP ? "disabled at boot" : strerror(err));
		return;
	}
	t = trial_run(try_landlock);
	if (t.step)
		doctor_add(r, "Landlock", DOCTOR_WARN, NULL, "ABI %ld, but restricting failed: %s", abi,
			   strerror(t.err));
	else
		doctor_add(r, "Landlock", DOCTOR_OK, NULL, "ABI %ld, a ruleset applied%s", abi,
			   abi < 3 ? " (no truncate control before ABI 3)" : "");
}

static int try_seccomp(void)
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 1;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return 2;
	return 0;
}

static void check_seccomp(struct doctor_report *r)
{
	unsigned action = SECCOMP_RET_USER_NOTIF;
	struct trial t = trial_run(try_seccomp);
	bool notif = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;

	if (t.step)
		doctor_add(r, "seccomp", DOCTOR_FAIL, "a kernel with CONFIG_SECCOMP_FILTER",
			   "cannot load a filter: %s", strerror(t.err));
	else
		doctor_add(r, "seccomp", notif ? DOCTOR_OK : DOCTOR_WARN, NULL,
			   "a filter loaded; user notification %s", notif ? "available" :
			   "missing (the --net slirp TCP bypass is off)");
}

static void check_mount_api(struct doctor_report *r)
{
	/* An invalid call: ENOSYS says the call is missing, anything else
	 * (EBADF, EINVAL) that the kernel has it. */
	long rc = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0);
	int err = errno;

	if (rc < 0 && err == ENOSYS)
		doctor_add(r, "mount_setattr", DOCTOR_WARN, "Linux >= 5.12",
			   "missing: read-only binds use the legacy mount API, no idmapped binds");
	else
		doctor_add(r, "mount_setattr", DOCTOR_OK, NULL, "present (recursive attributes, idmapped mounts)");
}

void doctor_check_kernel(struct doctor_report *r)
{
	check_userns(r);
	check_seccomp(r);
	check_landlock(r);
	check_mount_api(r);
}
