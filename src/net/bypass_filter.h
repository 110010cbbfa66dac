/* bypass_filter.h - the TCP bypass's seccomp program */
#pragma once

#include <stdbool.h>

/**
 * bypass_supported() - whether this build knows the native ABI's connect()
 *			(x86-64 and arm64)
 */
bool bypass_supported(void);

/**
 * bypass_listener_install() - in the command, before its own filter: send
 *			       native connect() calls (and with @accepts,
 *			       accept() and accept4()) to a new seccomp
 *			       user-notification listener
 *
 * Needs no_new_privs. Compat ABIs (i386, x32) are not sent: their
 * connections go through slirp as before.
 *
 * Return: 0 with the listener in @ret_fd, or -errno (e.g. -EBUSY when a
 *	   listener is already installed, -EINVAL before Linux 5.0)
 */
int bypass_listener_install(bool accepts, int *ret_fd);

