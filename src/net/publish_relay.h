/* publish_relay.h - -p/--publish in the network helper: accept on the host
 * sockets, connect inside through the socket factory, splice the bytes */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "pollset.h"
#include "publish_udp.h"
#include "splice_relay.h"

struct publish_relay_conn;

/**
 * struct publish_relay - the published ports, inside the network helper
 * @tcp_ports:	sandbox port of each TCP listener
 * @listen_fds:	one listening socket per published TCP port (owned)
 * @n_listen:	how many
 * @udp:	the published UDP ports
 * @n_udp:	how many
 * @factory_fd:	socket to the socket factory in the sandbox's network
 *		namespace (SOCK_SEQPACKET), -1 until it arrives
 *
 * Every other field is private to publish_relay.c. Nothing frees it: it
 * lives as long as the helper (see nethelper_main.c).
 */
struct publish_relay {
	uint16_t *tcp_ports;
	int *listen_fds;
	size_t n_listen;
	struct publish_udp *udp;
	size_t n_udp;
	int factory_fd;

	size_t *listen_idx;
	size_t factory_idx;
	/* Unconnected sockets of the sandbox's netns: TCP/IPv4, TCP/IPv6, UDP/IPv4. */
	int pool[3][16];
	size_t n_pool[3];
	size_t requested[3];
	uint8_t *datagram;
	struct publish_relay_conn **conns;
	size_t n_conns;
	size_t max_conns;
	struct splice_relay_pool pipes;
};

/**
 * publish_relay_init() - take over @fds, the publish_spec_listen() sockets of the @n
 *		  entries of @specs
 */
void publish_relay_init(struct publish_relay *r, const struct sbx_publish *specs, const int *fds,
			size_t n);

/**
 * publish_relay_fill() - add every fd the relay waits for to @ps; lower
 *		  *@timeout_ms to the next UDP flow expiry
 */
void publish_relay_fill(struct publish_relay *r, struct pollset *ps, int *timeout_ms);

/**
 * publish_relay_handle() - act on what poll() reported for the fds publish_relay_fill() added:
 *		    accept, connect inside, move bytes with splice(), close
 */
void publish_relay_handle(struct publish_relay *r, const struct pollset *ps);
