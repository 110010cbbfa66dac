/* dbus_proxy_wait.h - the command's wait for the D-Bus proxy */
#pragma once

#include "config.h"
#include "error.h"

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

