/* publish.h - -p/--publish: spec parsing, host listeners, the splice relay */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "pollset.h"
#include "publish_udp.h"

/**
 * publish_parse() - parse "[HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]"
 *
 * HOSTIP is a dotted IPv4 address or an IPv6 address in brackets
 * ("[::1]:8080:80"); it defaults to 0.0.0.0. Ports are 1-65535.
 *
 * Return: 0 with @ret filled (ret->spec allocated), or -EINVAL with @e filled
 */
int publish_parse(const char *spec, struct sbx_publish *ret, struct sbx_error *e);

/**
 * publish_format_host() - "0.0.0.0:8080" or "[::1]:8080" for messages
 */
void publish_format_host(const struct sbx_publish *p, char *buf, size_t len);

/**
 * publish_listen() - bind (and for TCP, listen on) the host side of @p
 *
 * Done by sbx itself before the sandbox starts, so a port in use is an
 * error before the command runs.
 *
 * Return: 0 with the socket (non-blocking, close-on-exec) in @ret_fd, or
 *	   -errno with @e naming the spec
 */
int publish_listen(const struct sbx_publish *p, int *ret_fd, struct sbx_error *e);

struct relay_conn;
struct relay_pipe;

/**
 * struct publish_relay - the published ports, inside the network helper
 * @tcp_ports:	sandbox port of each TCP listener
 * @listen_fds:	one listening socket per published TCP port (owned)
 * @n_listen:	how many
 * @udp:	the published UDP ports
 * @n_udp:	how many
 * @factory_fd:	socket to the socket factory in the sandbox's network
 *		namespace (SOCK_SEQPACKET), -1 until it arrives
 * @handover:	sbx may take connections to hand them to the server itself
 *		(the TCP bypass's accept() side): hold their bytes a moment
 * @host_loopback_ok: --allow-host-loopback: connections that came in on the
 *		host's loopback may be handed over too
 *
 * Every other field is private to publish.c.
 */
struct publish_relay {
	uint16_t *tcp_ports;
	int *listen_fds;
	size_t n_listen;
	struct udp_port *udp;
	size_t n_udp;
	int factory_fd;
	bool handover;
	bool host_loopback_ok;

	size_t *listen_idx;
	size_t factory_idx;
	/* Unconnected sockets of the sandbox's netns: TCP/IPv4, TCP/IPv6, UDP/IPv4. */
	int pool[3][16];
	size_t n_pool[3];
	size_t requested[3];
	uint8_t *datagram;
	struct relay_conn **conns;
	size_t n_conns;
	size_t max_conns;
	struct relay_pipe **spare_pipes;
	size_t n_spare_pipes;
};

/**
 * relay_init() - take over @fds, the publish_listen() sockets of the @n
 *		  entries of @specs
 */
void relay_init(struct publish_relay *r, const struct sbx_publish *specs, const int *fds,
		size_t n);

/**
 * relay_fill() - add every fd the relay waits for to @ps; lower
 *		  *@timeout_ms to the next UDP flow expiry
 */
void relay_fill(struct publish_relay *r, struct pollset *ps, int *timeout_ms);

/**
 * relay_handle() - act on what poll() reported for the fds relay_fill() added:
 *		    accept, connect inside, move bytes with splice(), close
 */
void relay_handle(struct publish_relay *r, const struct pollset *ps);

/**
 * relay_handover() - give up the held connection whose socket inside the
 *		      sandbox has port @inside_port (what the server's accept()
 *		      returned, seen from its side as the peer's port)
 *
 * Return: its host socket, now the caller's, or -1 when no held connection
 *	   has that port (not one of ours, or it is already being relayed)
 */
int relay_handover(struct publish_relay *r, uint16_t inside_port);

/**
 * relay_free() - close every socket and pipe
 */
void relay_free(struct publish_relay *r);

/**
 * factory_serve() - the socket factory's loop, inside the sandbox's network
 *		     namespace: for each request on @fd, create a socket of the
 *		     requested family and type and send it back; returns at EOF
 */
void factory_serve(int fd);
