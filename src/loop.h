/* loop.h - the supervisor's event loop: registered sources, one handler each */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>


struct loop;
struct loop_source;

/**
 * typedef loop_handler_fn - a source's handler
 * @events:	what epoll reported for the source's fd (EPOLLIN, EPOLLHUP...)
 *
 * Runs on the loop's only thread and must not block: no waiting for a
 * process or a peer (non-blocking reads, WNOHANG), and must cope with being
 * called when nothing is ready any more. May add, modify and remove sources
 * (itself included) and end the loop with loop_exit().
 */
typedef void loop_handler_fn(struct loop_source *s, uint32_t events);

/**
 * struct loop_source - one thing the loop watches, owned by whoever added it
 * @fd:		watched with epoll for @events
 * @events:	EPOLLIN, EPOLLOUT...; EPOLLHUP and EPOLLERR come unasked
 * @handler:	see loop_handler_fn
 * @data:	the owner's, for the handler
 * @loop:	private: the loop it is in, NULL when in none
 */
struct loop_source {
	int fd;
	uint32_t events;
	loop_handler_fn *handler;
	void *data;
	struct loop *loop;
};

/**
 * struct loop - an epoll set and the sources in it
 * @epfd:	the epoll fd
 * @done:	loop_exit() was called
 * @result:	what it was given
 * @batch:	private: the events being dispatched, NULL between batches
 * @batch_n:	private: how many
 */
struct loop {
	int epfd;
	bool done;
	int result;
	struct epoll_event *batch;
	int batch_n;
};

/**
 * loop_init() - an empty loop
 * Return: 0 or -errno
 */
int loop_init(struct loop *l);

/**
 * loop_free() - close the epoll fd; the sources stay their owners'
 */
void loop_free(struct loop *l);

/**
 * loop_add() - watch @s (fill in @s->fd, @s->events, @s->handler and
 *		@s->data first)
 *
 * @s must stay where it is until it is removed or the loop is freed.
 *
 * Return: 0 or -errno
 */
int loop_add(struct loop *l, struct loop_source *s);

/**
 * loop_modify() - watch @s's fd for @events from now on
 * Return: 0 or -errno
 */
int loop_modify(struct loop_source *s, uint32_t events);

/**
 * loop_remove() - stop watching @s; safe on a source in no loop. Does not
 *		   close its fd: remove before closing, as epoll forgets an fd
 *		   only when every copy of it is closed.
 *
 * An event of @s still waiting in the batch being dispatched is dropped, so
 * a handler may remove (and free, or re-add on another fd) any source.
 */
void loop_remove(struct loop_source *s);

/**
 * loop_exit() - make loop_run() return @result once the running handler returns
 */
void loop_exit(struct loop *l, int result);

/**
 * loop_run() - dispatch events until a handler calls loop_exit()
 * Return: what loop_exit() was given, or -errno if waiting itself failed
 */
int loop_run(struct loop *l);
