/* desktop.c - desktop apps: the order of the resources, and their end */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desktop.h"
#include "desktop_int.h"
#include "log.h"
#include "util.h"

static bool any_dbus(const struct sbx_config *c)
{
	return c->n_dbus_rules || c->n_dbus_system_rules || c->dbus_session_unfiltered;
}

int desktop_prepare(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e)
{
	int r;

	memset(run, 0, sizeof(*run));
	run->proxy = PROC_NONE;
	run->proxy_sync = -1;
	run->x11_conn = -1;
	if (!c->wayland && !c->x11 && !c->audio && !c->gpu && !c->gui && !any_dbus(c))
		return 0;
	free(desktop_plan_runtime_dir(c));
	/* First: the proxy's sandbox starts now and builds while the rest is
	 * prepared and the app's sandbox set up, on the other CPU if there is
	 * one; the app waits for it only just before its exec. Started last,
	 * it was what the app waited for (bench/gui.sh). */
	r = dbus_proxy_prepare(c, run, e);
	if (r < 0)
		return r;
	log_phase("desktop: D-Bus proxy started");

	if (c->wayland || c->gui) {
		r = wayland_prepare(c, run, c->wayland, e);
		if (r < 0)
			return r;
	}
	if (c->x11 || c->gui) {
		r = x11_prepare(c, run, c->x11, e);
		if (r < 0)
			return r;
	}
	log_phase("desktop: X11");
	if (c->audio || c->gui) {
		r = audio_prepare(c, run, c->audio, e);
		if (r < 0)
			return r;
	}
	if (c->gpu || c->gui) {
		r = gpu_prepare(c, run, c->gpu, e);
		if (r < 0)
			return r;
	}
	if (c->gui) {
		r = gui_prepare_settings(c, run, e);
		if (r < 0)
			return r;
	}
	log_phase("desktop: prepared");
	return 0;
}

void desktop_release(struct desktop_run *run)
{
	for (size_t i = 0; i < run->n_fds; i++)
		close(run->fds[i]);
	run->n_fds = 0;
	x11_cookie_revoke(run->x11_conn, run->x11_major, run->x11_auth);
	if (run->x11_conn >= 0)
		close(run->x11_conn);
	run->x11_conn = -1;
	dbus_proxy_end(run);
	for (size_t i = 0; i < run->n_warnings; i++)
		free(run->warnings[i]);
	for (size_t i = 0; i < run->n_notes; i++)
		free(run->notes[i]);
	run->n_warnings = run->n_notes = 0;
}
