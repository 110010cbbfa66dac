/* cgroup.h - a delegated cgroup v2 subtree for one sandbox
 *
 * Theory of operation. sbx runs in a cgroup it may write (delegated to the
 * user by systemd, or chown()ed by an administrator) and of which it is the
 * only process. cgroup v2 lets a cgroup either hold processes or hand
 * controllers to its children ("no internal processes"), so sbx first moves
 * itself into a leaf of its own, then enables the controllers it needs for
 * the children, and makes:
 *
 *   CUR/sbx-PID.supervisor	sbx itself (and the helpers it forks later)
 *   CUR/sbx-PID		memory.max, memory.swap.max, pids.max, cpu.max
 *   CUR/sbx-PID/sandbox	pid 1 and everything in the sandbox; the root
 *				of the sandbox's cgroup namespace
 *
 * The limits sit one level above the namespace root, so a sandbox that
 * mounts cgroup2 sees (and owns) only "sandbox", never the files that limit
 * it, whether or not the host mounted cgroup2 with nsdelegate. At the end
 * everything left is killed (cgroup.kill), the two sandbox cgroups removed
 * once empty, the controllers given back and sbx moved back into CUR, so
 * the tree is as it was.
 *
 * Everything is relative to a root path given by the caller, so the unit
 * tests run it against a tree of plain directories (@fake: the interface
 * files that the kernel would make are created, and removed before rmdir).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define CGROUP_MEMORY 0x1u
#define CGROUP_PIDS 0x2u
#define CGROUP_CPU 0x4u

/* cpu.max's period: --cpus N is a quota of N * this per period. */
#define CGROUP_CPU_PERIOD_US 100000ULL

/**
 * struct cgroup_request - what to write into the limiting cgroup (0: no limit)
 * @memory:	memory.max, bytes
 * @memory_swap: memory.swap.max, bytes (written when @memory or @swap_set)
 * @swap_set:	@memory_swap was asked for
 * @pids:	pids.max
 * @cpus_milli:	cpu.max quota, in thousandths of a CPU
 */
struct cgroup_request {
	unsigned long long memory;
	unsigned long long memory_swap;
	bool swap_set;
	unsigned long pids;
	unsigned cpus_milli;
};

#define CGROUP_PATH_MAX 512

/**
 * struct cgroup_v2 - sbx's cgroup and the ones it made
 * @root:	where the cgroup2 hierarchy is mounted (/sys/fs/cgroup)
 * @path:	sbx's cgroup below @root ("/user.slice/..."), as /proc/self/cgroup says
 * @dirfd:	that cgroup (CUR), -1 when none is open
 * @limit_fd:	CUR/sbx-PID, -1 until made
 * @sandbox_fd:	CUR/sbx-PID/sandbox, for CLONE_INTO_CGROUP; -1 until made
 * @leaf, @limit: the names of sbx's leaf and of the limiting cgroup
 * @enabled:	CGROUP_* controllers sbx enabled in CUR's subtree_control
 * @moved:	sbx is in its leaf
 * @fake:	a test tree on a plain filesystem
 */
struct cgroup_v2 {
	char root[CGROUP_PATH_MAX];
	char path[CGROUP_PATH_MAX];
	int dirfd;
	int limit_fd;
	int sandbox_fd;
	char leaf[48];
	char limit[48];
	unsigned enabled;
	bool moved;
	bool fake;
};

#define CGROUP_V2_INIT { .dirfd = -1, .limit_fd = -1, .sandbox_fd = -1 }

/**
 * cgroup_v2_find() - is there a cgroup v2 hierarchy with controllers, and
 *		      where in it is sbx?
 * @mnt:	where it would be mounted (/sys/fs/cgroup)
 * @proc_cgroup: /proc/self/cgroup
 * @cg:		CGROUP_V2_INIT; @root and @path filled on success
 *
 * A host whose memory, pids or cpu controller is in a v1 hierarchy (the
 * "hybrid" layout) has no usable v2, whatever is mounted at
 * @mnt/unified: those controllers belong to v1 there.
 * Return: 0, or -ENOENT / -EOPNOTSUPP with @e saying what the host has
 */
int cgroup_v2_find(const char *mnt, const char *proc_cgroup, struct cgroup_v2 *cg,
		   struct sbx_error *e);

/**
 * cgroup_v2_check() - may sbx make a subtree for the sandbox in its cgroup?
 * @need:	CGROUP_* controllers the request needs
 *
 * Opens the cgroup (@cg->dirfd). It must be writable by us, offer @need in
 * cgroup.controllers, and hold no process but sbx (that a leaf of our own
 * could not take out of it).
 * Return: 0, or -EACCES (not delegated), -EOPNOTSUPP (a controller not
 *	   enabled), -EBUSY (other processes) with @e saying which and what to do
 */
int cgroup_v2_check(struct cgroup_v2 *cg, unsigned need, struct sbx_error *e);

/**
 * cgroup_v2_create() - move sbx into its leaf, enable @need for the
 *			children, make the limiting and the sandbox's cgroup
 *			and write @req's limits
 *
 * On failure whatever was done is undone (cgroup_v2_destroy()).
 * Return: 0 or -errno with @e filled
 */
int cgroup_v2_create(struct cgroup_v2 *cg, unsigned need, const struct cgroup_request *req,
		     struct sbx_error *e);

/**
 * cgroup_v2_destroy() - kill what is left in the sandbox's cgroups, remove
 *			 them, give back the controllers, move sbx back; close
 *			 the fds. Safe on a struct never created, and twice.
 *
 * Waits at most a few seconds (an inotify watch on cgroup.events, no
 * polling) for the killed processes to be gone.
 */
void cgroup_v2_destroy(struct cgroup_v2 *cg);

/**
 * cgroup_v2_wait_empty() - wait (inotify on cgroup.events, a few seconds at
 *			    most) until the cgroup @dirfd holds no process
 *			    (also for sbx oci's container cgroups)
 */
void cgroup_v2_wait_empty(int dirfd);

/**
 * cgroup_v2_move_self() - move sbx into the sandbox's cgroup (@to_sandbox)
 *			   or back into its leaf: around a clone, on kernels
 *			   without CLONE_INTO_CGROUP (before 5.7)
 * Return: 0 or -errno
 */
int cgroup_v2_move_self(const struct cgroup_v2 *cg, bool to_sandbox);

/**
 * cgroup_v2_event_count() - the "@key N" line of the limiting cgroup's
 *			     @file ("memory.events" "oom_kill", "pids.events" "max")
 * Return: 0 (0 in @ret_count without that line) or -errno
 */
int cgroup_v2_event_count(const struct cgroup_v2 *cg, const char *file, const char *key,
			  unsigned long long *ret_count);

/**
 * cgroup_v2_watch() - an inotify fd (non-blocking) readable when one of the
 *		       limiting cgroup's @files (n of them) changes
 * Return: the fd, or -errno (-ENOENT: none of them could be watched)
 */
int cgroup_v2_watch(const struct cgroup_v2 *cg, const char *const *files, size_t n);
