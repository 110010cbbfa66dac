/* proctree.h - the processes below pid 1 under --share-pid: found in /proc, killed by pidfd */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/**
 * struct proctree_entry - one process as a /proc scan saw it
 * @pid:	its pid
 * @ppid:	its parent's pid
 * @start:	its start time (clock ticks after boot): with @pid, names one process
 */
struct proctree_entry {
	pid_t pid;
	pid_t ppid;
	uint64_t start;
};

/**
 * proctree_open_proc() - open the /proc every other call here reads
 * @path:	"/proc" (a parameter for the tests)
 * @ret_fd:	the directory, close-on-exec
 * @e:		filled on failure
 *
 * Opened before the command runs, so that nothing it mounts or writes later
 * is read instead. @path must be procfs and show this process's pid
 * namespace (its "self" names our pid), else a scan could name processes
 * other than the ones pidfd_open() would reach.
 *
 * Return: 0, or -errno: -EMEDIUMTYPE (not procfs), -EXDEV (another pid
 * namespace), or what open() said
 */
int proctree_open_proc(const char *path, int *ret_fd, struct sbx_error *e);

/**
 * proctree_read() - read @pid's parent and start time from PID/stat below @procfd
 * @procfd:	from proctree_open_proc()
 * @pid:	the process
 * @ret:	filled on success
 *
 * The file is opened with openat2(RESOLVE_NO_XDEV): a mount over /proc/PID
 * is refused, not read; and it must name @pid itself.
 *
 * Return: 0, or -errno (-ENOENT: no such process; -EXDEV: something is
 * mounted over it; -EINVAL: not a stat file of @pid)
 */
int proctree_read(int procfd, pid_t pid, struct proctree_entry *ret);

/**
 * proctree_kill() - SIGKILL the process @p names, and nothing else
 * @procfd:	from proctree_open_proc()
 * @root:	the subreaper whose descendants may be killed (the caller)
 * @p:		the process, as a scan saw it
 * @parent:	its parent as the same scan saw it, already checked by this
 *		function; NULL when there is none to vouch for it
 *
 * Opens a pidfd for @p->pid, then reads /proc again: only if the process
 * there still has @p's start time is the pidfd the one meant; and only if
 * it is now @root's child, or @parent's while @parent (read after it) still
 * has its start time, is it below @root. Only then is the signal sent,
 * through the pidfd. A pid reused since the scan, the process's or its
 * parent's, is left alone; so is any process when pidfds are not available.
 *
 * Return: the pidfd (close-on-exec; readable once the process has ended),
 * -ESRCH when it is gone, -ESTALE when the pid names another process now or
 * its parentage cannot be shown, or another -errno (nothing signalled)
 */
int proctree_kill(int procfd, pid_t root, const struct proctree_entry *p,
		  const struct proctree_entry *parent);

/**
 * proctree_kill_list() - one round of proctree_kill_descendants() over a scan
 * @procfd:	from proctree_open_proc()
 * @root:	the subreaper (the caller)
 * @list:	every process as the scan saw it (sorted by pid here)
 * @n:		entries in @list
 *
 * Kills the entries below @root parents first, each vouched for by its
 * parent's kill (proctree_kill()), and waits up to a second per 64 of them
 * for them to end. Costs O(n log n) however deep the tree.
 *
 * Return: how many entries were below @root (killed or not)
 */
size_t proctree_kill_list(int procfd, pid_t root, struct proctree_entry *list, size_t n);

/**
 * proctree_kill_descendants() - SIGKILL every process below @root, and reap
 * @procfd:	from proctree_open_proc()
 * @root:	the subreaper (the caller)
 *
 * For a subreaper (pid 1 under --share-pid): orphans come to @root, so the
 * whole sandbox is below it. Scans /proc, kills each descendant with
 * proctree_kill(), waits for them to end, reaps @root's children, and repeats
 * until a scan finds nobody (a process may fork between scan and kill).
 */
void proctree_kill_descendants(int procfd, pid_t root);

/**
 * proctree_supported() - can this process open pidfds (Linux 5.3)?
 * Return: 0 or -errno from pidfd_open()
 */
int proctree_supported(void);
