/* publish_udp.h - one published UDP port: per-client flows into the sandbox
 * (runs in the network helper) */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

#include "pollset.h"

#define PUBLISH_UDP_FLOWS_MAX 128
#define PUBLISH_UDP_IDLE_MS 60000

struct publish_udp_flow {
	struct sockaddr_storage peer; /* the client on the host side */
	socklen_t peer_len;
	int sbx_fd; /* connected to 127.0.0.1:PORT in the sandbox's namespace */
	int64_t last_ms;
	size_t idx;
};

/**
 * struct publish_udp - a published UDP port inside the network helper
 * @host_fd:	the host socket sbx bound
 * @port:	the sandbox port
 *
 * Every client address gets its own socket in the sandbox's network
 * namespace, connected to 127.0.0.1:@port, so replies find their way back
 * and the sandboxed server sees each client as a distinct 127.0.0.1 port.
 * A flow idle for PUBLISH_UDP_IDLE_MS is dropped; beyond
 * PUBLISH_UDP_FLOWS_MAX, the least recently used one is.
 */
struct publish_udp {
	int host_fd;
	uint16_t port;
	size_t host_idx;
	struct publish_udp_flow flows[PUBLISH_UDP_FLOWS_MAX];
	size_t n_flows;
};

/**
 * publish_udp_init() - take over @host_fd, forwarding to sandbox port @port
 */
void publish_udp_init(struct publish_udp *u, int host_fd, uint16_t port);

/**
 * publish_udp_fill() - add the host socket and every flow to @ps; lower
 *		     *@timeout_ms to the next idle expiry
 */
void publish_udp_fill(struct publish_udp *u, struct pollset *ps, int64_t now_ms, int *timeout_ms);

/**
 * publish_udp_handle() - relay waiting datagrams both ways, expire idle flows
 * @take_socket:	returns an unconnected IPv4 UDP socket of the sandbox's
 *			namespace, or -1 (then a new client's datagram is dropped,
 *			as UDP allows)
 * @buf, @len:		scratch space for one datagram
 */
void publish_udp_handle(struct publish_udp *u, const struct pollset *ps, int64_t now_ms,
			int (*take_socket)(void *ctx), void *ctx, uint8_t *buf, size_t len);
