/* slirp_glue.h - libslirp glue, run in the network helper: loading, config,
 * callbacks, poll and timers */
#pragma once

#include <slirp/libslirp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "pollset.h"

/* libslirp's entry points, looked up with dlsym() (see slirp_glue_open()). */
struct slirp_fns {
	Slirp *(*new_)(const SlirpConfig *cfg, const SlirpCb *cb, void *opaque);
	void (*pollfds_fill)(Slirp *slirp, uint32_t *timeout, SlirpAddPollCb add, void *opaque);
	void (*pollfds_poll)(Slirp *slirp, int error, SlirpGetREventsCb get, void *opaque);
	void (*input)(Slirp *slirp, const uint8_t *pkt, int len);
	void (*handle_timer)(Slirp *slirp, SlirpTimerId id, void *cb_opaque);
};

struct slirp_timer {
	bool used;
	bool armed;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms;
};

/**
 * struct slirp_glue - one libslirp instance and the tap device it serves
 *
 * All state lives here (the callbacks get it as their opaque pointer);
 * nothing is global. It lives as long as the helper, which ends with
 * _exit() and no slirp_cleanup() (see nethelper_main.c).
 */
struct slirp_glue {
	void *lib;
	struct slirp_fns fn;
	Slirp *slirp;
	int tap_fd;
	size_t tap_idx;
	struct pollset *ps;
	struct slirp_timer timers[8];
	uint8_t *frame;
	size_t frame_size;
	bool (*filter)(void *opaque, const uint8_t *frame, size_t len);
	void *filter_opaque;
};

/**
 * slirp_glue_open() - load libslirp and create the instance for @c
 *		       (addresses, MTU, IPv6, host loopback)
 *
 * libslirp (and GLib under it) is loaded with dlopen() here, in the helper
 * only, so plain sbx start-up does not pay for loading them.
 *
 * Return: 0 or -errno with @e filled
 */
int slirp_glue_open(struct slirp_glue *g, const struct sbx_config *c, struct sbx_error *e);

/**
 * slirp_glue_set_filter() - have @fn judge every frame from the sandbox
 *			     before libslirp reads it (false: not passed on)
 */
void slirp_glue_set_filter(struct slirp_glue *g,
			   bool (*fn)(void *opaque, const uint8_t *frame, size_t len), void *opaque);

/**
 * slirp_glue_send() - write a frame to the sandbox (dropped when the tap's
 *		       queue is full, as libslirp's own)
 */
void slirp_glue_send(void *glue, const uint8_t *frame, size_t len);

/**
 * slirp_glue_set_tap() - start serving the tap device @fd (owned from now on)
 */
void slirp_glue_set_tap(struct slirp_glue *g, int fd);

/**
 * slirp_glue_fill() - add libslirp's sockets and the tap to @ps; lower
 *		       *@timeout_ms to the next timer
 */
void slirp_glue_fill(struct slirp_glue *g, struct pollset *ps, int *timeout_ms);

/**
 * slirp_glue_handle() - after poll(): let libslirp serve its sockets and
 *			 timers, and feed it the frames waiting on the tap
 */
void slirp_glue_handle(struct slirp_glue *g, struct pollset *ps, bool poll_failed);
