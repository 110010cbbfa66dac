/* desktop.h - desktop apps: the display, sound, GPU and D-Bus a sandbox gets
 *
 * Theory of operation. Every desktop option becomes, before the sandbox
 * starts, ordinary view operations and variables appended to the config:
 * binds of one socket each, a private tmpfs at $XDG_RUNTIME_DIR, files whose
 * content sbx made (an X authority file, a PulseAudio cookie) and device
 * binds. The sandbox code then builds them as it builds the user's own
 * --bind and --setenv, so nothing in the namespace set-up knows about
 * desktops. Two things live beyond that start: the X connection that made
 * an untrusted cookie (kept open to revoke the cookie at the end) and the
 * D-Bus proxy's sandbox (ended with sbx, and by the kernel when sbx is
 * killed); struct desktop_run holds them for desktop_release().
 */
#pragma once

#include "config.h"
#include "desktop_plan.h"

/**
 * desktop_prepare() - turn @c's desktop options into view operations and
 *		       variables, start the D-Bus proxy
 *
 * Does nothing when no desktop option is set. @run must be released with
 * desktop_release() whatever this returns. SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1 and SIGUSR2 are blocked while it runs: one that came
 * makes it fail with -EINTR, @e's exit code 128+N and no message.
 * Return: 0 or -errno with @e filled
 */
int desktop_prepare(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e);

/**
 * desktop_release() - end what desktop_prepare() started: revoke the X
 *		       cookie, end the proxy, remove its directory
 */
void desktop_release(struct desktop_run *run);
