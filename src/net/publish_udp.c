/* publish_udp.c - one published UDP port: per-client flows into the sandbox
 * (runs in the network helper, driven by publish_relay.c) */
#include "autoconf.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "publish_udp.h"
#include "util.h"

#define DATAGRAMS_PER_TURN 32

void publish_udp_init(struct publish_udp *u, int host_fd, uint16_t port)
{
	memset(u, 0, sizeof(*u));
	u->host_fd = host_fd;
	u->port = port;
	u->host_idx = SIZE_MAX;
}

static void flow_drop(struct publish_udp *u, size_t i)
{
	close(u->flows[i].sbx_fd);
	u->flows[i] = u->flows[--u->n_flows];
}

void publish_udp_fill(struct publish_udp *u, struct pollset *ps, int64_t now_ms, int *timeout_ms)
{
	u->host_idx = pollset_add(ps, u->host_fd, POLLIN);
	for (size_t i = 0; i < u->n_flows; i++) {
		struct publish_udp_flow *f = &u->flows[i];
		int64_t left = f->last_ms + PUBLISH_UDP_IDLE_MS - now_ms;

		f->idx = pollset_add(ps, f->sbx_fd, POLLIN);
		if (left < 0)
			left = 0;
		if (*timeout_ms < 0 || left < *timeout_ms)
			*timeout_ms = (int)left;
	}
}

static struct publish_udp_flow *flow_find(struct publish_udp *u,
					  const struct sockaddr_storage *peer, socklen_t len)
{
	for (size_t i = 0; i < u->n_flows; i++)
		if (u->flows[i].peer_len == len && memcmp(&u->flows[i].peer, peer, len) == 0)
			return &u->flows[i];
	return NULL;
}

static struct publish_udp_flow *flow_new(struct publish_udp *u,
					 const struct sockaddr_storage *peer, socklen_t len,
					 int64_t now_ms, int (*take_socket)(void *ctx), void *ctx)
{
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_port = htons(u->port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct publish_udp_flow *f;
	int fd = take_socket(ctx);

	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&lo, sizeof(lo)) < 0) {
		close(fd);
		return NULL;
	}
	if (u->n_flows == PUBLISH_UDP_FLOWS_MAX) {
		size_t oldest = 0;
		for (size_t i = 1; i < u->n_flows; i++)
			if (u->flows[i].last_ms < u->flows[oldest].last_ms)
				oldest = i;
		flow_drop(u, oldest);
	}
	f = &u->flows[u->n_flows++];
	*f = (struct publish_udp_flow){
		.peer_len = len, .sbx_fd = fd, .last_ms = now_ms, .idx = SIZE_MAX
	};
	memcpy(&f->peer, peer, len);
	return f;
}

/* Host -> sandbox: each datagram goes out on its client's flow. */
static void from_host(struct publish_udp *u, int64_t now_ms, int (*take_socket)(void *ctx),
		      void *ctx, uint8_t *buf, size_t len)
{
	for (int i = 0; i < DATAGRAMS_PER_TURN; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		struct publish_udp_flow *f;
		ssize_t n = recvfrom(u->host_fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&peer,
				     &plen);

		if (n < 0)
			return;
		f = flow_find(u, &peer, plen);
		if (!f)
			f = flow_new(u, &peer, plen, now_ms, take_socket, ctx);
		if (!f)
			continue;
		f->last_ms = now_ms;
		/* ECONNREFUSED (nothing listens yet) and full buffers lose the
		 * datagram, as they would on a real network. */
		send(f->sbx_fd, buf, (size_t)n, MSG_DONTWAIT);
	}
}

/* Sandbox -> host: replies go back to the flow's client. */
static void to_host(struct publish_udp *u, struct publish_udp_flow *f, int64_t now_ms,
		    uint8_t *buf, size_t len)
{
	for (int i = 0; i < DATAGRAMS_PER_TURN; i++) {
		ssize_t n = recv(f->sbx_fd, buf, len, MSG_DONTWAIT);

		if (n < 0 && errno == ECONNREFUSED)
			continue; /* an ICMP error from inside; the socket lives on */
		if (n < 0)
			return;
		f->last_ms = now_ms;
		sendto(u->host_fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&f->peer,
		       f->peer_len);
	}
}

void publish_udp_handle(struct publish_udp *u, const struct pollset *ps, int64_t now_ms,
			int (*take_socket)(void *ctx), void *ctx, uint8_t *buf, size_t len)
{
	for (size_t i = u->n_flows; i-- > 0;) {
		struct publish_udp_flow *f = &u->flows[i];

		if (pollset_revents(ps, f->idx) & (POLLIN | POLLERR))
			to_host(u, f, now_ms, buf, len);
		if (now_ms - f->last_ms >= PUBLISH_UDP_IDLE_MS)
			flow_drop(u, i);
	}
	if (pollset_revents(ps, u->host_idx) & POLLIN)
		from_host(u, now_ms, take_socket, ctx, buf, len);
}
