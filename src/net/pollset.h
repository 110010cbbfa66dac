/* pollset.h - the poll() array the network helper's modules fill together */
#pragma once

#include <poll.h>
#include <stddef.h>

#include "util.h"

/**
 * struct pollset - a growable pollfd array, refilled on every loop turn
 * @fds:	the entries
 * @n:		how many are in use
 * @cap:	how many are allocated
 */
struct pollset {
	struct pollfd *fds;
	size_t n;
	size_t cap;
};

/**
 * pollset_add() - append @fd with @events
 * Return: its index, which pollset_revents() takes after poll()
 */
static inline size_t pollset_add(struct pollset *ps, int fd, short events)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 64;
		ps->fds = xreallocarray(ps->fds, ps->cap, sizeof(*ps->fds));
	}
	ps->fds[ps->n] = (struct pollfd){ .fd = fd, .events = events };
	return ps->n++;
}

/**
 * pollset_revents() - what poll() reported for entry @idx (0 for SIZE_MAX:
 *		       "was not polled")
 */
static inline short pollset_revents(const struct pollset *ps, size_t idx)
{
	return idx < ps->n ? ps->fds[idx].revents : 0;
}
