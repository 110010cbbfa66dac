/* x11.c - --x11: the display's socket alone, and a cookie for it */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desktop_int.h"
#include "util.h"
#include "x11_cookie.h"

#define X11_SOCKET_DIR "/tmp/.X11-unix"
/* An Xauthority file larger than this is not one. */
#define XAUTH_MAX (1 << 20)

/* ":N", ":N.S", "unix:N[.S]": local displays only. Fills @number ("N") and
 * @rest (".S" or ""). */
static int parse_display(const char *d, char *number, size_t nsize, const char **rest)
{
	const char *colon = strrchr(d, ':');
	size_t n;

	if (!colon || (colon != d && strncmp(d, "unix:", 5) != 0) || (colon != d && colon != d + 4))
		return -EINVAL;
	n = strspn(colon + 1, "0123456789");
	if (n == 0 || n >= nsize || n > 5 || (colon[1 + n] && colon[1 + n] != '.'))
		return -EINVAL;
	memcpy(number, colon + 1, n);
	number[n] = '\0';
	*rest = colon + 1 + n;
	return 0;
}

/* The caller's cookie for display @number, if the Xauthority file has one. */
static int read_user_cookie(const char *number, struct x11_auth *ret, struct sbx_error *e)
{
	const char *path = getenv("XAUTHORITY");
	_cleanup_free_ char *dflt = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	char host[256] = "";
	size_t len = 0, cap;
	struct stat st;
	int r;

	if (!path || !*path) {
		const char *home = getenv("HOME");

		if (!home)
			return 0;
		path = dflt = xasprintf("%s/.Xauthority", home);
	}
	/* O_NONBLOCK: opening a FIFO would wait for a writer for ever. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : sbx_error_set(e, errno, "--x11: %s", path);
	if (fstat(fd, &st) < 0)
		return sbx_error_set(e, errno, "--x11: %s", path);
	if (!S_ISREG(st.st_mode))
		return sbx_error_set(e, 0, "--x11: %s: not an Xauthority file", path);
	if (st.st_size >= XAUTH_MAX)
		return sbx_error_set(e, EFBIG, "--x11: %s", path);
	/* One byte more than its size: a file that grew meanwhile is cut,
	 * which only makes its last entry malformed. */
	cap = (size_t)st.st_size + 1;
	buf = xreallocarray(NULL, cap, 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_error_set(e, errno, "--x11: %s", path);
		if (n == 0 || (len += (size_t)n) == cap)
			break;
	}
	gethostname(host, sizeof(host) - 1);
	r = x11_xauth_find((uint8_t *)buf, len, number, host, ret);
	if (r < 0)
		return sbx_error_set(e, EINVAL, "--x11: %s: not an Xauthority file", path);
	return r;
}

/* The untrusted cookie, made over a connection with the caller's own. Both
 * connections' set-ups, and QueryExtension on the second, go out before
 * any answer is read: two round trips to the server, not four, on the
 * way to the sandbox's start. */
static int make_untrusted(const char *sock, const char *display, const struct x11_auth *user,
			  struct desktop_run *run, struct x11_auth *ret, struct sbx_error *e)
{
	_cleanup_close_ int probe = -1, fd = -1;
	char reason[256];
	int r;

	/* A server that lets any local client in (no cookie, or an xhost
	 * rule such as si:localuser) would let the app in trusted whatever
	 * cookie it has: the untrusted one would only pretend. */
	r = x11_connect_send(sock, NULL, false, &probe);
	if (r == 0)
		r = x11_connect_send(sock, user, true, &fd);
	if (r < 0)
		return sbx_error_set(e, r, "--x11: cannot connect to %s", display);
	r = x11_connect_finish(probe, reason, sizeof(reason));
	if (r == 0)
		return sbx_error_set(e, 0, "--x11: the X server of %s lets clients in without a cookie "
					   "(xhost), so an untrusted cookie would protect nothing; "
					   "use --x11-trusted", display);
	/* A server that does not answer once would not answer twice: one
	 * wait is enough. */
	if (r != -EACCES)
		return sbx_error_set(e, r, "--x11: cannot connect to %s", display);
	r = x11_connect_finish(fd, reason, sizeof(reason));
	if (r == -EACCES)
		return sbx_error_set(e, 0, "--x11: the X server of %s refused sbx: %s", display, reason);
	if (r < 0)
		return sbx_error_set(e, r, "--x11: cannot connect to %s", display);
	run->x11_conn = TAKE_FD(fd);
	r = x11_security_generate(run->x11_conn, false, ret, &run->x11_auth, &run->x11_major);
	if (r == -ENOTSUP)
		return sbx_error_set(e, 0, "--x11: the X server of %s has no SECURITY extension, so no "
					   "untrusted cookie: --x11-trusted gives the app full access",
				     display);
	if (r < 0)
		return sbx_error_set(e, r, "--x11: SecurityGenerateAuthorization on %s", display);
	return 0;
}

int x11_prepare(struct sbx_config *c, struct desktop_run *run, bool required, struct sbx_error *e)
{
	const char *display = getenv("DISPLAY"), *rest;
	_cleanup_free_ char *sock = NULL, *rt = NULL, *xauth = NULL, *inner = NULL;
	char number[8];
	struct x11_auth user, cookie;
	uint8_t entry[512];
	bool have_user = false;
	struct stat st;
	int r, len;

	if (!display || !*display) {
		if (required)
			return sbx_error_set(e, 0, "--x11: DISPLAY is not set");
		desktop_plan_note(run, "--gui: no X display (DISPLAY unset): X11 skipped");
		return 0;
	}
	if (parse_display(display, number, sizeof(number), &rest) < 0)
		return sbx_error_set(e, 0, "--x11: DISPLAY=%s is not a local display (:N)", display);
	sock = xasprintf(X11_SOCKET_DIR "/X%s", number);
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		if (required)
			return sbx_error_set(e, 0, "--x11: no X server for %s: %s is not a socket",
					     display, sock);
		desktop_plan_note(run, "--gui: no socket %s: X11 skipped", sock);
		return 0;
	}
	r = read_user_cookie(number, &user, e);
	if (r < 0)
		return r;
	have_user = r > 0;

	if (c->x11_trusted) {
		desktop_plan_warn(run, "--x11-trusted: the app can read every window and keystroke of %s "
				  "and inject input",
			     display);
		cookie = user;
	} else {
		r = make_untrusted(sock, display, have_user ? &user : NULL, run, &cookie, e);
		if (r < 0)
			return r;
		have_user = true;
	}

	rt = desktop_plan_runtime_dir(c);
	desktop_plan_add_tmpfs(c, X11_SOCKET_DIR, 01777);
	/* A socket needs no write access to the mount to be connected to. */
	desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, sock, sock, false);
	inner = xasprintf(":%s%s", number, rest);
	desktop_plan_setenv(c, "DISPLAY", inner);
	if (have_user) {
		len = x11_xauth_entry(number, &cookie, entry, sizeof(entry));
		if (len < 0)
			return sbx_error_set(e, -len, "--x11: cookie");
		xauth = xasprintf("%s/Xauthority", rt);
		r = desktop_plan_add_file(c, run, xauth, entry, (size_t)len, e);
		if (r < 0)
			return r;
		desktop_plan_setenv(c, "XAUTHORITY", xauth);
	} else {
		desktop_plan_setenv(c, "XAUTHORITY", NULL);
	}
	return 1;
}

void x11_cookie_revoke(int fd, uint8_t major, uint32_t id)
{
	if (fd >= 0 && id)
		x11_security_revoke(fd, major, id);
}
