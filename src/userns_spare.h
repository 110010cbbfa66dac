/* userns_spare.h - namespaces made ahead by the holder, one sandbox's each
 *
 * Creating a network namespace and bringing its lo up costs a start about
 * 0.8 ms, most of what sbx still paid over bubblewrap. The holder therefore
 * keeps one *spare*: a child user namespace of its parent namespace, mapped
 * exactly as the last start asked, and owned by it a network namespace with
 * lo up, an IPC and a UTS namespace (the IPC namespace's mqueue mount and
 * sysctl tables cost ~50 us of the start otherwise). A start sends the maps
 * it would write (userns_spare_request()); if the spare has those maps the
 * holder hands it over (SCM_RIGHTS) and closes its own fds, so it never
 * reaches a second sandbox, then makes the next one.
 * Otherwise it answers "none" and makes a spare with the maps asked for, for
 * the next start; this start unshares as before. Either way the making waits
 * until that start's command starts (sbx sends 'G') or the start has ended,
 * so that it does not take CPU time from the start. The making never holds up
 * an answer: its slow part (the network namespace) runs in a keeper process
 * the holder polls (userns_spare_start(), userns_spare_finish()), so a start
 * that comes meanwhile is answered "none" at once.
 *
 * What sbx checks before use (userns_spare_check(), then ns_spawn()): the
 * user namespace is owned by our uid and a child of the holder's namespace
 * sbx verified and joined; the network, IPC and UTS namespaces are of those
 * types and owned by that user namespace; once inside, the maps read back are
 * exactly the planned ones.
 * The holder only serves connections of our uid, so nothing another user
 * runs can ask for, or give us, a spare.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "userns.h"

/* How long a start waits for the holder's answer before it unshares itself. */
#define SPARE_WAIT_MS 100

/* Request: 'S', the uid map text, '\0', the gid map text, '\0'. */
#define SPARE_REQUEST_MAX (1 + 2 * IDMAP_MAX_TEXT)

/**
 * userns_spare_make() - in the holder: a new user namespace (child of ours)
 *			 mapped with @uid and @gid, and owned by it a network
 *			 namespace with lo up, an IPC and a UTS one
 * @ret:	every fd on success, USERNS_SPARE_NONE otherwise
 *
 * Forks a short-lived keeper that creates them; the fds outlive it. Waits
 * for it: userns_spare_start() and userns_spare_finish() do not.
 * Return: 0 or -errno
 */
int userns_spare_make(const struct idmap *uid, const struct idmap *gid, struct userns_spare *ret);

/**
 * struct userns_spare_maker - a spare being made: its keeper (pid, and the
 *			       pidfd that tells whether that pid is still
 *			       it), the pipe that lets it go on (closed: it
 *			       ends), the one it reports on (readable:
 *			       userns_spare_finish())
 */
struct userns_spare_maker {
	pid_t pid;
	int pidfd;
	int go;
	int ready;
};

#define USERNS_SPARE_MAKER_NONE \
	((struct userns_spare_maker){ .pid = 0, .pidfd = -1, .go = -1, .ready = -1 })

/**
 * userns_spare_start() - userns_spare_make() up to the slow part: fork the
 *			  keeper, write its maps, let it make the network
 *			  namespace; the holder meanwhile serves its starts
 * @m:		filled; poll @m->ready, then userns_spare_finish()
 * Return: 0 or -errno (nothing left running)
 */
int userns_spare_start(const struct idmap *uid, const struct idmap *gid,
		       struct userns_spare_maker *m);

/**
 * userns_spare_finish() - the keeper has reported: take its namespaces and
 *			   let it end
 * Return: 0 with @ret filled, or -errno; @m is released either way
 */
int userns_spare_finish(struct userns_spare_maker *m, struct userns_spare *ret);

/**
 * userns_spare_abort() - drop a spare being made (its keeper ends)
 */
void userns_spare_abort(struct userns_spare_maker *m);

/**
 * userns_spare_request() - in sbx: ask the holder on @conn for a spare mapped
 *			    with @uid and @gid
 * Return: 0 or -errno
 */
int userns_spare_request(int conn, const struct idmap *uid, const struct idmap *gid);

/**
 * userns_spare_parse_request() - in the holder: the maps of a request
 * @msg, @len:	the message as received (bounded by SPARE_REQUEST_MAX)
 * Return: 0, or -EINVAL for anything but a well-formed request
 */
int userns_spare_parse_request(const char *msg, size_t len, struct idmap *ret_uid,
			       struct idmap *ret_gid);

/**
 * userns_spare_send() - in the holder: hand @s over on @conn (every fd), or
 *			 say there is none (@s->user < 0)
 * Return: 0 or -errno
 */
int userns_spare_send(int conn, const struct userns_spare *s);

/**
 * userns_spare_recv() - in sbx: the holder's answer, waiting at most
 *			 SPARE_WAIT_MS
 * @ret:	the spare's fds, or -1s when the holder had none
 * Return: 0 (with or without a spare) or -errno (-ETIMEDOUT, -EPROTO)
 */
int userns_spare_recv(int conn, struct userns_spare *ret);

/**
 * userns_spare_check() - in sbx: is @s a spare made from the user namespace
 *			  @parent_nsfd (the holder's, verified), owned by us,
 *			  its other namespaces of the right types and owned
 *			  by its user namespace?
 * Return: 0, or -EPERM
 */
int userns_spare_check(const struct userns_spare *s, int parent_nsfd);
