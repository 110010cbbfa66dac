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
 *			       native connect() calls to a new seccomp
 *			       user-notification listener
 *
 * Needs no_new_privs. Compat ABIs (i386, x32) are not sent: their
 * connections go through slirp as before.
 *
 * Return: 0 with the listener in @ret_fd, or -errno (e.g. -EBUSY when a
 *	   listener is already installed, -EINVAL before Linux 5.0)
 */
int bypass_listener_install(int *ret_fd);

/**
 * bypass_relay_listen() - in the command, in the sandbox's network namespace:
 *			   a listening TCP socket on 127.0.0.1 (@family
 *			   AF_INET) or ::1 (AF_INET6), on a port the kernel
 *			   picks, for the bypass worker's relay (bypass_link.c)
 *
 * Return: 0 with the socket in @ret_fd (non-blocking), or -errno (e.g. no
 *	   IPv6 in the sandbox)
 */
int bypass_relay_listen(int family, int *ret_fd);

