/* desktop.c - desktop apps: the order of the resources, and their end */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
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

/* The resources after the proxy's start. */
static int prepare_resources(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e)
{
	int r;

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
	if (c->gui)
		return gui_prepare_settings(c, run, e);
	return 0;
}

/* The signals that end sbx's setup (those sbx forwards to the command
 * once it runs, but SIGWINCH): see supervise(). */
static void ending_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
}

/* One of the ending signals that arrived while they were blocked, taken,
 * as the error (the user's stop, not the step's failure it may have
 * caused): exit status 128+N and no message, as a setup interrupted later
 * ends; the caller's mask again. A step's wait is not cut short: it is
 * bounded (the X steps' 5 s). */
static int end_blocked(struct desktop_run *run, int r, struct sbx_error *e)
{
	const struct timespec now = { 0 };
	sigset_t set;
	int sig;

	ending_signals(&set);
	/* Taken, not left pending: restoring the mask would end sbx at
	 * once, before main removes the proxy's directory. */
	while ((sig = sigtimedwait(&set, NULL, &now)) > 0) {
		log_verbose(1, "setup interrupted by SIG%s", sigabbrev_np(sig));
		e->err = EINTR;
		e->msg[0] = '\0'; /* main prints no line for it */
		e->exit_code = 128 + sig;
		r = -EINTR;
	}
	sigprocmask(SIG_SETMASK, &run->orig_mask, NULL);
	return r;
}

int desktop_prepare(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e)
{
	sigset_t set;
	int r;

	*run = DESKTOP_RUN_NONE;
	if (!c->wayland && !c->x11 && !c->audio && !c->gpu && !c->gui && !any_dbus(c))
		return 0;
	free(desktop_plan_runtime_dir(c));
	/* From the proxy's directory on, a Ctrl-C or a SIGTERM waits until
	 * this returns, and the error it then is lets main remove the
	 * directory and end the proxy: sbx's default end would leave both
	 * (the X steps may wait seconds for a slow server). */
	ending_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &run->orig_mask);
	/* First: the proxy's sandbox starts now and builds while the rest is
	 * prepared and the app's sandbox set up, on the other CPU if there is
	 * one; the app waits for it only just before its exec. Started last,
	 * it was what the app waited for (bench/gui.sh). */
	r = dbus_proxy_prepare(c, run, e);
	if (r >= 0) {
		log_phase("desktop: D-Bus proxy started");
		r = prepare_resources(c, run, e);
	}
	r = end_blocked(run, r, e);
	if (r >= 0)
		log_phase("desktop: prepared");
	return r < 0 ? r : 0;
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
