/* audio.c - --audio: the PulseAudio socket and cookie, the PipeWire socket */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desktop_int.h"
#include "util.h"

/* PulseAudio's cookie is 256 bytes. */
#define PULSE_COOKIE_MAX 4096

static bool is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The server's socket, as libpulse finds it: $PULSE_SERVER when it names a
 * local socket, else $XDG_RUNTIME_DIR/pulse/native. */
static char *pulse_socket(void)
{
	const char *server = getenv("PULSE_SERVER"), *rt = desktop_plan_host_runtime_dir();

	if (server && strncmp(server, "unix:", 5) == 0 && server[5] == '/')
		return xstrdup(server + 5);
	if (server && server[0] == '/')
		return xstrdup(server);
	return rt ? xasprintf("%s/pulse/native", rt) : NULL;
}

/* The cookie: $PULSE_COOKIE, ~/.config/pulse/cookie, ~/.pulse-cookie. */
static int read_cookie(uint8_t *buf, size_t *len)
{
	const char *env = getenv("PULSE_COOKIE"), *home = getenv("HOME"),
		   *config = getenv("XDG_CONFIG_HOME");
	_cleanup_free_ char *p1 = NULL, *p2 = NULL;
	const char *paths[3] = { env, NULL, NULL };

	if (config && config[0] == '/')
		paths[1] = p1 = xasprintf("%s/pulse/cookie", config);
	else if (home)
		paths[1] = p1 = xasprintf("%s/.config/pulse/cookie", home);
	if (home)
		paths[2] = p2 = xasprintf("%s/.pulse-cookie", home);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		_cleanup_close_ int fd = -1;
		ssize_t n;

		struct stat st;

		/* O_NONBLOCK: opening a FIFO would wait for a writer for ever. */
		if (!paths[i] ||
		    (fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 ||
		    fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		n = read(fd, buf, PULSE_COOKIE_MAX);
		if (n > 0) {
			*len = (size_t)n;
			return 1;
		}
	}
	return 0;
}

int audio_prepare(struct sbx_config *c, struct desktop_run *run, bool required,
		  struct sbx_error *e)
{
	const char *host_rt = desktop_plan_host_runtime_dir();
	_cleanup_free_ char *pulse = pulse_socket(), *pipewire = NULL, *rt = NULL, *in = NULL,
			    *in_cookie = NULL, *server = NULL;
	uint8_t cookie[PULSE_COOKIE_MAX];
	size_t cookie_len = 0;
	bool have_pulse = pulse && is_socket(pulse), have_pw;
	int r;

	pipewire = host_rt ? xasprintf("%s/pipewire-0", host_rt) : NULL;
	have_pw = pipewire && is_socket(pipewire);
	if (!have_pulse && !have_pw) {
		if (required)
			return sbx_error_set(e, 0, "--audio: no PulseAudio socket (%s) and no PipeWire "
						   "socket (%s)",
					     pulse ? pulse : "XDG_RUNTIME_DIR unset",
					     pipewire ? pipewire : "XDG_RUNTIME_DIR unset");
		desktop_plan_note(run, "--gui: no PulseAudio or PipeWire socket: audio skipped");
		return 0;
	}
	rt = desktop_plan_runtime_dir(c);
	if (have_pulse) {
		in = xasprintf("%s/pulse/native", rt);
		desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, pulse, in, false);
		server = xasprintf("unix:%s", in);
		desktop_plan_setenv(c, "PULSE_SERVER", server);
		if (read_cookie(cookie, &cookie_len) > 0) {
			in_cookie = xasprintf("%s/pulse/cookie", rt);
			r = desktop_plan_add_file(c, run, in_cookie, cookie, cookie_len, e);
			if (r < 0)
				return r;
			desktop_plan_setenv(c, "PULSE_COOKIE", in_cookie);
		}
	}
	if (have_pw) {
		_cleanup_free_ char *in_pw = xasprintf("%s/pipewire-0", rt);

		desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, pipewire, in_pw, false);
	}
	return 1;
}
