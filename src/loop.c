/* loop.c - the supervisor's event loop
 *
 * Theory of operation
 *
 * sbx's supervisor waits for many things at once: signals (a signalfd), the
 * end of the sandbox's first process and of the network helper (pidfds),
 * messages from the sandbox and from the helper (sync sockets), the TCP
 * bypass; later a control socket, a status fd, cgroup events. Each is a
 * *source*: a small object with its fd, the events it waits for, a handler
 * and the owner's data. The owner embeds the source in its own state and
 * hands it to loop_add(); the loop keeps no copy and allocates nothing per
 * source. epoll carries a pointer to the source in each event, so dispatch
 * is a call through that pointer, whatever the source is.
 *
 * Handlers never block. A source whose work takes several steps (a helper
 * that must say "ready" before it gets the tap fd) keeps its state in its
 * owner and goes on at its next event. A handler ends the loop with
 * loop_exit(), which loop_run() returns once that handler is done; the
 * events left in the same batch are not dispatched.
 *
 * Some libraries (libslirp, the TCP bypass) rebuild a pollfd array on every
 * turn and read it back after poll(). Their fds cannot live in the epoll
 * set: they come and go without notice, and epoll keeps an fd registered for
 * as long as any copy of it is open (the bypass hands its sockets to the
 * sandbox). Such a *poll-style* source has no fd of its own but a fill()
 * callback; when one is present the loop waits with poll() on the epoll fd
 * plus their arrays, and runs their handlers after every wait. Without one,
 * it is a plain epoll_wait().
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_BATCH 16

int loop_init(struct loop *l)
{
	*l = (struct loop){ .epfd = epoll_create1(EPOLL_CLOEXEC) };
	return l->epfd < 0 ? -errno : 0;
}

void loop_free(struct loop *l)
{
	for (struct loop_source *s = l->polled; s; s = s->next)
		s->loop = NULL;
	l->polled = NULL;
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
	free(l->ps.fds);
	l->ps = (struct pollset){ 0 };
}

int loop_add(struct loop *l, struct loop_source *s)
{
	struct epoll_event ev = { .events = s->events, .data.ptr = s };

	if (s->loop)
		return -EBUSY;
	if (s->fd < 0) {
		if (!s->fill)
			return -EBADF;
		s->next = l->polled;
		l->polled = s;
	} else if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		return -errno;
	}
	s->loop = l;
	return 0;
}

int loop_modify(struct loop_source *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	s->events = events;
	if (!s->loop || s->fd < 0)
		return 0;
	return epoll_ctl(s->loop->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

void loop_remove(struct loop_source *s)
{
	struct loop *l = s->loop;

	if (!l)
		return;
	if (s->fd >= 0) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	} else {
		for (struct loop_source **p = &l->polled; *p; p = &(*p)->next) {
			if (*p == s) {
				*p = s->next;
				break;
			}
		}
	}
	s->next = NULL;
	s->loop = NULL;
}

void loop_exit(struct loop *l, int result)
{
	if (l->done)
		return;
	l->done = true;
	l->result = result;
}

const struct pollset *loop_pollset(const struct loop_source *s)
{
	return &s->loop->ps;
}

/* Wait for the next events. Return: how many are in @ev, or -errno. */
static int loop_wait(struct loop *l, struct epoll_event *ev)
{
	int timeout = -1, n;

	if (!l->polled) {
		n = epoll_wait(l->epfd, ev, LOOP_BATCH, -1);
		return n < 0 ? -errno : n;
	}
	l->ps.n = 0;
	pollset_add(&l->ps, l->epfd, POLLIN);
	for (struct loop_source *s = l->polled; s; s = s->next)
		s->fill(s, &l->ps, &timeout);
	if (poll(l->ps.fds, l->ps.n, timeout) < 0)
		return -errno;
	if (!(pollset_revents(&l->ps, 0) & POLLIN))
		return 0;
	n = epoll_wait(l->epfd, ev, LOOP_BATCH, 0);
	return n < 0 ? -errno : n;
}

int loop_run(struct loop *l)
{
	struct epoll_event ev[LOOP_BATCH];

	while (!l->done) {
		int n = loop_wait(l, ev);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		for (int i = 0; i < n && !l->done; i++) {
			struct loop_source *s = ev[i].data.ptr;

			/* Removed by an earlier handler of this batch. */
			if (s->loop == l)
				s->handler(s, ev[i].events);
		}
		for (struct loop_source *s = l->polled, *next; s && !l->done; s = next) {
			next = s->next;
			s->handler(s, 0);
		}
	}
	return l->result;
}
