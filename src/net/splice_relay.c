/* splice_relay.c - one TCP connection relayed between two sockets with splice()
 *
 * Each direction moves its bytes from one socket into a pipe and from the
 * pipe into the other socket with splice(): no copy through user space, no
 * re-segmentation. The pipe is enlarged to RELAY_PIPE_SIZE where the limit
 * allows (fewer trips through poll() per megabyte), and an empty one goes
 * back to a pool for the next connection, so a short connection costs no
 * pipe2(). A direction whose source said EOF is shut down on the other
 * socket once its bytes are through (half-close passes through); an error
 * on either socket ends both, and the caller closes them with a reset, so
 * each peer learns the connection broke.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "splice_relay.h"
#include "util.h"

#define RELAY_PIPE_SIZE (1 << 20)
#define SPLICE_ROUNDS 16

struct splice_relay_pipe {
	int fd[2];
	size_t cap;
};

static struct splice_relay_pipe *pipe_get(struct splice_relay_pool *pool)
{
	struct splice_relay_pipe *p;
	int sz;

	if (pool->n_spare)
		return pool->spare[--pool->n_spare];
	p = xreallocarray(NULL, 1, sizeof(*p));
	if (pipe2(p->fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(p);
		return NULL;
	}
	/* The default 64 KiB is what we get when the limit says no. */
	fcntl(p->fd[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	sz = fcntl(p->fd[1], F_GETPIPE_SZ);
	p->cap = sz > 0 ? (size_t)sz : 65536;
	return p;
}

/* An empty pipe can serve the next connection; one with bytes in it cannot. */
static void pipe_put(struct splice_relay_pool *pool, struct splice_relay_pipe *p, bool empty)
{
	if (!p)
		return;
	if (empty && pool->n_spare < SPLICE_RELAY_SPARE_PIPES) {
		pool->spare[pool->n_spare++] = p;
		return;
	}
	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

void splice_relay_init(struct splice_relay *c, int fd0, int fd1)
{
	*c = (struct splice_relay){ .fd = { fd0, fd1 }, .idx = { SIZE_MAX, SIZE_MAX } };
}

/* Move what can be moved in one direction. Return: -1 on a hard error. */
static int pump(struct splice_relay_pool *pool, struct splice_relay_dir *d, int from, int to)
{
	for (int round = 0; round < SPLICE_ROUNDS; round++) {
		bool moved = false;
		ssize_t n;

		if (!d->pipe && !(d->pipe = pipe_get(pool)))
			return -1;
		if (!d->eof && d->queued < d->pipe->cap) {
			n = splice(from, NULL, d->pipe->fd[1], NULL, d->pipe->cap - d->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->queued += (size_t)n;
				moved = true;
			} else if (n == 0) {
				d->eof = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				return -1;
			}
		}
		if (d->queued) {
			n = splice(d->pipe->fd[0], NULL, to, NULL, d->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->queued -= (size_t)n;
				moved = true;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				return -1;
			}
		}
		if (!moved)
			break;
	}
	if (d->eof && !d->queued && !d->shut) {
		shutdown(to, SHUT_WR);
		d->shut = true;
	}
	return 0;
}

static short dir_events(const struct splice_relay_dir *in, const struct splice_relay_dir *out)
{
	short ev = 0;

	if (!in->eof && (!in->pipe || in->queued < in->pipe->cap))
		ev |= POLLIN;
	if (out->queued)
		ev |= POLLOUT;
	return ev;
}

/* A socket we want nothing from is left out: poll() reports POLLHUP and
 * POLLERR whatever the events asked, and a hung-up socket whose bytes wait
 * for the other side to read would wake the loop at once, every turn, for
 * as long as that side does not read. Its end is seen by the other
 * direction's splice() then. */
static size_t add_if_wanted(struct pollset *ps, int fd, short events)
{
	return events ? pollset_add(ps, fd, events) : SIZE_MAX;
}

void splice_relay_fill(struct splice_relay *c, struct pollset *ps)
{
	c->idx[0] = add_if_wanted(ps, c->fd[0], dir_events(&c->dir[0], &c->dir[1]));
	c->idx[1] = add_if_wanted(ps, c->fd[1], dir_events(&c->dir[1], &c->dir[0]));
}

int splice_relay_step(struct splice_relay_pool *pool, struct splice_relay *c, short ev0, short ev1)
{
	if (!ev0 && !ev1)
		return 0;
	if (pump(pool, &c->dir[0], c->fd[0], c->fd[1]) < 0 ||
	    pump(pool, &c->dir[1], c->fd[1], c->fd[0]) < 0)
		return -1;
	return c->dir[0].shut && c->dir[1].shut ? 1 : 0;
}

int splice_relay_step_polled(struct splice_relay_pool *pool, struct splice_relay *c,
			     const struct pollset *ps)
{
	return splice_relay_step(pool, c, pollset_revents(ps, c->idx[0]),
				 pollset_revents(ps, c->idx[1]));
}

void splice_relay_close(struct splice_relay_pool *pool, struct splice_relay *c, bool reset)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	for (int i = 0; i < 2; i++) {
		if (c->fd[i] < 0)
			continue;
		if (reset)
			setsockopt(c->fd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->fd[i]);
		c->fd[i] = -1;
	}
	for (int d = 0; d < 2; d++) {
		pipe_put(pool, c->dir[d].pipe, c->dir[d].queued == 0);
		c->dir[d].pipe = NULL;
	}
}

void splice_relay_pool_free(struct splice_relay_pool *pool)
{
	while (pool->n_spare)
		pipe_put(pool, pool->spare[--pool->n_spare], false);
}
