/* userns_holder.h - the per-user parent user namespace and its holder
 *
 * Theory of operation. newuidmap/newgidmap (two setuid programs) cost 1.5-3 ms
 * per start. Instead, once per user, a holder process creates a *parent* user
 * namespace P whose maps, written by the two helpers, map the caller's own id
 * and every subordinate range to themselves (identity). Each sbx then joins P
 * with setns() before its clone: as the owner of P it holds every capability
 * there, so the sandbox's *child* user namespace, made by the clone inside P,
 * gets its full maps written by sbx itself (CAP_SETUID/CAP_SETGID in the
 * parent namespace), with no setuid program. Sandboxes stay apart: a process
 * of one child namespace has no capability in P or in a sibling.
 *
 * Finding it: a SOCK_SEQPACKET socket $XDG_RUNTIME_DIR/sbx/userns-V-HASH.sock
 * (else /tmp/sbx-UID/...), in a directory that must be ours and mode 0700;
 * HASH is over the maps /etc/subuid and /etc/subgid imply now, so a changed
 * file leads to a new holder and the old one idles out; V is the protocol
 * (HOLDER_PROTOCOL), so that a holder of another sbx version is not used.
 * Trusting it, before setns(): the listener's SO_PEERCRED uid is ours; its
 * /proc/PID/ns/user is a user namespace owned by our uid (NS_GET_OWNER_UID)
 * whose parent is our own (NS_GET_PARENT), and its uid_map and gid_map are
 * exactly the expected ones. None of this needs the holder to run (the
 * connection waits in its backlog); only the request for its spare
 * namespaces (userns_spare.h) then waits for its answer, at most
 * SPARE_WAIT_MS. Anything else is refused, the socket removed and a new holder
 * started; if that fails too, sbx falls back to newuidmap/newgidmap.
 * Lifetime: the holder exits HOLDER_IDLE_MS after its last connection closed
 * (running sandboxes do not need it: their namespaces keep P alive).
 * Teardown off the critical path: sbx keeps its connection open, and the
 * sandbox's child, once it has unshared its mount namespace, sends that
 * namespace to the holder over its inherited copy. When the sandbox's pid 1 exits, the namespace is then not
 * its last reference, so the unmounting of the whole view and the RCU grace
 * period it waits for happen in the holder, right after sbx's own exit closes
 * the connection, instead of delaying the status sbx reports (bubblewrap gets
 * the same by not waiting for its pid 1 at all). Nothing is kept longer than
 * sbx itself runs, and nothing of the sandbox can act through it: the
 * holder only closes the fd.
 * A start waits at most HOLDER_LOCK_WAIT_S for the lock under which a holder
 * is replaced, then uses the helpers (a stopped start, or a sandbox given the
 * directory, could otherwise hold every later start).
 * Opting out: --no-userns-holder or SBX_USERNS_HOLDER=0.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "userns.h"

/* What sbx and its holder say on the socket: v2 = with spare namespaces,
 * v3 = a spare of four (user, net, ipc, uts: struct userns_spare).
 * Part of the socket's name: change it with every change of the protocol. */
#define HOLDER_PROTOCOL "v3"

/* How long the holder waits for the next start before it exits. */
#define HOLDER_IDLE_MS (60 * 1000)

/**
 * userns_holder_enter() - join the caller's parent user namespace, starting
 *			   its holder when there is none (or none to trust)
 * @p:		a plan with use_helpers set; on success via_holder is set,
 *		use_helpers cleared, and the maps are written from P
 * @enabled:	false for --no-userns-holder
 *
 * What happened (the holder's socket and pid, started or joined, or why not)
 * goes to @p->holder_note, which -v shows (userns_plan_via()).
 * Must run single-threaded, before the clone. Never fails: without a holder
 * the plan stays on the helpers.
 */
void userns_holder_enter(struct userns_plan *p, bool enabled);

/**
 * userns_holder_check() - is the user namespace @nsfd, opened from
 *			   /proc/PID (@procfd), one to join as our parent
 *			   namespace
 * @procfd:	an open /proc/PID directory of the process it was opened from
 * @nsfd:	that process's /proc/PID/ns/user, opened before this call
 * @uid_want:	the uid map it must have (seen from our namespace)
 * @gid_want:	the gid map it must have
 * @ret_setgroups: whether its setgroups file says "allow"
 *
 * Owned by our uid, a child of our own namespace, mapped exactly as wanted,
 * and still the process's namespace once the maps were read (so the maps
 * checked are @nsfd's, not those of a namespace the process moved to).
 *
 * Return: 0, -EPERM (not ours, or moved), -ESTALE (other maps), -errno
 */
int userns_holder_check(int procfd, int nsfd, const struct idmap *uid_want,
			const struct idmap *gid_want, bool *ret_setgroups);

/**
 * userns_holder_hand_over() - in the sandbox's child, once its mount namespace
 *			       exists: give the holder a reference to it,
 *			       released when sbx exits
 *
 * Uses (and closes) the child's copy of sbx's connection to the holder; does
 * nothing without one. The child does it because sbx could not open the
 * namespace later (pid 1 makes itself non-dumpable). A failure only means
 * the teardown stays in pid 1's exit.
 */
void userns_holder_hand_over(void);

/**
 * userns_holder_started() - in sbx, once the sandbox's command starts: tell
 *			     the holder, which makes the next spare from then on
 *			     (making it earlier took CPU time from this start).
 *			     Nothing without a holder connection.
 */
void userns_holder_started(void);

/**
 * userns_holder_main() - the holder process: unshare a user namespace, wait
 *			  for its maps, then keep it, and each of our starts'
 *			  connections with the mount namespace sent over it
 * @sock_path:	where to listen
 * @up:		to the starter: our pid once unshared, then 0 or -errno
 * @down:	from the starter: one byte, 1 once the maps are written
 */
void userns_holder_main(const char *sock_path, int up, int down) __attribute__((noreturn));
