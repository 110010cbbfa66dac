/* net.h - the slirp network's addresses, and --net slirp inside the sandbox
 * (run by the child): the tap device, the socket factory's start */
#pragma once

#include "config.h"

/* The addresses of the slirp network, as the sandbox sees them. */
#define NET_ADDR4 "10.0.2.100"
#define NET_GATEWAY4 "10.0.2.2"
#define NET_DNS4 "10.0.2.3"
#define NET_ADDR6 "fd00::100"
#define NET_GATEWAY6 "fd00::2"
#define NET_DNS6 "fd00::3"
#define NET_TAP_NAME "tap0"

/**
 * net_setup_inside() - in the child, in its new network namespace: create
 *			tap0, give it its addresses, routes and MTU, and send
 *			its fd to sbx (SYNC_NET_TAP); with published TCP ports,
 *			also start the socket factory and send its socket
 *			(SYNC_NET_FACTORY)
 *
 * Needs CAP_NET_ADMIN in the namespace, which the child holds until pid 1
 * drops it; the factory is forked here, before the pivot, and gives up
 * every capability itself.
 *
 * Return: 0 or -errno with @e filled (e.g. /dev/net/tun cannot be opened)
 */
int net_setup_inside(const struct sbx_config *c, int sync_fd, struct sbx_error *e);
