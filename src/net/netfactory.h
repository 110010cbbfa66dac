/* netfactory.h - the socket factory: a small process inside the sandbox's
 * network namespace that makes sockets there for the network helper */
#pragma once

#include <sys/socket.h>

#include "error.h"

/*
 * The protocol, over a SOCK_SEQPACKET socket pair (sync.h messages): the
 * helper sends SYNC_NET_SOCKET with one of these kinds as its value; the
 * factory answers SYNC_NET_SOCKET with the same kind and a new non-blocking
 * socket of the sandbox's namespace attached (none, with error.err set, if
 * socket() failed). Any other value is taken as NETFACTORY_TCP4.
 */
#define NETFACTORY_TCP4 AF_INET
#define NETFACTORY_TCP6 AF_INET6
#define NETFACTORY_UDP4 (AF_INET | 0x10000)

/**
 * netfactory_start() - in the child, in the sandbox's new network namespace:
 *			fork the socket factory and send sbx its socket
 *			(SYNC_NET_FACTORY) over @sync_fd, for the helper
 *
 * Forked before the pivot; the factory gives up every capability, becomes
 * not dumpable and loads a seccomp allow-list (sockets of IPv4/IPv6, its one
 * socket's messages) before it reads a request. It ends at EOF on its socket
 * or with pid 1 (parent-death signal).
 *
 * Return: 0 or -errno with @e filled
 */
int netfactory_start(int sync_fd, struct sbx_error *e);
