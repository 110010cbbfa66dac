/* bypass_sock.h - a sandbox TCP socket's properties, and its host-side twin */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/**
 * struct bypass_sock - what the bypass needs to know of a socket fetched
 *			from the sandbox with pidfd_getfd()
 * @family:	AF_INET or AF_INET6 (0: not a TCP/IP stream socket)
 * @netns_cookie: SO_NETNS_COOKIE: which network namespace it lives in
 * @bound:	bind() gave it an address or port: it stays with slirp
 * @nonblock:	O_NONBLOCK on its open file
 * @v6only:	IPV6_V6ONLY (an IPv6 socket that cannot reach 127.0.0.1)
 * @tcp_state:	TCP_CLOSE, TCP_SYN_SENT, TCP_ESTABLISHED...
 * @sndtimeo_ms: SO_SNDTIMEO (a blocking connect()'s time limit); 0: none
 */
struct bypass_sock {
	int family;
	uint64_t netns_cookie;
	bool bound;
	bool nonblock;
	bool v6only;
	int tcp_state;
	int64_t sndtimeo_ms;
};

/**
 * struct bypass_defaults - the option values of a fresh host TCP socket
 *
 * Only options the sandbox changed are copied: setting SO_RCVBUF to its
 * default value would still switch off the kernel's buffer auto-tuning.
 */
struct bypass_defaults {
	uint64_t host_netns_cookie;
	int values[2][32]; /* [AF_INET6?][option] */
	char congestion[16];
	uint16_t port_lo, port_hi; /* ip_local_port_range: where twins are bound */
	int lo_index;
};

/**
 * bypass_defaults_read() - sample fresh host sockets of both families
 * Return: 0 or -errno (no SO_NETNS_COOKIE before Linux 5.14: no bypass)
 */
int bypass_defaults_read(struct bypass_defaults *d);

/**
 * bypass_sock_inspect() - fill @ret from socket @fd
 * Return: 0, or -errno when @fd is no socket at all
 */
int bypass_sock_inspect(int fd, struct bypass_sock *ret);

/**
 * bypass_interface_of() - the index of the interface holding address @src
 *			   (lo for a loopback address), 0 when none does
 */
int bypass_interface_of(const struct sockaddr_storage *src);

/**
 * bypass_sock_twin() - a host TCP socket standing in for sandbox socket @src
 *
 * Same family; the socket-level, TCP and IP options @src changed from their
 * defaults; non-blocking and close-on-exec (for sbx's use: the caller sets
 * the flags the sandbox's file had before handing it over); bound to the
 * source address, interface and a port of the route to @peer, the address it
 * is about to be connected to (see bypass_sock.c for why). A route that
 * would pin it to lo is refused (-EPERM) unless @loopback_ok.
 *
 * Return: the new fd, or -errno
 */
int bypass_sock_twin(int src, const struct bypass_sock *info, const struct bypass_defaults *d,
		     const struct sockaddr *peer, bool loopback_ok);
