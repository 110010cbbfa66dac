/* desktop_int.h - the resource modules desktop_prepare() calls, in order
 *
 * Each takes @required: true when its own option was given (a missing
 * resource is then an error), false when only --gui asked (a missing
 * resource is skipped with a note). Each returns 1 when it added the
 * resource, 0 when it skipped it, -errno with @e filled on failure.
 */
#pragma once

#include <stdint.h>

#include "desktop_plan.h"

int wayland_prepare(struct sbx_config *c, struct desktop_run *run, bool required,
		    struct sbx_error *e);
int x11_prepare(struct sbx_config *c, struct desktop_run *run, bool required, struct sbx_error *e);
int audio_prepare(struct sbx_config *c, struct desktop_run *run, bool required,
		  struct sbx_error *e);
int gpu_prepare(struct sbx_config *c, struct desktop_run *run, bool required, struct sbx_error *e);
int dbus_proxy_prepare(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e);
int gui_prepare_settings(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e);

/**
 * x11_cookie_revoke() - revoke untrusted authorization @id over @fd (no-op
 *			 for fd -1; @major: the SECURITY extension's opcode):
 *			 the cookie dies with the sandbox
 */
void x11_cookie_revoke(int fd, uint8_t major, uint32_t id);

/**
 * dbus_proxy_end() - end the proxy's sandbox and remove its directory
 */
void dbus_proxy_end(struct desktop_run *run);
