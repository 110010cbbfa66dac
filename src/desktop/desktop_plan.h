/* desktop_plan.h - what the desktop resources add to the sandbox's plan, and
 *		    what one run holds until its end
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"
#include "proc.h"

#define DESKTOP_MAX_FDS 8
#define DESKTOP_MAX_LINES 16

/**
 * struct desktop_run - what desktop_prepare() started or holds for one run
 * @fds:	memfds the config's file operations read (closed at the end)
 * @proxy:	the xdg-dbus-proxy's sandbox (an sbx of its own)
 * @proxy_sync:	our end of the proxy's --fd pipe: the proxy ends when it closes
 * @proxy_dir:	the host directory of the proxy's sockets, removed at the end
 * @proxy_lock:	that directory, open and flock()ed while we run (see
 *		dbus_proxy_dir.h), or -1
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
	int proxy_lock;
	int x11_conn;
	uint32_t x11_auth;
	uint8_t x11_major;
	sigset_t orig_mask;
	char *warnings[DESKTOP_MAX_LINES];
	size_t n_warnings;
	char *notes[DESKTOP_MAX_LINES];
	size_t n_notes;
};

/* A desktop_run that holds nothing: what desktop_release() may be given. */
#define DESKTOP_RUN_NONE                                                                     \
	((struct desktop_run){ .proxy = PROC_NONE, .proxy_sync = -1, .proxy_lock = -1, \
			       .x11_conn = -1 })

/**
 * desktop_plan_runtime_dir() - the sandbox's $XDG_RUNTIME_DIR
 *				("/run/user/UID") as a new string; its tmpfs
 *				is added on first use
 */
char *desktop_plan_runtime_dir(struct sbx_config *c);

/**
 * desktop_plan_add_bind() - bind host @src at @dest (a copy of both is kept)
 * @kind:	SBX_MOUNT_BIND, _RO_BIND or _DEV_BIND
 * @try_src:	skip it, not fail, if @src has gone by the time of the start
 */
void desktop_plan_add_bind(struct sbx_config *c, enum sbx_mount_kind kind, const char *src,
			   const char *dest, bool try_src);

/**
 * desktop_plan_add_tmpfs() - a private tmpfs at @dest, mode @mode
 */
void desktop_plan_add_tmpfs(struct sbx_config *c, const char *dest, mode_t mode);

/**
 * desktop_plan_add_symlink() - create symlink @dest -> @target inside
 */
void desktop_plan_add_symlink(struct sbx_config *c, const char *target, const char *dest);

/**
 * desktop_plan_add_file() - a new file @dest inside (mode 0600) holding @data
 * Return: 0 or -errno with @e filled
 */
int desktop_plan_add_file(struct sbx_config *c, struct desktop_run *run, const char *dest,
			  const void *data, size_t len, struct sbx_error *e);

/**
 * desktop_plan_setenv() - set (or, @value NULL, unset) @name for the command
 */
void desktop_plan_setenv(struct sbx_config *c, const char *name, const char *value);

/**
 * desktop_plan_host_runtime_dir() - the caller's $XDG_RUNTIME_DIR, or NULL
 */
const char *desktop_plan_host_runtime_dir(void);

/**
 * desktop_plan_warn() - a warning line for main to print
 */
void desktop_plan_warn(struct desktop_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * desktop_plan_note() - a line for main to print under -v
 */
void desktop_plan_note(struct desktop_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
