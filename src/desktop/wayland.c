/* wayland.c - --wayland: the compositor's socket, alone in a private runtime dir */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "desktop_int.h"
#include "util.h"

int wayland_prepare(struct sbx_config *c, struct desktop_run *run, bool required,
		    struct sbx_error *e)
{
	const char *name = getenv("WAYLAND_DISPLAY"), *host_rt = desktop_plan_host_runtime_dir();
	_cleanup_free_ char *sock = NULL, *rt = NULL, *inner = NULL;
	struct stat st;

	if (!name || !*name)
		name = "wayland-0"; /* what libwayland-client tries then */
	if (name[0] == '/') {
		sock = xstrdup(name);
	} else if (host_rt) {
		sock = xasprintf("%s/%s", host_rt, name);
	} else {
		if (required)
			return sbx_error_set(e, 0, "--wayland: XDG_RUNTIME_DIR is not set");
		desktop_plan_note(run, "--gui: XDG_RUNTIME_DIR unset: Wayland skipped");
		return 0;
	}
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		if (required)
			return sbx_error_set(e, 0, "--wayland: no compositor: %s is not a socket", sock);
		desktop_plan_note(run, "--gui: no Wayland compositor (%s): Wayland skipped", sock);
		return 0;
	}
	rt = desktop_plan_runtime_dir(c);
	inner = xasprintf("%s/wayland-0", rt);
	desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, sock, inner, false);
	desktop_plan_setenv(c, "WAYLAND_DISPLAY", "wayland-0");
	return 1;
}
