/* slirp_glue.c - libslirp glue, run in the network helper: loading, config,
 * callbacks, poll and timers */
#include "autoconf.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "slirp_glue.h"
#include "util.h"

#define FRAMES_PER_TURN 64
#define ETH_OVERHEAD 64 /* Ethernet header and a VLAN tag, rounded up */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* send_packet: a frame for the sandbox; when the tap queue is full, drop it
 * (TCP retransmits, as on a real link). */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirp_glue *g = opaque;
	ssize_t n;

	if (g->tap_fd < 0)
		return (ssize_t)len;
	do
		n = write(g->tap_fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN && errno != ENOBUFS)
		return -1;
	return (ssize_t)len;
}

/* guest_error: the sandbox sent something malformed; nothing to do about it. */
static void cb_guest_error(const char *msg, void *opaque)
{
	(void)msg;
	(void)opaque;
}

/* clock_get_ns: libslirp's notion of time, the monotonic clock. */
static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

/* timer_new_opaque: reserve a slot; libslirp names timers by id. */
static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct slirp_glue *g = opaque;

	for (size_t i = 0; i < ARRAY_SIZE(g->timers); i++) {
		if (!g->timers[i].used) {
			g->timers[i] = (struct slirp_timer){ .used = true, .id = id,
							     .cb_opaque = cb_opaque };
			return &g->timers[i];
		}
	}
	return NULL;
}

/* timer_free: release the slot. */
static void cb_timer_free(void *timer, void *opaque)
{
	(void)opaque;
	if (timer)
		memset(timer, 0, sizeof(struct slirp_timer));
}

/* timer_mod: arm the timer for @expire_ms on the clock_get_ns() clock. */
static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct slirp_timer *t = timer;

	(void)opaque;
	if (!t)
		return;
	t->armed = true;
	t->expire_ms = expire_ms;
}

/* register_poll_fd / unregister_poll_fd: nothing, the loop polls afresh
 * every turn through slirp_pollfds_fill(). */
static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

/* notify: libslirp can take more data; the next loop turn asks it anyway. */
static void cb_notify(void *opaque)
{
	(void)opaque;
}

/* add_poll: one of libslirp's sockets, into our poll array. */
static int cb_add_poll(int fd, int events, void *opaque)
{
	struct slirp_glue *g = opaque;
	short ev = 0;

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return (int)pollset_add(g->ps, fd, ev);
}

/* get_revents: what poll() said about it, in libslirp's terms. */
static int cb_get_revents(int idx, void *opaque)
{
	struct slirp_glue *g = opaque;
	short rev = pollset_revents(g->ps, (size_t)idx);
	int ev = 0;

	if (rev & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (rev & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (rev & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (rev & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (rev & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

static int load_library(struct slirp_glue *g, struct sbx_error *e)
{
	struct {
		const char *name;
		void **slot;
	} syms[] = {
		{ "slirp_new", (void **)&g->fn.new_ },
		{ "slirp_pollfds_fill", (void **)&g->fn.pollfds_fill },
		{ "slirp_pollfds_poll", (void **)&g->fn.pollfds_poll },
		{ "slirp_input", (void **)&g->fn.input },
		{ "slirp_handle_timer", (void **)&g->fn.handle_timer },
	};

	g->lib = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!g->lib)
		return sbx_error_set(e, ENOENT, "--net slirp: cannot load libslirp.so.0 (%s)", dlerror());
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		*syms[i].slot = dlsym(g->lib, syms[i].name);
		if (!*syms[i].slot)
			return sbx_error_set(e, ENOSYS, "--net slirp: libslirp has no %s", syms[i].name);
	}
	return 0;
}

static void make_config(SlirpConfig *cfg, const struct sbx_config *c)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = 4; /* libslirp 4.7, as in Debian 12 */
	cfg->in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &cfg->vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg->vnetmask);
	inet_pton(AF_INET, NET_GATEWAY4, &cfg->vhost);
	inet_pton(AF_INET, NET_DNS4, &cfg->vnameserver);
	inet_pton(AF_INET, "10.0.2.15", &cfg->vdhcp_start);
	cfg->in6_enabled = !c->no_ipv6;
	inet_pton(AF_INET6, "fd00::", &cfg->vprefix_addr6);
	cfg->vprefix_len = 64;
	inet_pton(AF_INET6, NET_GATEWAY6, &cfg->vhost6);
	inet_pton(AF_INET6, NET_DNS6, &cfg->vnameserver6);
	cfg->if_mtu = c->mtu;
	cfg->if_mru = c->mtu;
	cfg->disable_host_loopback = !c->allow_host_loopback;
	cfg->enable_emu = false;
	/* The sandbox's address is static; nothing asks for DHCP. */
	cfg->disable_dhcp = true;
}

int slirp_glue_open(struct slirp_glue *g, const struct sbx_config *c, struct sbx_error *e)
{
	SlirpConfig cfg;
	int r;

	memset(g, 0, sizeof(*g));
	g->tap_fd = -1;
	g->tap_idx = SIZE_MAX;
	r = load_library(g, e);
	if (r < 0)
		return r;
	g->frame_size = c->mtu + ETH_OVERHEAD;
	g->frame = xreallocarray(NULL, g->frame_size, 1);
	make_config(&cfg, c);
	g->slirp = g->fn.new_(&cfg, &callbacks, g);
	if (!g->slirp)
		return sbx_error_set(e, ENOMEM, "--net slirp: slirp_new failed");
	return 0;
}

void slirp_glue_set_filter(struct slirp_glue *g,
			   bool (*fn)(void *opaque, const uint8_t *frame, size_t len), void *opaque)
{
	g->filter = fn;
	g->filter_opaque = opaque;
}

void slirp_glue_send(void *glue, const uint8_t *frame, size_t len)
{
	cb_send_packet(frame, len, glue);
}

void slirp_glue_set_tap(struct slirp_glue *g, int fd)
{
	if (g->tap_fd >= 0)
		close(g->tap_fd);
	g->tap_fd = fd;
}

void slirp_glue_fill(struct slirp_glue *g, struct pollset *ps, int *timeout_ms)
{
	uint32_t timeout = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
	int64_t now_ms = now_ns() / 1000000;

	g->ps = ps;
	g->tap_idx = g->tap_fd >= 0 ? pollset_add(ps, g->tap_fd, POLLIN) : SIZE_MAX;
	g->fn.pollfds_fill(g->slirp, &timeout, cb_add_poll, g);
	for (size_t i = 0; i < ARRAY_SIZE(g->timers); i++) {
		const struct slirp_timer *t = &g->timers[i];
		int64_t left;

		if (!t->used || !t->armed)
			continue;
		left = t->expire_ms - now_ms;
		if (left < 0)
			left = 0;
		if ((uint64_t)left < timeout)
			timeout = (uint32_t)left;
	}
	*timeout_ms = timeout == UINT32_MAX ? -1 : (int)(timeout > INT32_MAX ? INT32_MAX : timeout);
}

static void run_timers(struct slirp_glue *g)
{
	int64_t now_ms = now_ns() / 1000000;

	for (size_t i = 0; i < ARRAY_SIZE(g->timers); i++) {
		struct slirp_timer *t = &g->timers[i];

		if (!t->used || !t->armed || t->expire_ms > now_ms)
			continue;
		t->armed = false;
		g->fn.handle_timer(g->slirp, t->id, t->cb_opaque);
	}
}

void slirp_glue_handle(struct slirp_glue *g, struct pollset *ps, bool poll_failed)
{
	g->ps = ps;
	g->fn.pollfds_poll(g->slirp, poll_failed, cb_get_revents, g);
	run_timers(g);
	if (!(pollset_revents(ps, g->tap_idx) & POLLIN))
		return;
	/* Several frames per turn: one poll() per frame is what makes a
	 * naive loop slow at high packet rates. */
	for (int i = 0; i < FRAMES_PER_TURN; i++) {
		ssize_t n = read(g->tap_fd, g->frame, g->frame_size);

		if (n <= 0)
			break;
		if (g->filter && !g->filter(g->filter_opaque, g->frame, (size_t)n))
			continue;
		g->fn.input(g->slirp, g->frame, (int)n);
	}
}
