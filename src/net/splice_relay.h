/* splice_relay.h - one TCP connection relayed between two sockets with
 *		    splice(), the way the published ports (publish_relay.c)
 *		    and the TCP bypass (bypass_link.c) carry their bytes
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pollset.h"

/* How many spare pipes a pool keeps for the next connection. */
#define SPLICE_RELAY_SPARE_PIPES 32

struct splice_relay_pipe;

/**
 * struct splice_relay_pool - empty pipes kept for the next connections
 * @spare:	the pipes (owned)
 * @n_spare:	how many
 */
struct splice_relay_pool {
	struct splice_relay_pipe *spare[SPLICE_RELAY_SPARE_PIPES];
	size_t n_spare;
};

/**
 * struct splice_relay_dir - one direction: bytes from one socket to the other
 * @pipe:	the pipe they wait in, taken from the pool at the first byte
 * @queued:	bytes in the pipe
 * @eof:	the source said EOF
 * @shut:	...and it was passed on with shutdown(SHUT_WR)
 */
struct splice_relay_dir {
	struct splice_relay_pipe *pipe;
	size_t queued;
	bool eof;
	bool shut;
};

/**
 * struct splice_relay - a connection between @fd[0] and @fd[1] (both owned,
 *			 non-blocking)
 * @fd:		the two sockets
 * @dir:	[0] carries @fd[0] -> @fd[1], [1] carries @fd[1] -> @fd[0]
 * @idx:	the pollset entries splice_relay_fill() gave each socket
 */
struct splice_relay {
	int fd[2];
	struct splice_relay_dir dir[2];
	size_t idx[2];
};

/**
 * splice_relay_init() - start relaying between @fd0 and @fd1 (taken over)
 */
void splice_relay_init(struct splice_relay *c, int fd0, int fd1);

/**
 * splice_relay_fill() - add both sockets to @ps with what each waits for
 */
void splice_relay_fill(struct splice_relay *c, struct pollset *ps);

/**
 * splice_relay_step() - move what can be moved, given poll()'s @ev0 and
 *			 @ev1 for the two sockets (both 0: nothing to do)
 *
 * An EOF is passed on with shutdown(SHUT_WR) once its bytes are through.
 *
 * Return: 1 when both directions are done, -1 on an error (the caller
 *	   closes with reset), else 0
 */
int splice_relay_step(struct splice_relay_pool *pool, struct splice_relay *c, short ev0, short ev1);

/**
 * splice_relay_step_polled() - splice_relay_step() with what poll() reported
 *				for the entries splice_relay_fill() added
 */
int splice_relay_step_polled(struct splice_relay_pool *pool, struct splice_relay *c,
			     const struct pollset *ps);

/**
 * splice_relay_close() - close both sockets (with @reset, so that each peer
 *			  sees a reset rather than a clean end) and give the
 *			  pipes back
 */
void splice_relay_close(struct splice_relay_pool *pool, struct splice_relay *c, bool reset);

/**
 * splice_relay_pool_free() - close the spare pipes
 */
void splice_relay_pool_free(struct splice_relay_pool *pool);
