/* bypass_policy.h - which sandbox connect()s the TCP bypass may take over, and where to */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

/**
 * struct bypass_policy - what the slirp network would let a connection reach
 * @host_loopback:	--allow-host-loopback: the gateway is the host's loopback
 * @ipv6:		the sandbox has IPv6 (no --no-ipv6)
 * @connect_ports:	--allow-connect ports (Landlock), sorted; NULL: any port
 * @n_connect_ports:	entries in @connect_ports
 */
struct bypass_policy {
	bool host_loopback;
	bool ipv6;
	const uint16_t *connect_ports;
	size_t n_connect_ports;
};

enum bypass_verdict {
	BYPASS_SLIRP = 0, /* not ours: the sandbox's own socket goes through slirp */
	BYPASS_HOST = 1,  /* connect a host socket to the translated address */
};

/**
 * bypass_policy_init() - the policy for @c (--net slirp)
 * @ports:	room for c->n_allow_connect ports, which are copied and sorted
 */
void bypass_policy_init(struct bypass_policy *p, const struct sbx_config *c, uint16_t *ports);

/**
 * bypass_addr_is_loopback() - whether @addr (4 bytes for AF_INET, 16 for
 *			       AF_INET6) is a loopback address: 127/8, ::1,
 *			       or ::ffff:127/104
 */
bool bypass_addr_is_loopback(int family, const void *addr);

/**
 * bypass_sockaddr_is_loopback() - the same for a socket address; its port
 *				   (host order) in *@ret_port when not NULL
 */
bool bypass_sockaddr_is_loopback(const struct sockaddr_storage *ss, uint16_t *ret_port);

/**
 * bypass_classify() - decide what a connect(@sa, @len) from the sandbox means
 * @sock_family:	the connecting socket's family (AF_INET or AF_INET6)
 * @ret:		for BYPASS_HOST: the host address to connect to, in
 *			@sock_family's form (a v4-mapped address for an IPv6
 *			socket reaching IPv4)
 * @ret_len:		its length
 *
 * The answer matches what libslirp would do with the same connection: the
 * gateway (10.0.2.2, fd00::2) is the host's loopback only with
 * --allow-host-loopback; the rest of the slirp subnet, the sandbox's own
 * loopback, link-local and multicast addresses stay with slirp; any other
 * address is reached directly.
 *
 * Return: a verdict, or -EACCES for a port --allow-connect does not list
 *	   (what Landlock would have answered)
 */
int bypass_classify(const struct bypass_policy *p, int sock_family, const struct sockaddr *sa,
		    socklen_t len, struct sockaddr_storage *ret, socklen_t *ret_len);
