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

#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "proc.h"

#define DESKTOP_MAX_FDS 8
#define DESKTOP_MAX_LINES 16

/**
 * struct desktop_run - what desktop_prepare() started or holds for one run
 * @fds:	memfds the config's file operations read (closed at the end)
 * @proxy:	the xdg-dbus-proxy's sandbox (an sbx of its own)
 * @proxy_sync:	our end of the proxy's --fd pipe: the proxy ends when it closes
 * @proxy_dir:	the host directory of the proxy's sockets, removed at the end
 * @x11_conn:	the X connection that made the untrusted cookie, or -1
 * @x11_auth:	that cookie's authorization id, revoked at the end
 * @x11_major:	the SECURITY extension's major opcode on that connection
 * @orig_mask:	the signal mask before desktop_prepare() blocked the ending
 *		signals (restored when it returns, and in the proxy's sbx)
 * @warnings:	lines main prints at once (a trusted cookie, an unfiltered bus)
 * @notes:	lines main prints under -v (resources --gui skipped)
 */
struct desktop_run {
	int fds[DESKTOP_MAX_FDS];
	size_t n_fds;
	struct proc proxy;
	int proxy_sync;
	char *proxy_dir;
	int x11_conn;
	uint32_t x11_auth;
	uint8_t x11_major;
	sigset_t orig_mask;
	char *warnings[DESKTOP_MAX_LINES];
	size_t n_warnings;
	char *notes[DESKTOP_MAX_LINES];
	size_t n_notes;
};

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

/**
 * dbus_proxy_wait() - in the command's process, just before it runs: wait
 *		       until the D-Bus proxy listens (its byte is readable on
 *		       c->dbus_proxy_fd), so the app's first call is answered
 *
 * The proxy starts while the sandbox is set up, not before it.
 * Return: 0 (also when there is no proxy), or -errno with @e filled when
 *	   the proxy ended or hung before it listened
 */
int dbus_proxy_wait(const struct sbx_config *c, struct sbx_error *e);

/* --- helpers for the resource modules (desktop.c) --- */

/**
 * desktop_runtime_dir() - the sandbox's $XDG_RUNTIME_DIR ("/run/user/UID")
 *			   as a new string; its tmpfs is added on first use
 */
char *desktop_runtime_dir(struct sbx_config *c);

/**
 * desktop_add_bind() - bind host @src at @dest (a copy of both is kept)
 * @kind:	SBX_MOUNT_BIND, _RO_BIND or _DEV_BIND
 * @try_src:	skip it, not fail, if @src has gone by the time of the start
 */
void desktop_add_bind(struct sbx_config *c, enum sbx_mount_kind kind, const char *src,
		      const char *dest, bool try_src);

/**
 * desktop_add_tmpfs() - a private tmpfs at @dest, mode @mode
 */
void desktop_add_tmpfs(struct sbx_config *c, const char *dest, mode_t mode);

/**
 * desktop_add_symlink() - create symlink @dest -> @target inside
 */
void desktop_add_symlink(struct sbx_config *c, const char *target, const char *dest);

/**
 * desktop_add_file() - a new file @dest inside (mode 0600) holding @data
 * Return: 0 or -errno with @e filled
 */
int desktop_add_file(struct sbx_config *c, struct desktop_run *run, const char *dest,
		     const void *data, size_t len, struct sbx_error *e);

/**
 * desktop_setenv() - set (or, @value NULL, unset) @name for the command
 */
void desktop_setenv(struct sbx_config *c, const char *name, const char *value);

/**
 * desktop_host_runtime_dir() - the caller's $XDG_RUNTIME_DIR, or NULL
 */
const char *desktop_host_runtime_dir(void);

/**
 * desktop_warn() - a warning line for main to print
 */
void desktop_warn(struct desktop_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * desktop_note() - a line for main to print under -v
 */
void desktop_note(struct desktop_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
