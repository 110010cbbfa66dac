/* netlink.h - the few rtnetlink requests that configure the sandbox's tap device
 * (run by the child, in the sandbox's network namespace) */
#pragma once

/**
 * netlink_open() - a NETLINK_ROUTE socket of the current network namespace
 * Return: 0 or -errno; the socket in @ret_fd
 */
int netlink_open(int *ret_fd);

/**
 * netlink_link_up() - set the MTU of interface @ifindex (0: leave it) and bring it up
 * Return: 0 or -errno from the kernel
 */
int netlink_link_up(int fd, int ifindex, unsigned mtu);

/**
 * netlink_addr_add() - add @addr/@prefixlen to interface @ifindex
 * @family:	AF_INET (4-byte @addr) or AF_INET6 (16 bytes; added without
 *		duplicate address detection, so it is usable at once)
 * Return: 0 or -errno from the kernel
 */
int netlink_addr_add(int fd, int ifindex, int family, const void *addr, unsigned prefixlen);

/**
 * netlink_route_add_default() - add a default route via @gateway on @ifindex
 * Return: 0 or -errno from the kernel
 */
int netlink_route_add_default(int fd, int ifindex, int family, const void *gateway);
