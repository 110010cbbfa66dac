/* egress_tap.h - the network helper's egress filter: every frame the sandbox
 *		  writes to tap0 passes here before libslirp sees it, and
 *		  --allow-net's resolver at 10.0.2.3 / fd00::3
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "egress.h"
#include "egress_dns.h"
#include "egress_frame.h"
#include "error.h"
#include "pollset.h"

#define EGRESS_DNS_PENDING 256
#define EGRESS_DNS_MAX 4096 /* the largest answer passed on (UDP) */

struct egress_dns_pending {
	bool used;
	uint16_t up_id;
	int64_t sent_ms;
	struct egress_dns_question q;
	uint8_t eth[EGRESS_ETH_HLEN];
	struct egress_pkt pkt;
};

/**
 * struct egress_tap - the filter's state in the helper
 * @pol:	the policy (its @learned is @priv)
 * @priv:	what names resolved to (the helper decides on this copy)
 * @shared:	the copy the bypass worker reads (NULL: no worker)
 * @upstream_fd: a UDP socket connected to the host's first nameserver
 *		(-1: none; allowed questions then get SERVFAIL)
 * @send:	writes a frame to the tap (the glue's), with @send_opaque
 */
struct egress_tap {
	struct egress pol;
	struct egress_learned *priv;
	struct egress_learned *shared;
	int upstream_fd;
	size_t upstream_idx, host_idx;
	struct egress_dns_pending pending[EGRESS_DNS_PENDING];
	uint8_t *buf;
	size_t buf_size;
	void (*send)(void *opaque, const uint8_t *frame, size_t len);
	void *send_opaque;
};

/**
 * egress_tap_init() - the filter for @c, in zeroed memory @t: the policy, the route socket and,
 *		       with --allow-net, the upstream resolver named in
 *		       @resolv_conf (@len bytes of the host's resolv.conf)
 *
 * Called in stage 1 of the helper's lockdown, while it may still open
 * sockets of any kind.
 *
 * Return: 0 or -errno with @e filled
 */
int egress_tap_init(struct egress_tap *t, const struct sbx_config *c,
		    struct egress_learned *shared, const char *resolv_conf, size_t len,
		    size_t frame_size, struct sbx_error *e);

/**
 * egress_tap_frame() - judge one frame from the sandbox
 * Return: true to hand it to libslirp, false when it was refused or
 *	   answered here
 */
bool egress_tap_frame(struct egress_tap *t, const uint8_t *f, size_t len);

/**
 * egress_tap_fill() - add the route socket and the upstream resolver to @ps
 */
void egress_tap_fill(struct egress_tap *t, struct pollset *ps);

/**
 * egress_tap_handle() - after poll(): follow route changes, pass answers on
 *			 (call before the tap's frames are read)
 */
void egress_tap_handle(struct egress_tap *t, const struct pollset *ps);

/**
 * egress_nameserver() - the first "nameserver" of resolv.conf text @text
 *			 (@len bytes) into @ret (a sockaddr_in or _in6, port 53)
 * Return: 0, or -ENOENT when there is none
 */
int egress_nameserver(const char *text, size_t len, struct sockaddr_storage *ret,
		      socklen_t *ret_len);
