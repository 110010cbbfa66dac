/* dbus_proxy.c - the D-Bus options: xdg-dbus-proxy in a sandbox of its own
 *
 * The proxy is started as flatpak starts it: with --fd=N, it writes a byte
 * to N once its sockets listen, and ends when N's other end closes. sbx
 * keeps that other end until the sandbox has ended. The proxy starts first
 * (desktop_prepare()), so its sandbox builds while the other resources are
 * found and the app's sandbox is set up; the command, last thing before it runs,
 * waits until the byte is there (dbus_proxy_wait()), so the app never sees
 * a bus that does not answer yet, and the proxy's start costs the app only
 * what the sandbox's own set-up did not cover. The app's view binds the
 * proxy's directory (its sockets are not there yet) and links the usual
 * socket paths into it. The proxy runs under sbx itself (this process, forked,
 * with a short command line parsed anew): its own namespaces, no network, an empty
 * $HOME, the bus's socket and its own directory the only host paths it
 * sees. That sbx gets SIGTERM when this one dies (PR_SET_PDEATHSIG): it
 * ends its sandbox, the proxy, and removes the proxy's directory, which sbx
 * can no longer do (dbus_proxy_dir.h says who else may).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dbus_proxy_dir.h"
#include "desktop_int.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"
#include "viewspec.h"

#define PROXY_END_TIMEOUT_MS 2000
#define PROXY_FD 3
/* The proxy's directory inside, in $XDG_RUNTIME_DIR. */
#define PROXY_DIR_INSIDE ".dbus-proxy"
#define SYSTEM_BUS_DEFAULT "unix:path=/run/dbus/system_bus_socket"
#define SYSTEM_BUS_INSIDE "/run/dbus/system_bus_socket"

/* The portals' front ends, named one by one rather than flatpak's
 * org.freedesktop.portal.*: that wildcard also admits
 * org.freedesktop.portal.Flatpak, whose Spawn starts commands, and the
 * portals cannot tell an sbx app from a host one (see sbx(1), "Portals"). */
static const char *const portal_rules[] = {
	"--talk=org.freedesktop.portal.Desktop",
	"--talk=org.freedesktop.portal.Documents",
};

/* The socket path of a D-Bus address "unix:path=P[,guid=...][;next]": the
 * first one only; abstract and TCP addresses are refused (the proxy's
 * sandbox has a network namespace of its own, and Landlock scopes
 * abstract sockets). */
static int bus_path(const char *addr, const char *what, char **ret, struct sbx_error *e)
{
	struct stat st;
	const char *p;
	size_t n;

	if (strncmp(addr, "unix:", 5) != 0 || !(p = strstr(addr, "path=")) ||
	    (p[-1] != ':' && p[-1] != ','))
		return sbx_error_set(e, 0, "the %s bus address %s has no socket path (unix:path=); "
					   "sbx cannot reach an abstract or TCP bus from a sandbox",
				     what, addr);
	p += 5;
	n = strcspn(p, ",;");
	if (n == 0 || p[0] != '/' || memchr(p, '%', n))
		return sbx_error_set(e, 0, "the %s bus address %s: unsupported path", what, addr);
	*ret = xasprintf("%.*s", (int)n, p);
	if (stat(*ret, &st) < 0)
		return sbx_error_set(e, errno, "the %s bus socket %s", what, *ret);
	if (!S_ISSOCK(st.st_mode))
		return sbx_error_set(e, ENOTSOCK, "the %s bus socket %s", what, *ret);
	return 0;
}

static int session_bus(char **ret, struct sbx_error *e)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS"), *rt = desktop_plan_host_runtime_dir();
	struct stat st;

	if (addr && *addr)
		return bus_path(addr, "session", ret, e);
	if (rt) {
		_cleanup_free_ char *p = xasprintf("%s/bus", rt);

		if (stat(p, &st) == 0 && S_ISSOCK(st.st_mode)) {
			*ret = TAKE_PTR(p);
			return 0;
		}
	}
	return sbx_error_set(e, 0, "no session bus: DBUS_SESSION_BUS_ADDRESS is not set");
}

struct argv_buf {
	char **v;
	size_t n;
};

static void push(struct argv_buf *a, char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void argv_free(struct argv_buf *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

static void push_bus(struct argv_buf *a, const char *host_sock, const char *listen,
		     char *const *rules, size_t n, bool portals)
{
	push(a, xasprintf("unix:path=%s", host_sock));
	push(a, xstrdup(listen));
	push(a, xstrdup("--filter"));
	for (size_t i = 0; i < n; i++)
		push(a, xstrdup(rules[i]));
	for (size_t i = 0; portals && i < ARRAY_SIZE(portal_rules); i++)
		push(a, xstrdup(portal_rules[i]));
}

/* The proxy's sbx is this process, forked: it parses @argv as a new "sbx
 * ARGV..." would and runs the same start, but without a second exec of
 * sbx, whose dynamic loading (and, in a VM, trapped CPUID instructions)
 * cost some 0.5 ms of CPU on the way to the proxy's byte, the app's wait.
 * Nothing of the caller's config is used: @argv says it all. */
static _Noreturn void run_proxy_sbx(int sync_w, pid_t parent, const struct desktop_run *run,
				    int argc, char **argv)
{
	struct sbx_error e = { 0 };
	struct sbx_caller caller;
	struct sbx_config pc;
	enum cli_action action;
	char *cwd = NULL;
	int keep[] = { PROXY_FD }, status = SBX_EXIT_SETUP;

	/* The proxy's sbx ends with us, and its sandbox with it: SIGTERM,
	 * an end like any other, after which it removes the directory. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(SBX_EXIT_SETUP);
	/* With sbx's stdin closed the pipe's write end may be PROXY_FD
	 * already: dup2() would leave it close-on-exec. */
	if (sync_w == PROXY_FD ? fcntl(PROXY_FD, F_SETFD, 0) < 0 : dup2(sync_w, PROXY_FD) < 0)
		_exit(SBX_EXIT_SETUP);
	/* What an exec would have closed (the caller's memfds, its X
	 * connection), and what it would have reset. */
	close_all_except(keep, 1);
	/* close_all_except() leaves 0-2 alone, but with sbx's stdin (or
	 * stdout) closed one of them is ours: the pipe's read end, say, made
	 * close-on-exec. An exec closed it; kept, the proxy's sbx held a
	 * reader of the proxy's pipe, which then never saw sbx close its end
	 * (sbx waited, then SIGKILLed it). */
	for (int fd = 0; fd <= 2; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fd != PROXY_FD && fl >= 0 && (fl & FD_CLOEXEC))
			close(fd);
	}
	/* The mask sbx was started with, not desktop_prepare()'s: an exec'ed
	 * sbx would have had it, and the proxy gets it from its sbx. */
	sigprocmask(SIG_SETMASK, &run->orig_mask, NULL);
	clock_gettime(CLOCK_MONOTONIC, &log_start);
	config_caller_from_env(&caller, &cwd, &e);
	config_init(&pc, &caller);
	free(cwd);
	log_verbosity = 0;
	if (cli_parse(&pc, argc, argv, &action, &e) < 0 || config_finish(&pc, &e) < 0 ||
	    viewspec_check_fds(&pc, &e) < 0 || sandbox_run(&pc, NULL, NULL, &status, &e) < 0) {
		/* This process is the proxy's sbx main: its error is its own
		 * line, as that of an sbx started for it would be. */
		log_error(&e);
		status = e.exit_code ? e.exit_code : SBX_EXIT_SETUP;
	}
	/* sbx died (we were adopted): its end did not remove the directory. */
	if (getppid() != parent)
		dbus_proxy_dir_remove(run->proxy_dir);
	_exit(status);
}

static void build_argv(const struct sbx_config *c, const struct desktop_run *run,
		       const char *session, const char *system, struct argv_buf *a)
{
	push(a, xstrdup("sbx"));
	/* Only the user's own ids: all the proxy needs, and the quickest
	 * start (no newuidmap, no holder). */
	push(a, xstrdup("--userns"));
	push(a, xstrdup("single"));
	push(a, xstrdup("--clearenv"));
	push(a, xstrdup("--setenv"));
	push(a, xstrdup("PATH"));
	push(a, xstrdup("/usr/local/bin:/usr/bin:/bin"));
	push(a, xstrdup("--pass-fd"));
	push(a, xasprintf("%d", PROXY_FD));
	push(a, xstrdup("--bind"));
	push(a, xstrdup(run->proxy_dir));
	if (session) {
		push(a, xstrdup("--ro-bind"));
		push(a, xstrdup(session));
	}
	if (system) {
		push(a, xstrdup("--ro-bind"));
		push(a, xstrdup(system));
	}
	push(a, xstrdup("--"));
	push(a, xstrdup("xdg-dbus-proxy"));
	push(a, xasprintf("--fd=%d", PROXY_FD));
	if (session) {
		_cleanup_free_ char *l = xasprintf("%s/bus", run->proxy_dir);

		push_bus(a, session, l, c->dbus_rules, c->n_dbus_rules, c->gui);
	}
	if (system) {
		_cleanup_free_ char *l = xasprintf("%s/system_bus_socket", run->proxy_dir);

		push_bus(a, system, l, c->dbus_system_rules, c->n_dbus_system_rules, false);
	}
}

static int start_proxy(const struct sbx_config *c, struct desktop_run *run, const char *session,
		       const char *system, struct sbx_error *e)
{
	const char *rt = desktop_plan_host_runtime_dir(), *parent_dir = rt ? rt : "/tmp";
	struct argv_buf a = { 0 };
	int p[2], r;
	pid_t parent = getpid(), pid;

	/* Those that sbx and the proxy's sbx killed at once left. */
	dbus_proxy_dir_collect(parent_dir);
	r = dbus_proxy_dir_make(parent_dir, &run->proxy_dir, &run->proxy_lock, e);
	if (r < 0)
		return r;
	build_argv(c, run, session, system, &a);
	if (pipe2(p, O_CLOEXEC) < 0) {
		argv_free(&a);
		return sbx_error_set(e, errno, "pipe2");
	}
	pid = fork();
	if (pid == 0)
		run_proxy_sbx(p[1], parent, run, (int)a.n, a.v);
	argv_free(&a);
	close(p[1]);
	run->proxy_sync = p[0];
	if (pid < 0)
		return sbx_error_set(e, errno, "fork");
	proc_adopt(&run->proxy, pid);
	return 0;
}

int dbus_proxy_prepare(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e)
{
	bool filtered = c->n_dbus_rules || c->gui, sys = c->n_dbus_system_rules;
	_cleanup_free_ char *session = NULL, *system = NULL, *rt = desktop_plan_runtime_dir(c),
			    *inner = xasprintf("%s/bus", rt), *addr = NULL, *dir = NULL;
	const char *sys_addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	int r;

	if (c->dbus_session_unfiltered && c->n_dbus_rules)
		return sbx_error_set(e, 0, "--dbus-session-unfiltered and the --dbus-* session rules "
					   "exclude each other");
	if (c->dbus_session_unfiltered)
		filtered = false;
	if (filtered || c->dbus_session_unfiltered) {
		r = session_bus(&session, e);
		if (r < 0 && !c->n_dbus_rules && !c->dbus_session_unfiltered) {
			/* --gui alone: no bus here is no error. */
			desktop_plan_note(run, "--gui: %s: D-Bus skipped", e->msg);
			filtered = false;
		} else if (r < 0) {
			return r;
		}
	}
	if (sys) {
		r = bus_path(sys_addr && *sys_addr ? sys_addr : SYSTEM_BUS_DEFAULT, "system", &system,
			     e);
		if (r < 0)
			return r;
	}
	/* No D-Bus option: no bus at all, not even a stale address. */
	desktop_plan_setenv(c, "DBUS_SESSION_BUS_ADDRESS", NULL);
	desktop_plan_setenv(c, "DBUS_SYSTEM_BUS_ADDRESS", NULL);
	addr = xasprintf("unix:path=%s", inner);
	if (c->dbus_session_unfiltered) {
		desktop_plan_warn(run, "--dbus-session-unfiltered: the app can call every service on your "
				  "session bus (and ask some to run commands for it)");
		desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, session, inner, false);
		desktop_plan_setenv(c, "DBUS_SESSION_BUS_ADDRESS", addr);
	}
	if (!filtered && !sys)
		return 0;
	r = start_proxy(c, run, filtered ? session : NULL, system, e);
	if (r < 0)
		return r;
	c->dbus_proxy_pending = true;
	c->dbus_proxy_fd = run->proxy_sync;
	dir = xasprintf("%s/" PROXY_DIR_INSIDE, rt);
	desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, run->proxy_dir, dir, false);
	if (filtered) {
		desktop_plan_add_symlink(c, PROXY_DIR_INSIDE "/bus", inner);
		desktop_plan_setenv(c, "DBUS_SESSION_BUS_ADDRESS", addr);
	}
	if (sys) {
		_cleanup_free_ char *l = xasprintf("%s/system_bus_socket", dir);

		desktop_plan_add_symlink(c, l, SYSTEM_BUS_INSIDE);
		desktop_plan_setenv(c, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" SYSTEM_BUS_INSIDE);
	}
	return 0;
}

void dbus_proxy_end(struct desktop_run *run)
{
	/* The proxy ends on its own when this closes; its sbx is ended too,
	 * so the proxy is gone when sbx returns. Not before its byte (or its
	 * end), though: when the sandbox failed early, a proxy whose pipe is
	 * closed while it starts says so on our stderr, after sbx's own
	 * error line. */
	if (run->proxy_sync >= 0) {
		struct pollfd pfd = { .fd = run->proxy_sync, .events = POLLIN };

		while (poll(&pfd, 1, PROXY_END_TIMEOUT_MS) < 0 && errno == EINTR)
			;
		close(run->proxy_sync);
	}
	run->proxy_sync = -1;
	if (run->proxy.pidfd >= 0) {
		struct pollfd pfd = { .fd = run->proxy.pidfd, .events = POLLIN };

		/* Its clean end first: the proxy sees the close, its sandbox
		 * and its sbx exit. SIGKILL only for one that hangs. */
		while (poll(&pfd, 1, PROXY_END_TIMEOUT_MS) < 0 && errno == EINTR)
			;
	}
	proc_kill_and_reap(&run->proxy);
	/* Unlocked, it is anyone's to remove: ours, or a collector's. */
	if (run->proxy_lock >= 0)
		close(TAKE_FD(run->proxy_lock));
	if (!run->proxy_dir)
		return;
	dbus_proxy_dir_remove(run->proxy_dir);
	free(run->proxy_dir);
	run->proxy_dir = NULL;
}
