/* loop.c - the supervisor's event loop
 *
 * Theory of operation
 *
 * sbx's supervisor waits for many things at once: signals (a signalfd), the
 * end of the sandbox's first process and of the network helper (pidfds),
 * messages from the sandbox and from the helper (sync sockets), the TCP
 * bypass worker; later a control socket, a status fd, cgroup events. Each is a
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
 */
#include "autoconf.h"

#include <errno.h>
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
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, struct loop_source *s)
{
	struct epoll_event ev = { .events = s->events, .data.ptr = s };

	if (s->loop)
		return -EBUSY;
	if (s->fd < 0)
		return -EBADF;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
		return -errno;
	s->loop = l;
	return 0;
}

int loop_modify(struct loop_source *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	s->events = events;
	if (!s->loop)
		return 0;
	return epoll_ctl(s->loop->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0 ? -errno : 0;
}

void loop_remove(struct loop_source *s)
{
	struct loop *l = s->loop;

	if (!l)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	s->loop = NULL;
	/* Its event later in this batch was for the registration just ended:
	 * the source may be freed, or back on another fd, by the time it
	 * would be dispatched. */
	for (int i = 0; i < l->batch_n; i++)
		if (l->batch[i].data.ptr == s)
			l->batch[i].data.ptr = NULL;
}

void loop_exit(struct loop *l, int result)
{
	if (l->done)
		return;
	l->done = true;
	l->result = result;
}

int loop_run(struct loop *l)
{
	struct epoll_event ev[LOOP_BATCH];

	while (!l->done) {
		int n = epoll_wait(l->epfd, ev, LOOP_BATCH, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		l->batch = ev;
		l->batch_n = n;
		for (int i = 0; i < n && !l->done; i++) {
			struct loop_source *s = ev[i].data.ptr;

			/* NULL: removed by an earlier handler of this batch. */
			if (s)
				s->handler(s, ev[i].events);
		}
		l->batch = NULL;
		l->batch_n = 0;
	}
	return l->result;
}
