/* ns.h - namespace flags, the clone into them, and per-namespace setup */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "userns.h"

/**
 * ns_clone_flags() - the CLONE_NEW* flags the clone itself must carry: the
 *		      user namespace, and the pid namespace (so the child is its pid 1)
 *
 * The time namespace is never among them: clone() cannot create one (its
 * flag collides with CSIGNAL), and its offsets must be written before any
 * process enters it, so pid 1 unshares it for its children (ns_new_time()).
 */
unsigned long ns_clone_flags(const struct sbx_config *c);

/**
 * ns_unshare_rest() - in the child: unshare mount, net, ipc, uts and cgroup
 *		       namespaces (those not shared with the host)
 *
 * Done by the child rather than by clone() because creating a network
 * namespace costs about a millisecond: this way it overlaps with the
 * parent's newuidmap/newgidmap. The child already holds every capability in
 * its new user namespace, which then owns these namespaces just as if clone()
 * had made them. In the holder's spare (ns_spawn()) the network, IPC and
 * UTS namespaces exist already and are not unshared again.
 *
 * Return: 0 or -errno with @e filled
 */
int ns_unshare_rest(const struct sbx_config *c, struct sbx_error *e);

/**
 * ns_net_ready() - in the child: is the network namespace ready as it is
 *		    (the host's, or the holder's spare, whose lo is up)?
 */
bool ns_net_ready(const struct sbx_config *c);

/**
 * ns_in_spare() - in the child: was pid 1 made in the holder's spare
 *		   namespaces (ns_spawn())? Its id maps are written then (by
 *		   the holder) and were checked before pid 1 was made.
 * Return: true in such a pid 1
 */
bool ns_in_spare(void);

/**
 * ns_spawn() - make the sandbox's pid 1: in the holder's spare namespaces
 *		when @p has them, else by ns_clone(ns_clone_flags(@c))
 * @p:		the plan; its spare is closed in every process, and
 *		@p->spare_used set in the parent when pid 1 runs in it
 * @ret_pidfd:	pid 1's pidfd in the parent, or -1
 *
 * Namespace order with a spare. sbx stays in its own namespaces (the
 * supervisor and the network processes it forks later must stay out of the
 * sandbox's): a go-between process joins the spare's user namespace, checks
 * its maps from inside, joins those of its network, IPC and UTS namespaces
 * the configuration does not share, and forks pid 1 with CLONE_PARENT (so
 * pid 1 is sbx's child) and CLONE_NEWPID (so its pid namespace is owned by
 * the sandbox's user namespace, as with a direct clone). A spare that
 * cannot be used is dropped and the direct clone made: never a namespace of
 * another sandbox, never one mapped otherwise.
 *
 * Return: like ns_clone(): pid 1's pid in the parent, 0 in pid 1, -errno
 */
pid_t ns_spawn(const struct sbx_config *c, struct userns_plan *p, int *ret_pidfd);

/**
 * ns_clone() - fork into new namespaces, like fork(): 0 in the child
 * @ret_pidfd:	a pidfd for the child in the parent (-1 where unsupported)
 * Return: the child's pid in the parent, 0 in the child, -errno on failure
 */
pid_t ns_clone(unsigned long flags, int *ret_pidfd);

/**
 * ns_clone_into() - ns_clone() with the child placed in the cgroup
 *		     @cgroup_fd (CLONE_INTO_CGROUP; -1: ours)
 * Return: as ns_clone(), or -EOPNOTSUPP before Linux 5.7 (no
 *	   CLONE_INTO_CGROUP): the caller then moves itself there around a
 *	   plain ns_clone()
 */
pid_t ns_clone_into(unsigned long flags, int cgroup_fd, int *ret_pidfd);

/**
 * ns_set_hostname() - set the UTS namespace's host and domain name
 * Return: 0 or -errno with @e filled
 */
int ns_set_hostname(const char *name, struct sbx_error *e);

/**
 * ns_loopback_up() - bring "lo" up in a new network namespace
 * Return: 0 or -errno with @e filled
 */
int ns_loopback_up(struct sbx_error *e);

/**
 * ns_new_time() - unshare the time namespace for our children and set its offsets
 * Return: 0 or -errno with @e filled
 */
int ns_new_time(const struct sbx_config *c, struct sbx_error *e);

/**
 * ns_all_at_clone() - every new namespace is created by the clone itself
 *		       (bwrap's command line, --info-fd, --json-status-fd), so
 *		       their ids can be read right after it
 */
bool ns_all_at_clone(const struct sbx_config *c);
