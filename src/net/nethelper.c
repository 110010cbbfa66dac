/* nethelper.c - sbx's side of the network helper: bind the published ports,
 * fork the helper (nethelper_main.c), pass it the sandbox's fds, end it
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nethelper.h"
#include "nethelper_main.h"
#include "publish_spec.h"
#include "util.h"

int nethelper_start(struct nethelper *h, const struct sbx_config *c, struct sbx_error *e)
{
	_cleanup_free_ int *publish_fds = xreallocarray(NULL, c->n_publish + 1, sizeof(int));
	size_t n_bound = 0;
	int fds[2], r = 0;
	pid_t parent = getpid(), pid = -1;

	h->proc = PROC_NONE;
	h->ctl_fd = -1;
	h->ready = false;
	h->n_pending = 0;
	for (; n_bound < c->n_publish && r == 0; n_bound++) {
		r = publish_spec_listen(&c->publish[n_bound], &publish_fds[n_bound], e);
		if (r < 0)
			break;
	}
	if (r == 0) {
		r = sync_socketpair(fds);
		if (r < 0)
			sbx_error_set(e, r, "network helper: socketpair");
	}
	if (r == 0) {
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			nethelper_main(c, fds[1], publish_fds, parent, h->learned);
		}
		if (pid < 0)
			r = sbx_error_set(e, errno, "cannot start the network helper");
		else
			proc_adopt(&h->proc, pid);
		close(fds[1]);
		if (r == 0)
			h->ctl_fd = fds[0];
		else
			close(fds[0]);
	}
	/* The host sockets are the helper's now (or nobody's). */
	for (size_t i = 0; i < n_bound; i++)
		close(publish_fds[i]);
	return r;
}

static int send_to_helper(struct nethelper *h, const struct sync_msg *m, int fd,
			  struct sbx_error *e)
{
	int r = sync_send(h->ctl_fd, m, fd);

	if (fd >= 0)
		close(fd);
	if (r < 0)
		return sbx_error_set(e, r, "sync with the network helper");
	return 0;
}

int nethelper_check_ready(struct nethelper *h, struct sbx_error *e)
{
	struct sync_msg m;
	int r;

	if (h->ready)
		return 0;
	r = sync_recv(h->ctl_fd, &m, NULL, MSG_DONTWAIT);
	if (r == -EAGAIN)
		return r;
	if (r == -EPIPE) {
		sbx_error_set(e, 0, "the network helper ended during setup");
		return -EPIPE;
	}
	if (r < 0)
		return sbx_error_set(e, r, "sync with the network helper");
	if (m.type == SYNC_SETUP_ERROR) {
		*e = m.error;
		e->exit_code = SBX_EXIT_SETUP;
		return -(e->err ? e->err : EINVAL);
	}
	if (m.type != SYNC_READY)
		return sbx_error_set(e, EPROTO, "unexpected message %u from the network helper", m.type);
	h->ready = true;
	for (size_t i = 0; i < h->n_pending && r == 0; i++) {
		r = send_to_helper(h, &h->pending[i].msg, h->pending[i].fd, e);
		h->pending[i].fd = -1;
	}
	h->n_pending = 0;
	return r;
}

int nethelper_forward(struct nethelper *h, const struct sync_msg *m, int fd, struct sbx_error *e)
{
	if (h->ready)
		return send_to_helper(h, m, fd, e);
	/* The sandbox sends one tap and one socket factory. */
	if (h->n_pending == ARRAY_SIZE(h->pending)) {
		if (fd >= 0)
			close(fd);
		return sbx_error_set(e, EPROTO, "unexpected message %u from the sandbox", m->type);
	}
	h->pending[h->n_pending++] = (struct nethelper_pending){ .msg = *m, .fd = fd };
	return 0;
}

void nethelper_stop(struct nethelper *h)
{
	for (size_t i = 0; i < h->n_pending; i++)
		if (h->pending[i].fd >= 0)
			close(h->pending[i].fd);
	h->n_pending = 0;
	if (h->ctl_fd >= 0)
		close(h->ctl_fd);
	h->ctl_fd = -1;
	proc_kill_and_reap(&h->proc);
}
