/* doctor_host.c - `sbx doctor`'s host checks: subordinate ids and the setuid
 * helpers, /dev/net/tun, libslirp, cgroup v2 delegation, the systemd user
 * manager, xdg-dbus-proxy, and a display and audio for --gui */
#include "autoconf.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "doctor_host.h"
#include "userns.h"
#include "util.h"

/* Longest `xdg-dbus-proxy --version` may take before it counts as broken. */
#define DBUS_PROXY_TIMEOUT_MS 10000

#define SUBID_FIX "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER"

static void check_subids(struct doctor_report *r, const char *file, const char *what)
{
	struct subid_range ranges[8];
	struct passwd *pw = getpwuid(getuid());
	size_t n = subid_load(file, pw ? pw->pw_name : NULL, getuid(), ranges, ARRAY_SIZE(ranges));
	unsigned long total = 0;

	for (size_t i = 0; i < n; i++)
		total += ranges[i].count;
	if (getuid() == 0)
		doctor_add(r, what, DOCTOR_OK, NULL, "root maps any id; %s ranges not needed", file);
	else if (total >= 65536)
		doctor_add(r, what, DOCTOR_OK, NULL, "%lu ids in %zu range(s) of %s", total, n, file);
	else if (total)
		doctor_add(r, what, DOCTOR_WARN, SUBID_FIX,
			   "only %lu ids in %s: ids beyond them show as nobody", total, file);
	else
		doctor_add(r, what, DOCTOR_WARN, SUBID_FIX,
			   "no range in %s: only your own id exists in the sandbox", file);
}

/* @name in /usr/bin or /bin; setuid root or with file capabilities. */
static void check_helper(struct doctor_report *r, const char *name)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/local/bin" };
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (stat(path, &st) < 0)
			continue;
		if ((st.st_mode & S_ISUID) && st.st_uid == 0)
			doctor_add(r, name, DOCTOR_OK, NULL, "%s, setuid root", path);
		else if (getxattr(path, "security.capability", NULL, 0) > 0)
			doctor_add(r, name, DOCTOR_OK, NULL, "%s, with file capabilities", path);
		else
			doctor_add(r, name, getuid() ? DOCTOR_WARN : DOCTOR_OK,
				   getuid() ? "sudo chmod u+s /usr/bin/newuidmap /usr/bin/newgidmap" : NULL,
				   "%s is neither setuid nor file-capable: only a one-id map", path);
		return;
	}
	doctor_add(r, name, getuid() ? DOCTOR_WARN : DOCTOR_OK,
		   getuid() ? "sudo apt-get install uidmap (shadow-utils elsewhere)" : NULL,
		   "not installed: %s", getuid() ? "only your own id exists in the sandbox" : "root needs none");
}

static void check_tun(struct doctor_report *r)
{
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		doctor_add(r, "/dev/net/tun", DOCTOR_OK, NULL, "opened read-write");
	else
		doctor_add(r, "/dev/net/tun", DOCTOR_WARN,
			   errno == ENOENT ? "sudo modprobe tun" : "sudo chmod 0666 /dev/net/tun (distributions' default)",
			   "cannot open (%s): --net slirp unavailable", strerror(errno));
}

static void check_slirp(struct doctor_report *r)
{
	void *h = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);

	if (h) {
		doctor_add(r, "libslirp", DOCTOR_OK, NULL, "libslirp.so.0 loads");
		dlclose(h);
	} else {
		doctor_add(r, "libslirp", DOCTOR_WARN, "sudo apt-get install libslirp0",
			   "cannot load (%s): --net slirp unavailable", dlerror());
	}
}

/* The first line of the small file @path, without its newline. */
static int read_first_line(const char *path, char *buf, size_t len)
{
	int r = read_file_at(AT_FDCWD, path, buf, len);

	if (r == 0)
		buf[strcspn(buf, "\n")] = '\0';
	return r;
}

static void check_cgroup(struct doctor_report *r)
{
	char line[PATH_MAX], dir[PATH_MAX + 32], file[PATH_MAX + 64], ctl[256] = "";
	struct statfs sf;
	const char *mnt = "/sys/fs/cgroup";

	if (statfs(mnt, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		doctor_add(r, "cgroup v2", DOCTOR_WARN, "boot with systemd.unified_cgroup_hierarchy=1",
			   "/sys/fs/cgroup is not cgroup2 (v1 or hybrid): limits fall back to rlimits");
		return;
	}
	if (read_first_line("/proc/self/cgroup", line, sizeof(line)) < 0 || strncmp(line, "0::", 3) != 0) {
		doctor_add(r, "cgroup v2", DOCTOR_WARN, NULL, "no cgroup v2 entry in /proc/self/cgroup");
		return;
	}
	snprintf(dir, sizeof(dir), "%s%s", mnt, line + 3);
	snprintf(file, sizeof(file), "%s/cgroup.controllers", dir);
	read_first_line(file, ctl, sizeof(ctl));
	if (getuid() != 0) {
		/* Really try: a child cgroup, removed at once. */
		snprintf(file, sizeof(file), "%s/sbx-doctor-%d", dir, (int)getpid());
		if (mkdir(file, 0755) < 0) {
			doctor_add(r, "cgroup v2", DOCTOR_WARN,
				   "run sbx in a delegated scope: systemd-run --user --scope -p Delegate=yes sbx ...",
				   "%s is not delegated to you (%s): no --memory/--pids/--cpus by cgroup",
				   line + 3, strerror(errno));
			return;
		}
		rmdir(file);
	}
	doctor_add(r, "cgroup v2", strstr(ctl, "memory") && strstr(ctl, "pids") ? DOCTOR_OK : DOCTOR_WARN,
		   strstr(ctl, "memory") && strstr(ctl, "pids") ? NULL :
		   "delegate memory and pids (systemd does in user@UID.service)",
		   "%s writable; controllers: %s", line + 3, ctl[0] ? ctl : "(none)");
}

/* Connect to the unix socket at @path: the real test that a service listens.
 * Non-blocking: a listener that never accepts blocks a blocking connect()
 * once its backlog is full; then the answer is EAGAIN, never a hang. */
static int try_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
}

static void runtime_path(char *buf, size_t len, const char *name)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (name[0] == '/')
		snprintf(buf, len, "%s", name);
	else if (rt && rt[0])
		snprintf(buf, len, "%s/%s", rt, name);
	else
		snprintf(buf, len, "/run/user/%u/%s", (unsigned)getuid(), name);
}

static void check_user_manager(struct doctor_report *r)
{
	char path[PATH_MAX];
	int rc;

	runtime_path(path, sizeof(path), "systemd/private");
	rc = try_connect(path);
	if (rc == 0)
		doctor_add(r, "systemd user manager", DOCTOR_OK, NULL, "answers at %s", path);
	else
		doctor_add(r, "systemd user manager", DOCTOR_INFO,
			   "log in through a systemd session, or: sudo loginctl enable-linger $USER",
			   "none at %s (%s): no transient scope for limits", path, strerror(-rc));
}

static void check_dbus_proxy(struct doctor_report *r)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("xdg-dbus-proxy", "xdg-dbus-proxy", "--version", (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		/* Bounded: whatever PATH finds under that name may never end. */
		_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		if (pidfd >= 0 && poll(&p, 1, DBUS_PROXY_TIMEOUT_MS) == 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		doctor_add(r, "xdg-dbus-proxy", DOCTOR_OK, NULL, "runs (filtered D-Bus for --gui)");
	else
		doctor_add(r, "xdg-dbus-proxy", DOCTOR_INFO, "sudo apt-get install xdg-dbus-proxy",
			   "not runnable: no D-Bus access from --gui sandboxes");
}

static void check_gui(struct doctor_report *r)
{
	const char *wl = getenv("WAYLAND_DISPLAY"), *x = getenv("DISPLAY");
	char path[PATH_MAX];
	bool have = false;

	if (wl && wl[0]) {
		runtime_path(path, sizeof(path), wl);
		if (try_connect(path) == 0) {
			doctor_add(r, "display", DOCTOR_OK, NULL, "Wayland compositor at %s", path);
			have = true;
		}
	}
	if (!have && x && x[0] == ':') {
		snprintf(path, sizeof(path), "/tmp/.X11-unix/X%d", atoi(x + 1));
		if (try_connect(path) == 0) {
			doctor_add(r, "display", DOCTOR_OK, NULL, "X11 server at %s", path);
			have = true;
		}
	}
	if (!have)
		doctor_add(r, "display", DOCTOR_INFO, "run from a graphical session",
			   "no Wayland or X11 server reachable: --gui has nothing to show on");
	runtime_path(path, sizeof(path), "pipewire-0");
	if (try_connect(path) == 0) {
		doctor_add(r, "audio", DOCTOR_OK, NULL, "PipeWire at %s", path);
		return;
	}
	runtime_path(path, sizeof(path), "pulse/native");
	if (try_connect(path) == 0)
		doctor_add(r, "audio", DOCTOR_OK, NULL, "PulseAudio at %s", path);
	else
		doctor_add(r, "audio", DOCTOR_INFO, "run from a session with PipeWire or PulseAudio",
			   "no PipeWire or PulseAudio socket: --gui has no sound");
}

void doctor_check_host(struct doctor_report *r)
{
	check_subids(r, "/etc/subuid", "subuid range");
	check_subids(r, "/etc/subgid", "subgid range");
	check_helper(r, "newuidmap");
	check_helper(r, "newgidmap");
	check_tun(r);
	check_slirp(r);
	check_cgroup(r);
	check_user_manager(r);
	check_dbus_proxy(r);
	check_gui(r);
}
