/* nethelper_main.c - the network helper: the isolated process outside the
 * sandbox that runs libslirp and the published ports' relay
 *
 * Theory of operation
 *
 * libslirp parses every frame the sandboxed program writes to its tap
 * device: it is the one piece of sbx that handles hostile input outside the
 * sandbox. It therefore runs in its own process, which sbx forks right after
 * the sandbox's clone and which takes away everything it does not need before
 * it can see a single frame:
 *
 *  stage 0, detach: own session (terminal signals go to the sandbox, not
 *	here), SIGKILL when sbx dies, SIGPIPE ignored, every inherited fd closed
 *	but the control socket and the published ports' listening sockets.
 *  stage 1, slirp: load libslirp (dlopen: plain sbx start-up does not pay for
 *	GLib), create the instance and bind the UDP forwards, and read the
 *	host's /etc/resolv.conf, while the host's files are still visible.
 *	The egress filter (egress_tap.c) opens its route netlink socket, which
 *	follows the host's own addresses, and with --allow-net the UDP socket
 *	to the host's nameserver: sockets the filter below would refuse.
 *  stage 2, empty root: a new user and mount namespace (never a new network
 *	namespace: the helper's sockets must be the host's), an empty private
 *	tmpfs as /, read-only, holding only a copy of resolv.conf, which
 *	libslirp reads when it forwards DNS. The host's file system is gone.
 *  stage 3, no privileges: the capabilities of that user namespace, the
 *	bounding set included, are dropped; no_new_privs; not dumpable.
 *  stage 4, seccomp: an allow-list of what the loop below calls (poll,
 *	socket I/O, IPv4/IPv6 sockets only, splice, memory that is never
 *	executable: no mmap() or mprotect() with PROT_EXEC); anything else
 *	fails with EPERM.
 *  stage 5, ready: tell sbx, which only then passes on the tap fd and the
 *	socket factory's socket from the sandbox; serve them. Every frame from
 *	the tap goes through the egress filter before libslirp reads it.
 *
 * It ends when its control socket from sbx reaches EOF (sbx closed it, or
 * died) or at SIGKILL (sbx's exit path, or the parent-death signal), so
 * nothing it holds outlives sbx.
 *
 * It ends with _exit() and frees nothing first: the kernel closes every
 * socket and pipe and releases every page, which is all a slirp_cleanup()
 * and a walk over the relay's connections would do, except run more code
 * over state the sandbox shaped. LeakSanitizer could not look anyway: its
 * check runs from exit(), and needs clone(), ptrace() and /proc, which the
 * filter and the empty root take away.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "egress_tap.h"
#include "log.h"
#include "nethelper_lockdown.h"
#include "proc.h"
#include "nethelper_main.h"
#include "pollset.h"
#include "publish_relay.h"
#include "slirp_glue.h"
#include "sync.h"
#include "util.h"

#define RESOLV_CONF_MAX 16384

struct helper {
	const struct sbx_config *c;
	int ctl_fd;
	struct slirp_glue slirp;
	struct publish_relay relay;
	struct egress_tap *egress; /* NULL: nothing to hold the sandbox to */
	char resolv_conf[RESOLV_CONF_MAX];
	size_t resolv_conf_len;
};

static _Noreturn void helper_fail(int ctl_fd, const struct sbx_error *e)
{
	sync_send_error(ctl_fd, SYNC_SETUP_ERROR, e);
	_exit(SBX_EXIT_SETUP);
}

static void read_resolv_conf(struct helper *h)
{
	_cleanup_close_ int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, h->resolv_conf, sizeof(h->resolv_conf)) : -1;

	h->resolv_conf_len = n > 0 ? (size_t)n : 0;
}

/* Stage 0, keeping the control socket and the published ports' sockets. */
static void detach(const struct helper *h, pid_t parent)
{
	size_t n_keep = h->relay.n_listen + h->relay.n_udp + 1;
	_cleanup_free_ int *keep = xreallocarray(NULL, n_keep, sizeof(int));

	keep[0] = h->ctl_fd;
	for (size_t i = 0; i < h->relay.n_listen; i++)
		keep[i + 1] = h->relay.listen_fds[i];
	for (size_t i = 0; i < h->relay.n_udp; i++)
		keep[h->relay.n_listen + i + 1] = h->relay.udp[i].host_fd;
	proc_helper_detach(parent, keep, n_keep);
}

/* A message from sbx. Return: -1 at EOF (time to go). */
static int handle_ctl(struct helper *h)
{
	struct sync_msg m;
	int fd, r = sync_recv(h->ctl_fd, &m, &fd, MSG_DONTWAIT);

	if (r == -EAGAIN)
		return 0;
	if (r < 0)
		return -1;
	if (m.type == SYNC_NET_TAP && fd >= 0) {
		slirp_glue_set_tap(&h->slirp, fd);
	} else if (m.type == SYNC_NET_FACTORY && fd >= 0 && h->relay.factory_fd < 0) {
		h->relay.factory_fd = fd;
	} else if (fd >= 0) {
		close(fd);
	}
	return 0;
}

static bool egress_frame(void *opaque, const uint8_t *frame, size_t len)
{
	return egress_tap_frame(opaque, frame, len);
}

/* Stage 1 too: the route socket and the upstream resolver, while any
 * socket may still be opened. */
static int start_egress(struct helper *h, struct egress_learned *learned, struct sbx_error *e)
{
	if (!egress_needed(h->c))
		return 0;
	h->egress = calloc(1, sizeof(*h->egress));
	if (!h->egress)
		return sbx_error_set(e, ENOMEM, "network helper: no memory");
	if (egress_tap_init(h->egress, h->c, learned, h->resolv_conf, h->resolv_conf_len,
			    h->slirp.frame_size, e) < 0)
		return -EINVAL;
	h->egress->send = slirp_glue_send;
	h->egress->send_opaque = &h->slirp;
	slirp_glue_set_filter(&h->slirp, egress_frame, h->egress);
	/* Said once, from here: only the helper knows the table it read. */
	if (!h->c->allow_host_loopback)
		log_verbose(1, "the host's own addresses are closed (%zu local routes, followed)",
			    h->egress->pol.host.n);
	if (h->egress->pol.filter)
		log_verbose(1, "--allow-net: %zu rules; names answered at 10.0.2.3%s", h->c->n_allow_net,
			    h->egress->upstream_fd >= 0 ? "" : " (no nameserver: SERVFAIL)");
	return 0;
}

static _Noreturn void helper_loop(struct helper *h)
{
	struct pollset ps = { 0 };

	for (;;) {
		int timeout = -1, n;
		size_t ctl_idx;

		ps.n = 0;
		ctl_idx = pollset_add(&ps, h->ctl_fd, POLLIN);
		if (h->egress)
			egress_tap_fill(h->egress, &ps);
		slirp_glue_fill(&h->slirp, &ps, &timeout);
		publish_relay_fill(&h->relay, &ps, &timeout);
		n = poll(ps.fds, ps.n, timeout);
		if (n < 0 && errno != EINTR)
			_exit(1);
		if (pollset_revents(&ps, ctl_idx) && handle_ctl(h) < 0)
			_exit(0);
		/* Route changes and answers before the frames of this turn. */
		if (h->egress)
			egress_tap_handle(h->egress, &ps);
		slirp_glue_handle(&h->slirp, &ps, n < 0);
		publish_relay_handle(&h->relay, &ps);
	}
}

_Noreturn void nethelper_main(const struct sbx_config *c, int ctl_fd, const int *publish_fds,
			      pid_t parent, struct egress_learned *learned)
{
	struct sbx_error e = { 0 };
	struct helper h; /* lives as long as the process: helper_loop() never returns */

	/* Named, so ps and the user tell sbx's processes apart. */
	prctl(PR_SET_NAME, "sbx-net-helper", 0, 0, 0);
	memset(&h, 0, sizeof(h));
	h.c = c;
	h.ctl_fd = ctl_fd;
	publish_relay_init(&h.relay, c->publish, publish_fds, c->n_publish);
	detach(&h, parent);
	if (slirp_glue_open(&h.slirp, c, &e) < 0)
		helper_fail(ctl_fd, &e);
	read_resolv_conf(&h);
	if (start_egress(&h, learned, &e) < 0)
		helper_fail(ctl_fd, &e);
	if (nethelper_lockdown_empty_root(h.resolv_conf, h.resolv_conf_len, &e) < 0 ||
	    nethelper_lockdown_no_privileges(&e) < 0 || nethelper_lockdown_seccomp(&e) < 0)
		helper_fail(ctl_fd, &e);
	if (sync_send_simple(ctl_fd, SYNC_READY, 0) < 0)
		_exit(0);
	helper_loop(&h);
}
